"""Answers that are errors, each mapped to its exception (docs/connect-prime.md, "Envelope")."""

from __future__ import annotations

import json

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sdk_connect_fakes import FakePrime, FakeSleep, fail, ok

from binance_sandbox.client import (
    AuthenticationError,
    BinanceSandboxError,
    ConnectError,
    ConnectPrimeClient,
    CustomSpreadExceeded,
    DuplicateOrderSubmission,
    IllegalParameters,
    InvalidAccessToken,
    InvalidAmountType,
    InvalidClientId,
    InvalidDirection,
    InvalidOrderStatus,
    InvalidSignature,
    InvalidTimestamp,
    IpNotWhitelisted,
    LimitCalculationFailed,
    MerchantNotExist,
    NoPaymentMethodAvailable,
    OrderExecutionFailed,
    OrderStatus,
    QuoteCacheFailed,
    QuoteExpired,
    QuoteGenerationFailed,
    SysBusy,
    SysError,
    TransportError,
    UnexpectedResponse,
    error_from_response,
)

CODES: list[tuple[str, type[ConnectError], int, str]] = [
    ("1230101", SysError, 200, "System error"),
    ("1230102", SysBusy, 200, "System busy"),
    ("1230303", IllegalParameters, 200, "Illegal parameters: userId"),
    ("1230304", InvalidDirection, 200, "Invalid direction"),
    ("1230305", NoPaymentMethodAvailable, 200, "No payment method available"),
    ("1230306", InvalidAmountType, 200, "Invalid amount type"),
    ("1230307", QuoteGenerationFailed, 200, "Quote generation failed"),
    ("1230308", QuoteCacheFailed, 200, "Quote cache failed"),
    ("1230309", DuplicateOrderSubmission, 200, "Duplicate order submission"),
    ("1230310", QuoteExpired, 200, "Quote expired"),
    ("1230311", OrderExecutionFailed, 200, "Order execution failed"),
    ("1230312", MerchantNotExist, 200, "Merchant does not exist or is inactive."),
    ("1230313", CustomSpreadExceeded, 200, "Custom spread exceeded"),
    ("1230314", InvalidOrderStatus, 200, "Invalid order status"),
    ("1230315", LimitCalculationFailed, 200, "Limit calculation failed"),
    ("1230201", InvalidClientId, 401, "Invalid X-Tesla-ClientId."),
    ("1230202", InvalidAccessToken, 401, "Invalid X-Tesla-SignAccessToken."),
    ("1230203", InvalidTimestamp, 400, "X-Tesla-Timestamp is outside the allowed window."),
    ("1230204", IpNotWhitelisted, 403, "IP 10.0.0.9 is not whitelisted for this client."),
    ("1230205", InvalidSignature, 401, "Invalid X-Tesla-Signature."),
]


@pytest.mark.parametrize(
    ("code", "error_class", "status", "message"), CODES, ids=[c[1].__name__ for c in CODES]
)
def test_each_code_raises_its_class_keeping_code_message_status_and_body(
    client: ConnectPrimeClient,
    prime: FakePrime,
    code: str,
    error_class: type[ConnectError],
    status: int,
    message: str,
) -> None:
    # max_retries is 3, so the retried codes are answered 4 times; the last error is raised.
    prime.script("info/discover", fail(code, message, status=status))

    with pytest.raises(error_class) as caught:
        client.discover()

    error = caught.value
    assert type(error) is error_class
    assert error.code == code
    assert error.message == message
    assert error.http_status == status
    assert error.body == {"success": False, "code": code, "data": None, "message": message}
    assert error.data is None
    assert code in str(error)
    assert message in str(error)
    assert code == error_class.CODE


def test_auth_codes_share_a_base_class() -> None:
    auth = {cls for _, cls, status, _ in CODES if status != 200}
    assert all(issubclass(cls, AuthenticationError) for cls in auth)
    assert all(
        not issubclass(cls, AuthenticationError) for _, cls, _, _ in CODES if cls not in auth
    )
    assert all(issubclass(cls, ConnectError) for _, cls, _, _ in CODES)
    assert issubclass(ConnectError, BinanceSandboxError)
    assert issubclass(TransportError, BinanceSandboxError)
    assert issubclass(UnexpectedResponse, BinanceSandboxError)


def test_an_unknown_code_is_a_plain_connect_error(
    client: ConnectPrimeClient, prime: FakePrime
) -> None:
    prime.script("info/discover", fail("1239999", "Something new"))

    with pytest.raises(ConnectError) as caught:
        client.discover()

    assert type(caught.value) is ConnectError
    assert caught.value.code == "1239999"
    assert caught.value.message == "Something new"


def test_a_duplicate_order_carries_the_existing_order(
    client: ConnectPrimeClient, prime: FakePrime
) -> None:
    existing = {"orderId": "lhJ0uBwFPcCkbxnypoqNzUvri1e8jatT", "status": "FILLED"}
    prime.script("quote/execute", fail("1230309", "Duplicate order submission", data=existing))

    with pytest.raises(DuplicateOrderSubmission) as caught:
        client.execute_quote("q2", "myOrder001")

    assert caught.value.data == existing
    found = caught.value.existing_order
    assert found is not None
    assert found.order_id == "lhJ0uBwFPcCkbxnypoqNzUvri1e8jatT"
    assert found.status is OrderStatus.FILLED


def test_a_code_sent_as_a_number_and_a_null_message_are_tolerated() -> None:
    response = httpx.Response(
        200, json={"success": False, "code": 1230310, "data": None, "message": None}
    )

    error = error_from_response(response)

    assert isinstance(error, QuoteExpired)
    assert error.code == "1230310"
    assert error.message == ""


def test_a_success_envelope_is_no_error() -> None:
    response = httpx.Response(200, json={"success": True, "code": "000000", "data": []})
    assert error_from_response(response) is None


@pytest.mark.parametrize(
    ("status", "content", "body"),
    [
        (502, b"<html>Bad Gateway</html>", "<html>Bad Gateway</html>"),
        (200, b"", ""),
        (404, b'{"detail":"Not Found"}', {"detail": "Not Found"}),
        (200, b"[1, 2]", [1, 2]),
        (200, b'{"success": "yes", "code": "000000"}', {"success": "yes", "code": "000000"}),
        (
            500,
            b'{"success": true, "code": "000000", "data": null}',
            {"success": True, "code": "000000", "data": None},
        ),
    ],
    ids=["html", "empty", "not-envelope", "array", "success-not-bool", "success-on-500"],
)
def test_an_answer_that_is_not_an_envelope_is_unexpected(
    client: ConnectPrimeClient, prime: FakePrime, status: int, content: bytes, body: object
) -> None:
    prime.script("buy/fiat-list", httpx.Response(status, content=content))

    with pytest.raises(UnexpectedResponse) as caught:
        client.fiat_list("u1")

    assert caught.value.http_status == status
    assert caught.value.body == body
    assert len(prime.received) == 1


def test_success_data_of_the_wrong_shape_is_unexpected(
    client: ConnectPrimeClient, prime: FakePrime
) -> None:
    prime.script("quote/execute", ok({"orderId": "o1", "status": "SOMETHING"}))

    with pytest.raises(UnexpectedResponse) as caught:
        client.execute_quote("q1", "c1")

    assert caught.value.http_status == 200
    assert caught.value.body == {
        "success": True,
        "code": "000000",
        "data": {"orderId": "o1", "status": "SOMETHING"},
        "message": None,
    }


def test_missing_data_is_unexpected(client: ConnectPrimeClient, prime: FakePrime) -> None:
    prime.script("buy/fiat-list", ok(None))

    with pytest.raises(UnexpectedResponse):
        client.fiat_list("u1")


def test_a_transport_failure_is_wrapped_with_its_cause(
    client: ConnectPrimeClient, prime: FakePrime
) -> None:
    cause = httpx.ConnectError("connection refused")
    prime.script("quote/execute", cause)

    with pytest.raises(TransportError) as caught:
        client.execute_quote("q1", "c1")

    assert caught.value.__cause__ is cause
    assert caught.value.transient
    assert "connection refused" in str(caught.value)


def test_an_unsupported_url_is_a_transport_error_that_is_not_transient(
    partner_key: rsa.RSAPrivateKey, sleep: FakeSleep
) -> None:
    with (
        ConnectPrimeClient("ftp://nowhere.test", "c", "t", partner_key, sleep=sleep) as connect,
        pytest.raises(TransportError) as caught,
    ):
        connect.discover()
    assert not caught.value.transient
    assert sleep.slept == []


def test_error_bodies_keep_exact_decimals() -> None:
    content = json.dumps(
        {"success": False, "code": "1230303", "data": None, "message": "amount"}
    ).replace('"data": null', '"data": {"min": 0.1}')
    error = error_from_response(httpx.Response(200, content=content.encode()))
    assert isinstance(error, IllegalParameters)
    assert isinstance(error.data, dict)
    assert str(error.data["min"]) == "0.1"
    assert not isinstance(error.data["min"], float)
