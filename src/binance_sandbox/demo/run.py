"""`binance-sandbox demo`: the sandbox and the merchant kit on SQLite, a partner onboarded,
then its whole Connect Prime path (guide §5), Binance Pay, Connect Deposit and the Wallet API
driven through the SDK, step by step, and the ledger audited at the end."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from binance_sandbox.app import create_app
from binance_sandbox.client import ConnectPrimeClient
from binance_sandbox.config import Settings
from binance_sandbox.demo.pay import run_pay
from binance_sandbox.demo.prime import run_prime
from binance_sandbox.demo.steps import Demo
from binance_sandbox.demo.wallet import run_wallet
from binance_sandbox.merchant import MerchantSettings, create_merchant_app
from binance_sandbox.serving import BackgroundServer
from binance_sandbox.signing import generate_private_key, public_key_to_der_b64

ADMIN = "demo-admin"
MERCHANT_TOKEN = "demo-merchant-token"  # noqa: S105 (a throwaway demo credential)


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
            run_prime(demo, prime, shop, admin, user)
        run_pay(demo, sandbox.url, admin)
        run_wallet(demo, sandbox.url, admin, partner, key, user)
        final_audit(demo, admin)
    finally:
        shop.close()
        admin.close()
        merchant.stop()
        sandbox.stop()
    c.rule(f"[bold green]done in {time.monotonic() - demo.started:.1f} s")


def final_audit(demo: Demo, admin: httpx.Client) -> None:
    audit = admin.get("/sandbox/v1/ledger/audit").json()
    verdict = "[green]balanced, conserved, nothing negative[/]" if audit["ok"] else audit
    demo.console.print(f"ledger audit: {verdict}")
    if not audit["ok"]:
        raise RuntimeError("the ledger audit failed")
