"""Every Pay answer that is not a success becomes the exception its code names
(docs/binance-pay.md, "Result codes"), keeping code, message, HTTP status and body."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sdk_connect_fakes import FakeClock, FakeSleep
from sdk_pay_fakes import FakePay, fail, make_client, ok

from binance_sandbox.client import (
    BinanceSandboxError,
    PayClient,
    PayError,
    UnexpectedResponse,
    pay_error_from_response,
    pay_errors,
)

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "binance-pay.md"

CODES = [
    ("400000", "UNKNOWN_ERROR", pay_errors.UnknownError),
    ("400001", "INVALID_REQUEST", pay_errors.InvalidRequest),
    ("400002", "INVALID_SIGNATURE", pay_errors.InvalidSignature),
    ("400003", "INVALID_TIMESTAMP", pay_errors.InvalidTimestamp),
    ("400004", "INVALID_API_KEY_OR_IP", pay_errors.InvalidApiKeyOrIp),
    ("400005", "BAD_API_KEY_FMT", pay_errors.BadApiKeyFmt),
    ("400006", "BAD_HTTP_METHOD", pay_errors.BadHttpMethod),
    ("400007", "MEDIA_TYPE_NOT_SUPPORTED", pay_errors.MediaTypeNotSupported),
    ("400008", "INVALID_REQUEST_BODY", pay_errors.InvalidRequestBody),
    ("400100", "MANDATORY_PARAM_EMPTY_OR_MALFORMED", pay_errors.MandatoryParamEmptyOrMalformed),
    ("400101", "INVALID_PARAM_WRONG_LENGTH", pay_errors.InvalidParamWrongLength),
    ("400102", "INVALID_PARAM_WRONG_VALUE", pay_errors.InvalidParamWrongValue),
    ("400103", "INVALID_PARAM_ILLEGAL_CHAR", pay_errors.InvalidParamIllegalChar),
    ("400104", "INVALID_REQUEST_TOO_LARGE", pay_errors.InvalidRequestTooLarge),
    ("400201", "INVALID_MERCHANT_TRADE_NO", pay_errors.InvalidMerchantTradeNo),
    ("400202", "ORDER_NOT_FOUND", pay_errors.OrderNotFound),
    ("400203", "INVALID_ACCOUNT_STATUS", pay_errors.InvalidAccountStatus),
    ("400204", "INVALID_ORDER_STATUS", pay_errors.InvalidOrderStatus),
    ("400205", "SUB_MERCHANT_EXISTS", pay_errors.SubMerchantExists),
    ("400206", "SUB_MERCHANT_INVALID", pay_errors.SubMerchantInvalid),
    ("400301", "INVALID_PREPAY_ID", pay_errors.InvalidPrepayId),
    ("400302", "TOO_MANY_REFUND_ATTEMPTS", pay_errors.TooManyRefundAttempts),
    ("400303", "INVALID_REFUND_AMOUNT", pay_errors.InvalidRefundAmount),
    ("400304", "ACCOUNT_REMAINING_AMOUNT_NOT_ENOUGH", pay_errors.AccountRemainingAmountNotEnough),
]


@pytest.fixture
def pay() -> FakePay:
    return FakePay()


@pytest.fixture
def pay_client(pay: FakePay, clock: FakeClock, sleep: FakeSleep) -> Iterator[PayClient]:
    with make_client(pay, clock, sleep, max_retries=0) as client:
        yield client


def test_every_code_of_the_contract_table_has_its_class() -> None:
    table = re.search(r"## Result codes\n(.*?)\n## ", CONTRACT.read_text(), re.S)
    assert table is not None
    documented = dict(re.findall(r"^\| `(4\d{5})` \| (\w+) \|", table.group(1), re.M))
    assert documented == {code: name for code, name, _ in CODES}
    assert {code: cls for code, _, cls in CODES} == pay_errors.ERRORS_BY_CODE


@pytest.mark.parametrize(("code", "name", "cls"), CODES)
def test_each_code_maps_to_its_class_with_code_message_status_and_body(
    pay_client: PayClient, pay: FakePay, code: str, name: str, cls: type[PayError]
) -> None:
    pay.script("v2/order/query", fail(code, "Order not found.", status=200))

    with pytest.raises(PayError) as raised:
        pay_client.query_order("383729303729303042")

    error = raised.value
    assert type(error) is cls
    assert code == cls.CODE
    assert name == cls.NAME
    assert error.code == code
    assert error.message == "Order not found."
    assert error.http_status == 200
    assert error.body == {
        "status": "FAIL",
        "code": code,
        "data": None,
        "errorMessage": "Order not found.",
    }
    assert error.data is None
    assert str(error) == f"{code} {name}: Order not found."


def test_the_authentication_codes_keep_the_http_status_they_came_with(
    pay_client: PayClient, pay: FakePay
) -> None:
    pay.script(
        "certificates", fail("400002", "Signature for this request is not valid.", status=406)
    )

    with pytest.raises(pay_errors.AuthenticationError) as raised:
        pay_client.certificates()

    assert isinstance(raised.value, pay_errors.InvalidSignature)
    assert raised.value.http_status == 406


def test_groups_and_the_shared_base() -> None:
    assert issubclass(pay_errors.InvalidParamWrongValue, pay_errors.ParameterError)
    assert issubclass(pay_errors.BadApiKeyFmt, pay_errors.AuthenticationError)
    assert issubclass(PayError, BinanceSandboxError)
    assert pay_errors.TransportError is not None
    # Pay's InvalidSignature is its own class, not Connect's.
    from binance_sandbox.client import InvalidSignature as ConnectInvalidSignature

    assert pay_errors.InvalidSignature is not ConnectInvalidSignature


def test_an_unknown_code_is_a_plain_pay_error(pay_client: PayClient, pay: FakePay) -> None:
    pay.script("balance", fail("409999", "Something new", data={"hint": 1}))

    with pytest.raises(PayError) as raised:
        pay_client.balance("SPOT_WALLET", "USDT")

    assert type(raised.value) is PayError
    assert raised.value.code == "409999"
    assert raised.value.data == {"hint": 1}
    assert str(raised.value) == "409999: Something new"


def _response(status: int, content: bytes) -> httpx.Response:
    return httpx.Response(status, content=content)


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (_response(502, b"<html>Bad gateway</html>"), "answer is not JSON"),
        (_response(404, b'{"detail": "Not Found"}'), "answer is not a Pay envelope"),
        (_response(200, b"[1, 2]"), "answer is not a Pay envelope"),
        (
            _response(200, b'{"status": "SUCCESS", "code": true, "data": null}'),
            "answer is not a Pay envelope",
        ),
        (
            _response(500, b'{"status": "SUCCESS", "code": "000000", "data": {}}'),
            "success envelope with an HTTP error status",
        ),
        (
            _response(200, b'{"status": "FAIL", "code": "000000", "data": {}}'),
            "code 000000 with status 'FAIL'",
        ),
    ],
)
def test_answers_that_are_not_pay_envelopes_are_unexpected(
    response: httpx.Response, reason: str
) -> None:
    error = pay_error_from_response(response)

    assert isinstance(error, UnexpectedResponse)
    assert error.reason == reason
    assert error.http_status == response.status_code


def test_a_numeric_code_and_a_missing_message_are_read() -> None:
    error = pay_error_from_response(
        httpx.Response(200, content=b'{"status": "FAIL", "code": 400202, "data": null}')
    )
    assert isinstance(error, pay_errors.OrderNotFound)
    assert error.message == ""


def test_a_success_is_none() -> None:
    assert (
        pay_error_from_response(
            httpx.Response(
                200, content=b'{"status":"SUCCESS","code":"000000","data":true,"errorMessage":""}'
            )
        )
        is None
    )


def test_data_of_the_wrong_shape_is_unexpected(pay_client: PayClient, pay: FakePay) -> None:
    pay.script("balance", ok({"asset": "USDT"}))
    pay.script("order/close", ok(False))

    with pytest.raises(UnexpectedResponse, match="data of balance has an unexpected shape"):
        pay_client.balance("SPOT_WALLET", "USDT")
    with pytest.raises(UnexpectedResponse, match="data of order/close"):
        pay_client.close_order("383729303729303042")
