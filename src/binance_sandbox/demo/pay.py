"""The Binance Pay part of `binance-sandbox demo`: an order paid through the hosted checkout
(driven the way a browser posts its forms), a partial and a full refund, and a payout, each
webhook verified with the platform's certificate through the SDK."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, cast

import httpx
from rich.table import Table
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from binance_sandbox.client import PayClient, PayWebhookVerifier
from binance_sandbox.client.pay_models import PayWebhookEvent
from binance_sandbox.demo.steps import Demo, wait_until
from binance_sandbox.serving import BackgroundServer


class PayReceiver:
    """The merchant's webhook endpoint: verifies each webhook and keeps it."""

    def __init__(self, verifier: PayWebhookVerifier) -> None:
        self.events: list[PayWebhookEvent] = []

        async def hook(request: Request) -> Response:
            event = verifier.verify(await request.body(), dict(request.headers))
            self.events.append(event)
            return JSONResponse({"returnCode": "SUCCESS", "returnMessage": None})

        async def landing(_request: Request) -> Response:
            return Response("thank you for your order")

        app = Starlette(routes=[Route("/hook", hook, methods=["POST"]), Route("/return", landing)])
        self.server = BackgroundServer(app).start()

    def wait(self, biz_type: str, status: str, biz_id: str | None = None) -> PayWebhookEvent:
        def found() -> PayWebhookEvent | None:
            for e in self.events:
                if (e.biz_type, e.biz_status) == (biz_type, status) and biz_id in (
                    None,
                    e.biz_id_str,
                ):
                    return e
            return None

        return cast(PayWebhookEvent, wait_until(found))


def run_pay(demo: Demo, url: str, admin: httpx.Client) -> None:
    demo.console.rule("Binance Pay: checkout, refunds, payout")
    shop = demo.step(
        "create a Pay merchant",
        lambda: admin.post("/sandbox/v1/merchants", json={"name": "Demo Store"}).json(),
        lambda m: f"merchantId {m['merchantId']}",
    )
    with PayClient(url, shop["apiKey"], shop["apiSecret"]) as pay:
        receiver = PayReceiver(PayWebhookVerifier(pay))
        try:
            _flow(demo, admin, pay, shop, receiver)
        finally:
            receiver.server.stop()


def _flow(
    demo: Demo, admin: httpx.Client, pay: PayClient, shop: dict[str, Any], receiver: PayReceiver
) -> None:
    admin.patch(
        f"/sandbox/v1/merchants/{shop['merchantId']}",
        json={"webhookUrl": f"{receiver.server.url}/hook"},
    ).raise_for_status()
    payer = demo.step(
        "a payer with 100 USDT",
        lambda: admin.post(
            "/sandbox/v1/users", json={"email": f"payer-{uuid.uuid4().hex[:6]}@sandbox.test"}
        ).json(),
        lambda u: u["email"],
    )
    admin.post(
        "/sandbox/v1/balances/credit",
        json={"userId": payer["userId"], "asset": "USDT", "amount": "100"},
    ).raise_for_status()
    order = demo.step(
        "create order v2: 25 USDT",
        lambda: pay.create_order(
            env={"terminalType": "WEB"},
            merchant_trade_no=f"demo{uuid.uuid4().hex[:12]}",
            order_amount=Decimal(25),
            currency="USDT",
            goods={
                "goodsType": "02",
                "goodsCategory": "6000",
                "referenceGoodsId": "sku-1",
                "goodsName": "Game credit",
            },
            return_url=f"{receiver.server.url}/return",
        ),
        lambda o: o.checkout_url,
    )
    with httpx.Client(timeout=30) as browser:
        demo.step(
            "open the hosted checkout",
            lambda: browser.get(order.checkout_url).raise_for_status(),
            lambda _r: "amount, countdown, QR code",
        )
        demo.step(
            "sign in as the payer",
            lambda: browser.post(f"{order.checkout_url}/signin", data={"login": payer["email"]}),
            lambda r: f"HTTP {r.status_code}",
        )
        paid = demo.step(
            "pay",
            lambda: browser.post(f"{order.checkout_url}/pay"),
            lambda r: f"back to {r.headers.get('location')}",
        )
    if paid.headers.get("location") != f"{receiver.server.url}/return":
        raise RuntimeError("the checkout did not return to returnUrl")
    prepay = str(order.prepay_id)
    demo.step("order/query", lambda: pay.query_order(prepay), lambda o: str(o.status))
    demo.step(
        "webhook PAY_SUCCESS received and verified",
        lambda: receiver.wait("PAY", "PAY_SUCCESS", prepay),
        lambda e: e.biz_status,
    )
    demo.step(
        "refund 10 USDT",
        lambda: pay.refund(f"rf1{prepay}", prepay, Decimal(10)),
        lambda r: f"refunded {r.refunded_amount} of {r.order_amount}",
    )
    demo.step(
        "webhook PAY_REFUND received",
        lambda: receiver.wait("PAY_REFUND", "REFUND_SUCCESS", prepay),
        lambda e: e.biz_status,
    )
    demo.step(
        "refund the other 15 USDT",
        lambda: pay.refund(f"rf2{prepay}", prepay, Decimal(15)),
        lambda r: f"remaining attempts {r.remaining_attempts}",
    )
    demo.step(
        "order is FULL_REFUNDED",
        lambda: wait_until(lambda: (o := pay.query_order(prepay)).status == "FULL_REFUNDED" and o),
        lambda o: str(o.status),
    )
    admin.post(
        "/sandbox/v1/balances/credit",
        json={"userId": shop["merchantId"], "asset": "USDT", "amount": "20", "wallet": "FUNDING"},
    ).raise_for_status()
    friend = admin.post("/sandbox/v1/users", json={}).json()
    request_id = f"po{uuid.uuid4().hex[:12]}"
    demo.step(
        "batch payout: 5 USDT by email, 7 USDT by Pay ID",
        lambda: pay.payout(
            request_id,
            "demo payout",
            "USDT",
            Decimal(12),
            2,
            [
                {
                    "merchantSendId": "p1",
                    "receiveType": "EMAIL",
                    "receiver": payer["email"],
                    "transferAmount": Decimal(5),
                },
                {
                    "merchantSendId": "p2",
                    "receiveType": "PAY_ID",
                    "receiver": friend["payId"],
                    "transferAmount": Decimal(7),
                },
            ],
        ),
        lambda r: str(r.status),
    )
    demo.step(
        "payout settles",
        lambda: wait_until(
            lambda: (b := pay.query_payout(request_id)).batch_status == "SUCCESS" and b
        ),
        lambda b: f"{b.batch_status}, paid {b.total_paid_amount}",
    )
    demo.step(
        "webhook PAYOUT received",
        lambda: receiver.wait("PAYOUT", "SUCCESS"),
        lambda e: e.biz_status,
    )
    balances = admin.get("/sandbox/v1/balances", params={"userId": payer["userId"]}).json()[
        "balances"
    ]
    table = Table(title="Pay: the payer's wallets")
    for column in ("wallet", "asset", "amount"):
        table.add_column(column, justify="right" if column == "amount" else "left")
    for row in balances:
        table.add_row(row["wallet"], row["asset"], row["amount"])
    demo.console.print(table)
