"""Helpers for fault tests: adding rules, a webhook receiver, quotes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from binance_sandbox.client import ConnectPrimeClient
from sandbox_harness import Receiver as Receiver
from sandbox_harness import Sandbox


def add_fault(box: Sandbox, **rule: Any) -> dict[str, Any]:
    r = box.admin.post("/sandbox/v1/faults", json=rule)
    assert r.status_code == 201, r.text
    return dict(r.json())


def faults(box: Sandbox) -> list[dict[str, Any]]:
    r = box.admin.get("/sandbox/v1/faults")
    assert r.status_code == 200, r.text
    return list(r.json())


def buy_quote(prime: ConnectPrimeClient, user: str) -> Any:
    return prime.quote(
        user,
        fiat_currency="EUR",
        crypto_currency="BTC",
        direction="BUY",
        amount=Decimal("100"),
        amount_type=1,
    )
