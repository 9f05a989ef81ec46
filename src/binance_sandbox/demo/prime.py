"""The Connect Prime part of `binance-sandbox demo`: a buy of 100 EUR of BTC (guide §6) and a
sell of half of it back (guide §7), each order's webhook received and verified by the
merchant kit."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
from rich.table import Table

from binance_sandbox.client import ConnectPrimeClient
from binance_sandbox.client.models import Order
from binance_sandbox.demo.steps import Demo, wait_until


def run_prime(
    demo: Demo, prime: ConnectPrimeClient, shop: httpx.Client, admin: httpx.Client, user: str
) -> None:
    c = demo.console
    c.rule("buy: 100 EUR of BTC (guide §6)")
    demo.step(
        "buy/fiat-list", lambda: prime.fiat_list(user), lambda fs: ", ".join(f.currency for f in fs)
    )
    demo.step(
        "trading-pair EUR/BUY",
        lambda: prime.trading_pairs(user, "BUY", fiat_currency="EUR"),
        lambda ps: ", ".join(p.crypto_currency for p in ps),
    )
    demo.step(
        "fiat-crypto-amount-limit",
        lambda: prime.amount_limits(
            user, fiat_currency="EUR", crypto_currency="BTC", direction="BUY"
        ),
        lambda lim: f"{lim.fiat_min_limit}–{lim.fiat_max_limit} EUR",
    )
    quote = demo.step(
        "quote 100 EUR at 1 % spread",
        lambda: prime.quote(
            user,
            fiat_currency="EUR",
            crypto_currency="BTC",
            direction="BUY",
            amount=100,
            amount_type=1,
            custom_spread=Decimal("0.01"),
        ),
        lambda q: f"{q.total_amount} BTC at {q.quote_price}, spread {q.spread_amount} EUR",
    )
    client_order_id = f"demo-buy-{uuid.uuid4().hex[:8]}"
    demo.step(
        "transfer the user's fiat to Binance's account (merchant-internal, step 5)",
        lambda: shop.post(
            "/merchant/v1/fiat-transfers",
            json={
                "clientOrderId": client_order_id,
                "userId": user,
                "fiatCurrency": "EUR",
                "amount": "100",
            },
        ).raise_for_status(),
        lambda _r: client_order_id,
    )
    executed = demo.step(
        "quote/execute",
        lambda: prime.execute_quote(quote.quote_id, client_order_id),
        lambda e: f"{e.order_id} {e.status}",
    )
    buy = demo.step(
        "platform checks the fiat (Check Transaction) and fills",
        lambda: prime.wait_for_order(executed.order_id, interval=0.2, timeout=30),
        _order_line,
    )
    demo.step(
        "webhook prime_order_event received and verified",
        lambda: _wait_webhook(shop, buy.order_id),
        lambda e: f"{e['status']}",
    )

    c.rule("sell: half of it back (guide §7)")
    demo.step(
        "sell/crypto-list",
        lambda: prime.crypto_list(user),
        lambda cs: ", ".join(x.crypto_currency for x in cs),
    )
    demo.step(
        "balance (wallet/asset/user-assets)",
        lambda: prime.user_assets(user),
        lambda a: ", ".join(f"{x.free} {x.asset}" for x in a),
    )
    half = (buy.crypto_amount / 2).quantize(Decimal("0.00000001"))
    sell_quote = demo.step(
        f"quote selling {half} BTC",
        lambda: prime.quote(
            user,
            fiat_currency="EUR",
            crypto_currency="BTC",
            direction="SELL",
            amount=half,
            amount_type=2,
            custom_spread=Decimal("0.01"),
        ),
        lambda q: f"{q.total_amount} EUR at {q.quote_price}",
    )
    sell_exec = demo.step(
        "quote/execute (crypto deducted at once)",
        lambda: prime.execute_quote(sell_quote.quote_id, f"demo-sell-{uuid.uuid4().hex[:8]}"),
        lambda e: f"{e.order_id} {e.status}",
    )
    sell = demo.step(
        "platform fills the sell",
        lambda: prime.wait_for_order(sell_exec.order_id, interval=0.2, timeout=30),
        _order_line,
    )
    demo.step(
        "platform calls the Transfer API; the user gets the EUR",
        lambda: wait_until(
            lambda: (
                (o := admin.get(f"/sandbox/v1/prime/orders/{sell.order_id}").json())[
                    "transferStatus"
                ]
                == "SUCCESS"
                and o
            )
        ),
        lambda o: f"transfer {o['transferReference']}",
    )
    demo.step(
        "webhook prime_order_event received and verified",
        lambda: _wait_webhook(shop, sell.order_id),
        lambda e: f"{e['status']}",
    )

    fiat = shop.get(f"/merchant/v1/users/{user}/fiat").json()["data"]["balances"]
    table = Table(title="final balances")
    table.add_column("where")
    table.add_column("asset")
    table.add_column("amount", justify="right")
    for asset in prime.user_assets(user):
        table.add_row("Binance sub-account", asset.asset, f"{asset.free}")
    for currency, amount in fiat.items():
        table.add_row("partner (merchant kit)", currency, amount)
    c.print(table)


def _order_line(order: Order) -> str:
    crypto = f"{order.crypto_amount} {order.crypto_currency}"
    return f"{order.status}: {crypto} for {order.fiat_amount} {order.fiat_currency}"


def _wait_webhook(shop: httpx.Client, order_id: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        for event in shop.get("/merchant/v1/webhooks").json()["data"]:
            if event["orderId"] == order_id:
                return dict(event)
        return None

    return dict(wait_until(found))
