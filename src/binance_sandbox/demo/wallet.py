"""The Connect Deposit and Wallet API part of `binance-sandbox demo`: the partner asks for the
user's deposit addresses, the user authorizes in "the Binance App" page, a transfer arrives
on chain and shows in wapi depositHistory, and the user withdraws through wapi."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from binance_sandbox.chain.networks import network_for
from binance_sandbox.client import ConnectDepositClient, WalletClient
from binance_sandbox.client.wallet_models import WithdrawStatus
from binance_sandbox.demo.steps import Demo, wait_until


def run_wallet(
    demo: Demo,
    url: str,
    admin: httpx.Client,
    partner: dict[str, Any],
    key: rsa.RSAPrivateKey,
    user: str,
) -> None:
    demo.console.rule("Connect Deposit and the Wallet API")
    email = next(u["email"] for u in admin.get("/sandbox/v1/users").json() if u["userId"] == user)
    with ConnectDepositClient(url, partner["clientId"], partner["signAccessToken"], key) as deposit:
        demo.step(
            "crypto-network",
            deposit.crypto_networks,
            lambda coins: f"{sum(len(c.networks) for c in coins)} coin networks",
        )
        link = demo.step(
            "deposit/initiate: USDT on TRX",
            lambda: deposit.initiate_deposit(
                external_order_id="demo-deposit-1",
                user_id=user,
                crypto_currency="USDT",
                networks=["TRX"],
            ),
            lambda d: d.link,
        )
        with httpx.Client(timeout=30) as app:
            demo.step(
                "the user opens the link in the Binance App",
                lambda: app.get(link.link).raise_for_status(),
                lambda _r: "",
            )
            demo.step(
                "signs in",
                lambda: app.post(f"{link.link}/signin", data={"login": email}),
                lambda r: f"HTTP {r.status_code}",
            )
            demo.step(
                "authorizes",
                lambda: app.post(f"{link.link}/authorize"),
                lambda r: f"HTTP {r.status_code}",
            )
        session = demo.step(
            "deposit/authorization (polling)",
            lambda: deposit.wait_for_authorization("demo-deposit-1", timeout=30, interval=0.2),
            lambda a: f"{a.status}: {a.deposit_addresses[0].deposit_address}",
        )
    address = session.deposit_addresses[0].deposit_address
    sent = demo.step(
        "the partner sends 40 USDT on chain",
        lambda: admin.post(
            "/sandbox/v1/chain/transfers",
            json={"network": "TRX", "address": address, "asset": "USDT", "amount": "40"},
        ).json(),
        lambda t: t["txHash"][:20] + "…",
    )
    confirm_ms = network_for("USDT", "TRX").confirm_ms
    demo.step(
        f"the chain confirms ({confirm_ms // 1000} s of sandbox time)",
        lambda: admin.post("/sandbox/v1/clock/advance", json={"ms": confirm_ms}).raise_for_status(),
        lambda _r: "clock advanced",
    )
    api_key = admin.post("/sandbox/v1/api-keys", json={"userId": user}).json()
    with WalletClient(url, api_key["apiKey"], api_key["secretKey"]) as wallet:
        demo.step(
            "wapi depositHistory",
            lambda: wait_until(
                lambda: next(
                    (
                        d
                        for d in wallet.deposit_history(asset="USDT")
                        if d.status == 1 and d.tx_id == sent["txHash"]
                    ),
                    None,
                )
            ),
            lambda d: f"{d.amount} {d.asset} credited",
        )
        friend = admin.post("/sandbox/v1/users", json={}).json()["userId"]
        to = admin.get(
            f"/sandbox/v1/users/{friend}/deposit-address", params={"coin": "USDT", "network": "TRX"}
        ).json()
        demo.step(
            "wapi withdraw 25 USDT to another user (fee 1)",
            lambda: wallet.withdraw("USDT", to["address"], Decimal(25), network="TRX", name="demo"),
            lambda r: r.id,
        )

        # Email Sent → Awaiting Approval → Processing → Completed, each on the sandbox clock.
        def withdrawal_status() -> WithdrawStatus:
            return wallet.withdraw_history(asset="USDT")[0].status

        admin.post("/sandbox/v1/clock/advance", json={"ms": 5_000}).raise_for_status()
        wait_until(lambda: withdrawal_status() == WithdrawStatus.AWAITING_APPROVAL)
        admin.post("/sandbox/v1/clock/advance", json={"ms": 5_000}).raise_for_status()
        wait_until(lambda: withdrawal_status() == WithdrawStatus.PROCESSING)
        admin.post("/sandbox/v1/clock/advance", json={"ms": confirm_ms}).raise_for_status()
        demo.step(
            "wapi withdrawHistory",
            lambda: wait_until(
                lambda: (
                    (w := wallet.withdraw_history(asset="USDT")[0]).status
                    == WithdrawStatus.COMPLETED
                    and w
                )
            ),
            lambda w: f"COMPLETED, txId {str(w.tx_id)[:16]}…",
        )
        demo.step(
            "the other user receives it on chain",
            lambda: wait_until(
                lambda: next(
                    (
                        b
                        for b in admin.get(
                            "/sandbox/v1/balances", params={"userId": friend}
                        ).json()["balances"]
                        if b["asset"] == "USDT"
                    ),
                    None,
                )
            ),
            lambda b: f"{Decimal(b['amount']).normalize()} USDT",
        )
