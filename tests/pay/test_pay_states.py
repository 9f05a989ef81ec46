"""A Pay order moves only along its machine (pay-openapi.txt `orderStatus`): paid orders
cannot be closed or paid again, a fully refunded one cannot be refunded; each refusal is
400204 INVALID_ORDER_STATUS in Pay's envelope."""

from __future__ import annotations

from typing import Any

from pay_support import PaySigned, order_body, trade_no

from binance_sandbox.pay.lifecycle import ORDER, PAYOUT, REFUND, OrderStatus


def test_the_machines_cover_the_documented_statuses() -> None:
    documented = {"INITIAL", "PENDING", "PAID", "CANCELED", "ERROR", "REFUNDING", "REFUNDED"}
    assert documented | {"EXPIRED", "FULL_REFUNDED"} == {str(s) for s in OrderStatus}
    assert {str(s) for s in ORDER.terminal} == {"CANCELED", "ERROR", "EXPIRED", "FULL_REFUNDED"}
    assert {str(s) for s in REFUND.terminal} == {"REFUND_SUCCESS", "REFUND_FAIL"}
    assert {str(s) for s in PAYOUT.terminal} == {"SUCCESS", "FAILED", "CANCELED"}


def test_an_order_walks_its_path_and_refuses_to_step_off_it(
    sandbox: Any, pay: PaySigned, payer: str
) -> None:
    prepay_id = pay.ok("/v2/order", order_body(trade_no(), "20"))["prepayId"]
    assert pay.ok("/v2/order/query", {"prepayId": prepay_id})["status"] == "INITIAL"
    r = sandbox.admin.post(f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": payer})
    assert r.status_code == 200 and r.json()["status"] == "PAID"

    assert (
        pay.fail("/order/close", {"prepayId": prepay_id}, "400204")
        == "Order is PAID; only an unpaid order can be closed."
    )
    again = sandbox.admin.post(
        f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": payer}
    )
    assert again.status_code == 409
    assert again.json()["error"] == {
        "code": "400204",
        "message": "The order is PAID and cannot be paid.",
    }

    request_id = "states-" + prepay_id
    pay.ok(
        "/order/refund",
        {"refundRequestId": request_id, "prepayId": prepay_id, "refundAmount": 20},
    )
    sandbox.settle()
    assert pay.ok("/v2/order/query", {"prepayId": prepay_id})["status"] == "FULL_REFUNDED"
    assert (
        pay.ok("/order/refund/query", {"refundRequestId": request_id})["refundStatus"]
        == "REFUND_SUCCESS"
    )
    assert (
        pay.fail("/order/close", {"prepayId": prepay_id}, "400204")
        == "Order is FULL_REFUNDED; only an unpaid order can be closed."
    )
    assert pay.fail(
        "/order/refund",
        {"refundRequestId": request_id + "-2", "prepayId": prepay_id, "refundAmount": 1},
        "400204",
    ) == ("Order is FULL_REFUNDED; only a paid order can be refunded.")
    # A settled refund cannot be rejected afterwards.
    r = sandbox.admin.post(
        "/sandbox/v1/pay/refunds/reject",
        json={"merchantId": pay.merchant.merchant_id, "refundRequestId": request_id},
    )
    assert r.status_code == 409
    assert r.json()["error"] == {"code": "400204", "message": "Refund is REFUND_SUCCESS."}
    sandbox.audit()
