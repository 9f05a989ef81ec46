"""Every result code of pay-create-order-v2.txt's "Result Code" table answers an `errorMessage`
that begins with the table's text, exactly; the request's own detail may follow it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pay_support import (
    BASE,
    RESULT_CODE_TEXT,
    PaySigned,
    create_merchant,
    envelope,
    order_body,
    trade_no,
)

QUERY = "/v2/order/query"


def _order(change: dict[str, Any]) -> dict[str, Any]:
    return order_body(trade_no(), **change)


def _with_goods_name(name: str) -> dict[str, Any]:
    body = order_body(trade_no())
    body["goods"]["goodsName"] = name
    return body


def _duplicate(pay: PaySigned) -> httpx.Response:
    body = order_body(trade_no())
    pay.ok("/v2/order", body)
    return pay.post("/v2/order", body)


def _injected_unknown_error(pay: PaySigned, sandbox: Any) -> httpx.Response:
    r = sandbox.admin.post(
        "/sandbox/v1/faults",
        json={
            "family": "pay",
            "scope": {"merchantId": pay.merchant.merchant_id},
            "endpoint": QUERY,
            "action": {"type": "error", "code": "400000", "message": "Injected."},
            "count": 1,
        },
    )
    assert r.status_code == 201, r.text
    return pay.post(QUERY, {"merchantTradeNo": "nothing"})


def _deactivated(pay: PaySigned, sandbox: Any) -> httpx.Response:
    closed = create_merchant(sandbox, name="Closed for messages")
    r = sandbox.admin.patch(f"/sandbox/v1/merchants/{closed.merchant_id}", json={"active": False})
    assert r.status_code == 200, r.text
    return PaySigned(pay.http, closed).post(QUERY, {"merchantTradeNo": "x"})


Trigger = Callable[[PaySigned, Any], httpx.Response]

TRIGGERS: list[tuple[str, Trigger]] = [
    ("400000", _injected_unknown_error),
    ("400001", lambda pay, _: pay.post(QUERY, {"merchantTradeNo": "x"}, nonce="short")),
    ("400002", lambda pay, _: pay.post(QUERY, {}, **{"BinancePay-Signature": "00"})),
    ("400003", lambda pay, _: pay.post(QUERY, {"merchantTradeNo": "x"}, timestamp="1000")),
    (
        "400004",
        lambda pay, _: pay.post(QUERY, {}, **{"BinancePay-Certificate-SN": "unknownkey123"}),
    ),
    ("400005", lambda pay, _: pay.post(QUERY, {}, **{"BinancePay-Certificate-SN": "bad-key!"})),
    ("400006", lambda pay, _: pay.http.get(BASE + QUERY)),
    ("400007", lambda pay, _: pay.post(QUERY, {}, **{"Content-Type": "text/plain"})),
    ("400008", lambda pay, _: pay.post(QUERY, raw=b"not json")),
    ("400100", lambda pay, _: pay.post(QUERY, {})),
    ("400101", lambda pay, _: pay.post("/v2/order", _order({"webhookUrl": "x" * 257}))),
    ("400102", lambda pay, _: pay.post("/v2/order", _order({"currency": "BTC"}))),
    ("400103", lambda pay, _: pay.post("/v2/order", _with_goods_name('Ice "Cream"'))),
    ("400104", lambda pay, _: pay.post(QUERY, raw=b'{"x": "' + b"a" * 70_000 + b'"}')),
    ("400201", lambda pay, _: _duplicate(pay)),
    ("400203", _deactivated),
    (
        "400206",
        lambda pay, _: pay.post("/v2/order", _order({"merchant": {"subMerchantId": "12345"}})),
    ),
]


def test_every_table_code_has_a_trigger() -> None:
    assert sorted(code for code, _ in TRIGGERS) == sorted(RESULT_CODE_TEXT)


@pytest.mark.parametrize(("code", "trigger"), TRIGGERS, ids=[code for code, _ in TRIGGERS])
def test_error_message_begins_with_the_tables_text(
    pay: PaySigned, sandbox: Any, code: str, trigger: Trigger
) -> None:
    body = envelope(trigger(pay, sandbox))
    assert (body["status"], body["code"]) == ("FAIL", code), body
    message = str(body["errorMessage"])
    assert message.startswith(RESULT_CODE_TEXT[code]), message
    # Whatever follows the table's text is a detail after a space, never run on.
    assert message == RESULT_CODE_TEXT[code] or message[len(RESULT_CODE_TEXT[code])] in " .", (
        message
    )


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        (
            lambda pay: pay.post(QUERY, {}, **{"BinancePay-Certificate-SN": "bad-key!"}),
            "API identity key format invalid. "
            "BinancePay-Certificate-SN is missing or not letters and digits.",
        ),
        (
            lambda pay: pay.post(QUERY, {}, **{"Content-Type": "text/plain"}),
            "Media type not supported. Content-Type must be application/json.",
        ),
        (
            lambda pay: pay.post(QUERY, {"merchantTradeNo": "x"}, timestamp="1000"),
            "Timestamp for this request is outside of the time window. "
            "BinancePay-Timestamp must be within 5000 ms of the server time.",
        ),
        # The detail is not repeated when it is the table's own text.
        (
            lambda pay: pay.post(QUERY, raw=b"[1]"),
            "Request body is not a valid json object.",
        ),
    ],
    ids=["400005", "400007", "400003", "400008"],
)
def test_the_detail_follows_the_tables_text(
    pay: PaySigned, trigger: Callable[[PaySigned], httpx.Response], message: str
) -> None:
    assert envelope(trigger(pay))["errorMessage"] == message


def test_a_code_outside_the_table_keeps_its_own_message(pay: PaySigned) -> None:
    assert pay.fail(QUERY, {"merchantTradeNo": "nothing"}, "400202") == "Order not found."
