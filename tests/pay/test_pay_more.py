"""The remaining Pay situations: PENDING orders closed and expired, a refund's own webhook URL,
400000 where it really arises, and the SDK (sync and async) against the real server."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from typing import Any

import httpx
import psycopg
import pytest
from pay_support import PayReceiver, PaySigned, create_merchant, envelope, order_body, trade_no

from binance_sandbox.client import AsyncPayClient, PayClient, PayWebhookVerifier, pay_errors


def start_paying(sandbox: Any, checkout_url: str, email: str) -> None:
    """A payer signs in on the hosted checkout: the order becomes PENDING."""
    with httpx.Client() as browser:
        assert browser.post(f"{checkout_url}/signin", data={"login": email}).status_code == 303


def new_payer(sandbox: Any) -> tuple[str, str]:
    r = sandbox.admin.post("/sandbox/v1/users", json={}).json()
    return r["userId"], r["email"]


def test_a_pending_order_can_be_closed(sandbox: Any, pay: PaySigned, receiver: PayReceiver) -> None:
    created = pay.ok("/v2/order", order_body(trade_no()))
    start_paying(sandbox, created["checkoutUrl"], new_payer(sandbox)[1])
    assert pay.ok("/v2/order/query", {"prepayId": created["prepayId"]})["status"] == "PENDING"
    assert (
        pay.ok(
            "/order/close",
            {
                "merchantTradeNo": pay.ok("/v2/order/query", {"prepayId": created["prepayId"]})[
                    "merchantTradeNo"
                ]
            },
        )
        is True
    )
    assert pay.ok("/v2/order/query", {"prepayId": created["prepayId"]})["status"] == "CANCELED"


def test_a_pending_order_expires(sandbox: Any, pay: PaySigned, receiver: PayReceiver) -> None:
    created = pay.ok("/v2/order", order_body(trade_no(), orderExpireTime=60_000))
    start_paying(sandbox, created["checkoutUrl"], new_payer(sandbox)[1])
    sandbox.advance(60_000)
    assert pay.ok("/v2/order/query", {"prepayId": created["prepayId"]})["status"] == "EXPIRED"
    assert receiver.find("PAY", "PAY_CLOSED", created["prepayId"])


def test_a_refund_webhook_goes_to_the_refunds_own_url(
    sandbox: Any, pay: PaySigned, receiver: PayReceiver, payer: str
) -> None:
    prepay_id = pay.ok("/v2/order", order_body(trade_no(), "10"))["prepayId"]
    sandbox.admin.post(f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": payer})
    pay.ok(
        "/order/refund",
        {
            "refundRequestId": "own-" + prepay_id,
            "prepayId": prepay_id,
            "refundAmount": 2,
            "webhookUrl": f"{receiver.url}/refunds",
        },
    )
    sandbox.settle()
    event = receiver.find("PAY_REFUND", "REFUND_SUCCESS", prepay_id)[0]
    assert event["path"] == "/refunds"
    assert receiver.find("PAY", "PAY_SUCCESS", prepay_id)[0]["path"] == "/webhook"


def test_a_corrupt_stored_merchant_is_unknown_error_not_a_500(sandbox: Any) -> None:
    broken = create_merchant(sandbox, name="Broken")
    sql = "UPDATE pay_merchants SET ip_whitelist = 'not json' WHERE merchant_id = %s"
    if sandbox.database_url.startswith("sqlite"):
        with sqlite3.connect(sandbox.database_url.split("sqlite:///", 1)[1]) as conn:
            conn.execute(sql.replace("%s", "?"), (broken.merchant_id,))
    else:
        with psycopg.connect(sandbox.database_url, autocommit=True) as conn:
            conn.execute(sql, (broken.merchant_id,))
    with httpx.Client(base_url=sandbox.url) as http:
        r = PaySigned(http, broken).post("/v2/order/query", {"merchantTradeNo": "x"})
    body = envelope(r)
    assert (r.status_code, body["status"], body["code"], body["errorMessage"]) == (
        200,
        "FAIL",
        "400000",
        "An unknown error occurred while processing the request.",
    )


def test_the_sdk_against_the_real_server(sandbox: Any, receiver: PayReceiver, payer: str) -> None:
    shop = create_merchant(sandbox, name="SDK Shop", webhookUrl=f"{receiver.url}/sdk")
    with PayClient(sandbox.url, shop.api_key, shop.api_secret) as client:
        created = client.create_order(
            env={"terminalType": "APP"},
            merchant_trade_no=trade_no(),
            order_amount=Decimal("12.5"),
            currency="USDT",
            goods={
                "goodsType": "01",
                "goodsCategory": "D000",
                "referenceGoodsId": "g1",
                "goodsName": "Tea",
            },
            pass_through_info="sdk",
        )
        sandbox.admin.post(
            f"/sandbox/v1/pay/orders/{created.prepay_id}/pay", json={"payerUserId": payer}
        )
        order = client.query_order(created.prepay_id)
        assert (
            order.status == "PAID"
            and order.order_amount == Decimal("12.5")
            and order.pass_through_info == "sdk"
        )
        with pytest.raises(pay_errors.OrderNotFound) as missing:
            client.query_order(merchant_trade_no="nope")
        assert (missing.value.code, missing.value.message) == ("400202", "Order not found.")
        refund = client.refund("sdk-r1", created.prepay_id, Decimal("2.5"))
        assert (refund.refund_amount, refund.remaining_attempts, refund.duplicate_request) == (
            Decimal("2.5"),
            9,
            False,
        )
        # The verifier fetches the platform's certificate through the client.
        verifier = PayWebhookVerifier(client)
        sandbox.settle()
        [delivery] = [
            d
            for d in sandbox.webhooks(ref=str(created.prepay_id))
            if json.loads(d["body"])["bizType"] == "PAY"
        ]
        assert delivery["status"] == "done"
        event = verifier.verify(
            delivery["body"].encode(), delivery["attemptLog"][-1]["requestHeaders"]
        )
        assert (event.biz_type, event.biz_status, event.biz_id_str) == (
            "PAY",
            "PAY_SUCCESS",
            str(created.prepay_id),
        )
    sandbox.audit()


async def test_the_async_sdk_against_the_real_server(sandbox: Any) -> None:
    shop = create_merchant(sandbox, name="Async Shop")
    sandbox.admin.post(
        "/sandbox/v1/balances/credit",
        json={"userId": shop.merchant_id, "asset": "USDT", "amount": "9", "wallet": "FUNDING"},
    )
    async with AsyncPayClient(sandbox.url, shop.api_key, shop.api_secret) as client:
        balance = await client.balance("FUNDING_WALLET", "USDT")
        assert balance.balance == Decimal(9)
        moved = await client.wallet_transfer("amove1", "USDT", Decimal(4), "TO_MAIN")
        assert (moved.tran_id, moved.status) == ("amove1", "SUCCESS")
        assert (await client.query_wallet_transfer("amove1")).status == "SUCCESS"
        certs = await client.certificates()
        assert len(certs) == 1 and certs[0].cert_public.startswith("-----BEGIN PUBLIC KEY-----")
        with pytest.raises(pay_errors.AccountRemainingAmountNotEnough):
            await client.wallet_transfer("amove2", "USDT", Decimal(6), "TO_MAIN")
    sandbox.audit()
