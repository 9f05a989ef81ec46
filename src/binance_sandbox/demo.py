"""`binance-sandbox demo`: the sandbox and the merchant kit on SQLite, and a partner's whole
Connect Prime path (guide §5) driven through the SDK, step by step."""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
from rich.console import Console
from rich.table import Table

from binance_sandbox.app import create_app
from binance_sandbox.client import ConnectPrimeClient
from binance_sandbox.client.models import Order
from binance_sandbox.config import Settings
from binance_sandbox.merchant import MerchantSettings, create_merchant_app
from binance_sandbox.serving import BackgroundServer
from binance_sandbox.signing import generate_private_key, public_key_to_der_b64

T = TypeVar("T")
ADMIN = "demo-admin"
MERCHANT_TOKEN = "demo-merchant-token"  # noqa: S105 (a throwaway demo credential)


class Demo:
    def __init__(self, console: Console, workdir: Path) -> None:
        self.console = console
        self.workdir = workdir
        self.started = time.monotonic()
        self.step_no = 0

    def step(self, title: str, action: Callable[[], T], show: Callable[[T], str] = str) -> T:
        self.step_no += 1
        began = time.monotonic()
        with self.console.status(f"[{self.step_no:2}] {title}"):
            result = action()
        took = (time.monotonic() - began) * 1000
        self.console.print(
            f"[green]✓[/] [{self.step_no:2}] {title}  [dim]{took:.0f} ms[/]  {show(result)}"
        )
        return result


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("the demo waited too long")
        time.sleep(0.1)


def run_pay_demo(demo: Demo, url: str, admin: httpx.Client) -> None:
    from binance_sandbox.demo_pay import run_pay

    run_pay(demo, url, admin)


def run_wallet_demo(
    demo: Demo, url: str, admin: httpx.Client, partner: dict[str, Any], key: Any, user: str
) -> None:
    from binance_sandbox.demo_wallet import run_wallet

    run_wallet(demo, url, admin, partner, key, user)


def run_demo(console: Console | None = None, workdir: Path | None = None) -> None:
    console = console or Console()
    with tempfile.TemporaryDirectory(prefix="bsx-demo-") as tmp:
        _run(Demo(console, workdir or Path(tmp)))


def _run(demo: Demo) -> None:
    c = demo.console
    c.rule("[bold]binance-sandbox demo: Connect Prime, Binance Pay, Connect Deposit, Wallet API")
    settings = Settings(
        database_url=f"sqlite:///{demo.workdir / 'sandbox.db'}",
        admin_token=ADMIN,
        worker_poll_ms=50,
    )
    sandbox = demo.step(
        "start the sandbox (SQLite)",
        lambda: BackgroundServer(create_app(settings)).start(),
        lambda s: s.url,
    )
    admin = httpx.Client(
        base_url=sandbox.url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30
    )
    key = demo.step(
        "generate the partner's RSA key (1024 bits, guide §4)",
        lambda: generate_private_key(1024),
        lambda _k: "",
    )

    def onboard() -> dict[str, Any]:
        r = admin.post(
            "/sandbox/v1/partners",
            json={
                "name": "Demo Bank",
                "rsaPublicKey": public_key_to_der_b64(key.public_key()),
                "customSpreadMax": "0.02",
            },
        )
        r.raise_for_status()
        return dict(r.json())

    partner = demo.step(
        "onboard the partner (guide §2)", onboard, lambda p: f"clientId {p['clientId']}"
    )
    merchant_settings = MerchantSettings(
        database_url=f"sqlite:///{demo.workdir / 'merchant.db'}",
        api_token=MERCHANT_TOKEN,
        webhook_public_key=partner["webhookPublicKey"],
        client_id=partner["clientId"],
    )
    merchant = demo.step(
        "start the merchant kit (the partner's backend)",
        lambda: BackgroundServer(create_merchant_app(merchant_settings)).start(),
        lambda s: s.url,
    )
    demo.step(
        "register webhook URL and merchant APIs",
        lambda: admin.patch(
            f"/sandbox/v1/partners/{partner['clientId']}",
            json={
                "webhookUrl": f"{merchant.url}/webhooks/binance-connect",
                "merchantApiBaseUrl": merchant.url,
                "merchantApiToken": MERCHANT_TOKEN,
            },
        ).raise_for_status(),
        lambda _r: "",
    )
    shop = httpx.Client(base_url=merchant.url, timeout=30)
    user = demo.step(
        "create the user's sub-account (after Binance Link KYC)",
        lambda: admin.post(
            "/sandbox/v1/users", json={"partnerClientId": partner["clientId"]}
        ).json()["userId"],
        lambda u: f"userId {u}",
    )
    demo.step(
        "fund the user's EUR at the partner",
        lambda: shop.post(
            f"/merchant/v1/users/{user}/fiat/credit", json={"currency": "EUR", "amount": "1000"}
        ).raise_for_status(),
        lambda _r: "1000 EUR",
    )
    try:
        with ConnectPrimeClient(
            sandbox.url, partner["clientId"], partner["signAccessToken"], key
        ) as prime:
            _buy_and_sell(demo, prime, shop, admin, user)
        run_pay_demo(demo, sandbox.url, admin)
        run_wallet_demo(demo, sandbox.url, admin, partner, key, user)
        final_audit(demo, admin)
    finally:
        shop.close()
        admin.close()
        merchant.stop()
        sandbox.stop()
    c.rule(f"[bold green]done in {time.monotonic() - demo.started:.1f} s")


def _buy_and_sell(
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


def final_audit(demo: Demo, admin: httpx.Client) -> None:
    audit = admin.get("/sandbox/v1/ledger/audit").json()
    verdict = "[green]balanced, conserved, nothing negative[/]" if audit["ok"] else audit
    demo.console.print(f"ledger audit: {verdict}")
    if not audit["ok"]:
        raise RuntimeError("the ledger audit failed")


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
