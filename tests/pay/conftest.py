"""Fixtures for Binance Pay: a merchant with a webhook receiver, signed requests, payers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pay_support import PayMerchant, PayReceiver, PaySigned, create_merchant


@pytest.fixture(scope="module")
def receiver(sandbox: Any) -> Iterator[PayReceiver]:
    r = PayReceiver().start()
    yield r
    r.stop()


@pytest.fixture(scope="module")
def merchant(sandbox: Any, receiver: PayReceiver) -> PayMerchant:
    return create_merchant(sandbox, webhookUrl=f"{receiver.url}/webhook")


@pytest.fixture(scope="module")
def pay(sandbox: Any, merchant: PayMerchant, receiver: PayReceiver) -> Iterator[PaySigned]:
    with httpx.Client(base_url=sandbox.url, timeout=30) as http:
        signed = PaySigned(http, merchant)
        cert = signed.ok("/certificates")[0]
        receiver.cert_public, receiver.cert_serial = cert["certPublic"], cert["certSerial"]
        yield signed


@pytest.fixture
def payer(sandbox: Any) -> str:
    user = str(sandbox.create_user())
    sandbox.credit(user, "USDT", "1000")
    return user
