"""Pay request authentication (NOTES.md "Request signing"; docs/binance-pay.md): each
rejection has its code and HTTP status, and nothing is processed on a failed check."""

from __future__ import annotations

import secrets
import time
from typing import Any

import httpx
import pytest
from pay_support import BASE, PaySigned, create_merchant, envelope, order_body, pay_sign, trade_no

from binance_sandbox.pay.auth import pay_signature
from binance_sandbox.pay.keys import signed_payload

BAD_NONCE = (
    "Parameter format is wrong or parameter transferring doesn't follow the rules. "
    "BinancePay-Nonce must be 32 letters or digits."
)


def test_the_known_answer_vector_from_notes() -> None:
    expected = (
        "0FEE450C836654F95CA8AC5B99DB385B96CAE1EDC46456A5BEA005BFA020FC11"
        "3AD61D9B8595BA951A3A562BBB8556B6D063D6BA8AEF488097642E50ACC27ACA"
    )
    assert (
        pay_signature("abcd1234", signed_payload("1636876819", "abcd", b"akarshjain")) == expected
    )


@pytest.mark.parametrize(
    ("override", "http", "code", "message"),
    [
        (
            {"BinancePay-Certificate-SN": ""},
            200,
            "400005",
            "API identity key format invalid. "
            "BinancePay-Certificate-SN is missing or not letters and digits.",
        ),
        (
            {"BinancePay-Certificate-SN": "bad-key!"},
            200,
            "400005",
            "API identity key format invalid. "
            "BinancePay-Certificate-SN is missing or not letters and digits.",
        ),
        (
            {"BinancePay-Certificate-SN": "unknownkey123"},
            401,
            "400004",
            "API identity key not found or invalid.",
        ),
        (
            {"timestamp": "1000"},
            406,
            "400003",
            "Timestamp for this request is outside of the time window. "
            "BinancePay-Timestamp must be within 5000 ms of the server time.",
        ),
        (
            {"timestamp": "soon"},
            406,
            "400003",
            "Timestamp for this request is outside of the time window. "
            "BinancePay-Timestamp must be within 5000 ms of the server time.",
        ),
        ({"nonce": "short"}, 200, "400001", BAD_NONCE),
        (
            {"nonce": "x" * 31 + "!"},
            200,
            "400001",
            BAD_NONCE,
        ),
        ({"BinancePay-Signature": "00"}, 406, "400002", "Incorrect signature result."),
        ({"BinancePay-Signature": ""}, 406, "400002", "Incorrect signature result."),
        (
            {"Content-Type": "text/plain"},
            415,
            "400007",
            "Media type not supported. Content-Type must be application/json.",
        ),
    ],
)
def test_each_failed_check_has_its_code(
    pay: PaySigned, override: dict[str, str], http: int, code: str, message: str
) -> None:
    r = pay.post("/v2/order/query", {"merchantTradeNo": "nothing"}, **override)
    body = envelope(r)
    assert (r.status_code, body["status"], body["code"], body["errorMessage"], body["data"]) == (
        http,
        "FAIL",
        code,
        message,
        None,
    )


def test_a_signed_request_with_the_connectors_content_type_is_accepted(pay: PaySigned) -> None:
    r = pay.post(
        "/v2/order/query",
        {"merchantTradeNo": "nothing"},
        **{"Content-Type": "application/json;charset=utf-8"},
    )
    assert envelope(r)["code"] == "400202"


def test_signature_is_over_the_raw_bytes_and_case_insensitive(pay: PaySigned) -> None:
    body = b'{"merchantTradeNo": "nothing"}'
    headers = pay.headers(body)
    tampered = b'{"merchantTradeNo":"nothing"}'
    r = pay.http.post(BASE + "/v2/order/query", content=tampered, headers=headers)
    assert envelope(r)["code"] == "400002"
    headers = pay.headers(body)
    headers["BinancePay-Signature"] = headers["BinancePay-Signature"].lower()
    assert (
        envelope(pay.http.post(BASE + "/v2/order/query", content=body, headers=headers))["code"]
        == "400202"
    )


def test_a_replayed_nonce_is_refused(pay: PaySigned) -> None:
    body = b'{"merchantTradeNo": "nothing"}'
    headers = pay.headers(body)
    first = pay.http.post(BASE + "/v2/order/query", content=body, headers=headers)
    assert envelope(first)["code"] == "400202"
    again = envelope(pay.http.post(BASE + "/v2/order/query", content=body, headers=headers))
    assert (again["code"], again["errorMessage"]) == (
        "400001",
        "Parameter format is wrong or parameter transferring doesn't follow the rules. "
        "BinancePay-Nonce was already used: the request is a replay.",
    )


def test_an_empty_body_may_be_signed_as_empty_or_braces(pay: PaySigned) -> None:
    for signed_as in (b"", b"{}"):
        ts, nonce = str(int(time.time() * 1000)), secrets.token_hex(16)
        headers = {
            "Content-Type": "application/json",
            "BinancePay-Timestamp": ts,
            "BinancePay-Nonce": nonce,
            "BinancePay-Certificate-SN": pay.merchant.api_key,
            "BinancePay-Signature": pay_sign(pay.merchant.api_secret, ts, nonce, signed_as),
        }
        r = pay.http.post(BASE + "/certificates", content=b"", headers=headers)
        assert envelope(r)["status"] == "SUCCESS"


def test_bad_bodies(pay: PaySigned) -> None:
    for raw in (b"not json", b"[1]", b'"text"'):
        body = envelope(pay.post("/v2/order/query", raw=raw))
        assert (body["code"], body["errorMessage"]) == (
            "400008",
            "Request body is not a valid json object.",
        )
    huge = b'{"x": "' + b"a" * 70_000 + b'"}'
    r = pay.post("/v2/order/query", raw=huge)
    assert (r.status_code, envelope(r)["code"]) == (413, "400104")


def test_wrong_method_and_unknown_path(sandbox: Any) -> None:
    with httpx.Client(base_url=sandbox.url) as http:
        r = http.get(BASE + "/v2/order")
        assert (r.status_code, envelope(r)["code"]) == (405, "400006")
        r = http.post(BASE + "/v9/nothing", content=b"{}")
        assert (r.status_code, envelope(r)["code"]) == (404, "400001")


def test_ip_whitelist_and_deactivated_merchant(sandbox: Any) -> None:
    fenced = create_merchant(sandbox, name="Fenced", ipWhitelist=["10.0.0.0/8"])
    with httpx.Client(base_url=sandbox.url) as http:
        r = PaySigned(http, fenced).post("/v2/order/query", {"merchantTradeNo": "x"})
        assert (r.status_code, envelope(r)["code"], envelope(r)["errorMessage"]) == (
            401,
            "400004",
            "API identity key not found or invalid. IP 127.0.0.1 is not allowed for this API key.",
        )
        closed = create_merchant(sandbox, name="Closed")
        sandbox.admin.patch(f"/sandbox/v1/merchants/{closed.merchant_id}", json={"active": False})
        body = envelope(PaySigned(http, closed).post("/v2/order/query", {"merchantTradeNo": "x"}))
        assert (body["code"], body["errorMessage"]) == (
            "400203",
            "Not support for this account, please check account status.",
        )


def test_nothing_is_created_on_a_failed_check(sandbox: Any, pay: PaySigned) -> None:
    number = trade_no()
    r = pay.post("/v2/order", order_body(number), **{"BinancePay-Signature": "AB"})
    assert envelope(r)["code"] == "400002"
    assert pay.fail("/v2/order/query", {"merchantTradeNo": number}, "400202") == "Order not found."
    logged = sandbox.admin.get(
        "/sandbox/v1/requests", params={"family": "pay", "code": "400002"}
    ).json()[0]
    assert (
        "HMAC-SHA512" in logged["explanation"] and "expected signed string" in logged["explanation"]
    )
