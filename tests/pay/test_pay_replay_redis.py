"""Nonce replay protection shared through Redis: a request seen by one API process is refused
by another (docs/binance-pay.md, check 9)."""

from __future__ import annotations

import os
import socket
import uuid
from typing import Any

import httpx
import pytest
from pay_support import BASE, PaySigned, create_merchant, envelope

REDIS_URL = os.environ.get("BSX_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_up() -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.fixture(scope="module")
def two_processes(make_sandbox: Any) -> tuple[Any, Any]:
    if not redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is required in CI")
        pytest.skip("no Redis on 127.0.0.1:6379")
    return make_sandbox("redis-a", redis_url=REDIS_URL), make_sandbox(
        "redis-b", redis_url=REDIS_URL
    )


def test_a_replay_to_another_process_is_refused(two_processes: tuple[Any, Any]) -> None:
    first, second = two_processes
    # The same merchant in both (what two processes over one database would see).
    key, secret = uuid.uuid4().hex + uuid.uuid4().hex[:8], uuid.uuid4().hex * 2
    merchant_id = "7" + str(uuid.uuid4().int)[:10]
    merchants = [
        create_merchant(
            box,
            name="Shared",
            merchantId=merchant_id,
            apiKey=key,
            apiSecret=secret,
        )
        for box in (first, second)
    ]
    body = b'{"merchantTradeNo": "none"}'
    with httpx.Client(base_url=first.url) as a, httpx.Client(base_url=second.url) as b:
        headers = PaySigned(a, merchants[0]).headers(body)
        assert (
            envelope(a.post(BASE + "/v2/order/query", content=body, headers=headers))["code"]
            == "400202"
        )
        replay = envelope(b.post(BASE + "/v2/order/query", content=body, headers=headers))
        assert (replay["code"], replay["errorMessage"]) == (
            "400001",
            "Parameter format is wrong or parameter transferring doesn't follow the rules. "
            "BinancePay-Nonce was already used: the request is a replay.",
        )
