"""Refunds (NOTES.md; docs/binance-pay.md "order/refund"): partial refunds until full, the
idempotent refundRequestId, the 10-attempt rule, each refusal, and rejection."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pay_support import PayReceiver, PaySigned, order_body, trade_no


def paid_order(sandbox: Any, pay: PaySigned, payer: str, amount: str = "100") -> str:
    prepay_id = str(pay.ok("/v2/order", order_body(trade_no(), amount))["prepayId"])
    r = sandbox.admin.post(f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": payer})
    assert r.status_code == 200, r.text
    return prepay_id


def refunded(sandbox: Any, pay: PaySigned, request_id: str) -> dict[str, Any]:
    """The refund once what is due has run: no longer pending."""
    sandbox.settle()
    found = dict(pay.ok("/order/refund/query", {"refundRequestId": request_id}))
    assert found["refundStatus"] != "REFUND_PENDING", found
    return found


def test_partial_refunds_then_full(
    sandbox: Any, pay: PaySigned, receiver: PayReceiver, payer: str
) -> None:
    prepay_id = paid_order(sandbox, pay, payer)
    first = pay.ok(
        "/order/refund",
        {
            "refundRequestId": "r1-" + prepay_id,
            "prepayId": prepay_id,
            "refundAmount": 30,
            "refundReason": "size",
        },
    )
    assert first == {
        "refundRequestId": "r1-" + prepay_id,
        "prepayId": prepay_id,
        "orderAmount": "100",
        "refundedAmount": "30",
        "refundAmount": "30",
        "remainingAttempts": 9,
        "payerOpenId": pay.ok("/v2/order/query", {"prepayId": prepay_id})["openUserId"],
        "duplicateRequest": False,
    }
    assert refunded(sandbox, pay, "r1-" + prepay_id)["refundStatus"] == "REFUND_SUCCESS"
    assert pay.ok("/v2/order/query", {"prepayId": prepay_id})["status"] == "REFUNDED"
    assert sandbox.balance(payer, "USDT") == Decimal("930")
    [event] = receiver.find("PAY_REFUND", "REFUND_SUCCESS", prepay_id)
    assert event["data"]["refundInfo"]["refundRequestId"] == "r1-" + prepay_id

    again = pay.ok(
        "/order/refund",
        {"refundRequestId": "r1-" + prepay_id, "prepayId": prepay_id, "refundAmount": 30},
    )
    assert again["duplicateRequest"] is True and again["refundedAmount"] == "30"
    assert sandbox.balance(payer, "USDT") == Decimal("930")  # nothing moved twice
    assert pay.fail(
        "/order/refund",
        {"refundRequestId": "r1-" + prepay_id, "prepayId": prepay_id, "refundAmount": 31},
        "400102",
    ) == (f"refundRequestId r1-{prepay_id} was used for another refund.")

    assert pay.fail(
        "/order/refund",
        {"refundRequestId": "r2-" + prepay_id, "prepayId": prepay_id, "refundAmount": "70.01"},
        "400303",
    ) == ("refundAmount 70.01 exceeds the refundable 70 USDT.")
    pay.ok(
        "/order/refund",
        {"refundRequestId": "r2-" + prepay_id, "prepayId": prepay_id, "refundAmount": 70},
    )
    refunded(sandbox, pay, "r2-" + prepay_id)
    assert pay.ok("/v2/order/query", {"prepayId": prepay_id})["status"] == "FULL_REFUNDED"
    assert sandbox.balance(payer, "USDT") == Decimal("1000")
    assert pay.fail(
        "/order/refund",
        {"refundRequestId": "r3-" + prepay_id, "prepayId": prepay_id, "refundAmount": 1},
        "400204",
    ) == ("Order is FULL_REFUNDED; only a paid order can be refunded.")
    sandbox.audit()


def test_at_most_ten_attempts_and_the_last_refunds_the_rest(
    sandbox: Any, pay: PaySigned, payer: str
) -> None:
    prepay_id = paid_order(sandbox, pay, payer, "50")
    for n in range(1, 10):
        answer = pay.ok(
            "/order/refund",
            {"refundRequestId": f"t{n}-{prepay_id}", "prepayId": prepay_id, "refundAmount": 1},
        )
        assert answer["remainingAttempts"] == 10 - n
    last = pay.ok(
        "/order/refund",
        {"refundRequestId": f"t10-{prepay_id}", "prepayId": prepay_id, "refundAmount": 1},
    )
    assert (last["refundAmount"], last["refundedAmount"], last["remainingAttempts"]) == (
        "41",
        "50",
        0,
    )
    assert pay.fail(
        "/order/refund",
        {"refundRequestId": f"t11-{prepay_id}", "prepayId": prepay_id, "refundAmount": 1},
        "400302",
    ) == ("At most 10 refunds per order.")
    sandbox.settle()
    assert pay.ok("/v2/order/query", {"prepayId": prepay_id})["status"] == "FULL_REFUNDED"
    sandbox.audit()


def test_refund_refusals(sandbox: Any, pay: PaySigned, payer: str) -> None:
    unpaid = pay.ok("/v2/order", order_body(trade_no()))["prepayId"]
    assert pay.fail(
        "/order/refund", {"refundRequestId": "u1", "prepayId": unpaid, "refundAmount": 1}, "400204"
    ) == ("Order is INITIAL; only a paid order can be refunded.")
    assert (
        pay.fail(
            "/order/refund",
            {"refundRequestId": "u2", "prepayId": "999", "refundAmount": 1},
            "400301",
        )
        == "prepayId 999 is invalid."
    )
    pay.fail("/order/refund", {"refundRequestId": "u3", "prepayId": unpaid}, "400100")
    pay.fail(
        "/order/refund",
        {"refundRequestId": "x" * 65, "prepayId": unpaid, "refundAmount": 1},
        "400101",
    )
    assert (
        pay.fail("/order/refund/query", {"refundRequestId": "never"}, "400202")
        == "No refund never."
    )


def test_merchant_without_funds_cannot_refund(sandbox: Any, pay: PaySigned, payer: str) -> None:
    prepay_id = paid_order(sandbox, pay, payer, "20")
    funding = sandbox.balance(pay.merchant.merchant_id, "USDT", "FUNDING")
    # The merchant moves everything out of its Pay wallet first.
    pay.ok(
        "/wallet/transfer",
        {
            "requestId": "drain" + prepay_id[:10],
            "currency": "USDT",
            "amount": str(funding),
            "transferType": "TO_MAIN",
        },
    )
    assert pay.fail(
        "/order/refund",
        {"refundRequestId": "nf-" + prepay_id, "prepayId": prepay_id, "refundAmount": 5},
        "400304",
    ) == ("The merchant's USDT balance is not enough for this refund.")
    assert (
        pay.ok("/v2/order/query", {"prepayId": prepay_id})["status"] == "PAID"
    )  # nothing half-written
    pay.fail("/order/refund/query", {"refundRequestId": "nf-" + prepay_id}, "400202")
    pay.ok(
        "/wallet/transfer",
        {
            "requestId": "back" + prepay_id[:10],
            "currency": "USDT",
            "amount": str(funding),
            "transferType": "TO_PAY",
        },
    )
    sandbox.audit()


def test_a_rejected_refund_gives_the_money_back_to_the_merchant(make_sandbox: Any) -> None:
    import httpx
    from pay_support import PayReceiver, create_merchant

    box = make_sandbox("refund-reject", embedded_worker=False)
    receiver = PayReceiver().start()
    try:
        merchant = create_merchant(box, webhookUrl=f"{receiver.url}/hook")
        payer = box.create_user()
        box.credit(payer, "USDT", "100")
        with httpx.Client(base_url=box.url) as http:
            shop = PaySigned(http, merchant)
            prepay_id = shop.ok("/v2/order", order_body(trade_no(), "40"))["prepayId"]
            box.admin.post(f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": payer})
            shop.ok(
                "/order/refund",
                {"refundRequestId": "rej1", "prepayId": prepay_id, "refundAmount": 15},
            )
            assert (
                shop.ok("/order/refund/query", {"refundRequestId": "rej1"})["refundStatus"]
                == "REFUND_PENDING"
            )
            assert shop.ok("/v2/order/query", {"prepayId": prepay_id})["status"] == "REFUNDING"
            assert box.balance(merchant.merchant_id, "USDT", "FUNDING") == Decimal(
                25
            )  # held for the refund
            r = box.admin.post(
                "/sandbox/v1/pay/refunds/reject",
                json={"merchantId": merchant.merchant_id, "refundRequestId": "rej1"},
            )
            assert r.json() == {"refundRequestId": "rej1", "refundStatus": "REFUND_FAIL"}
            assert (
                shop.ok("/order/refund/query", {"refundRequestId": "rej1"})["refundStatus"]
                == "REFUND_FAIL"
            )
            assert shop.ok("/v2/order/query", {"prepayId": prepay_id})["status"] == "PAID"
            assert box.balance(merchant.merchant_id, "USDT", "FUNDING") == Decimal(40)
            again = box.admin.post(
                "/sandbox/v1/pay/refunds/reject",
                json={"merchantId": merchant.merchant_id, "refundRequestId": "rej1"},
            )
            assert again.status_code == 409 and again.json()["error"]["code"] == "400204"
        box.audit()
    finally:
        receiver.stop()
