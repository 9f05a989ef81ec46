"""The outbox across processes: a separate `binance-sandbox worker` delivers what the API
process wrote, and work left by a killed worker is done by the next one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from binance_sandbox.client import ConnectPrimeClient, ConnectWebhookVerifier
from sandbox_harness import ServerThread


class Receiver:
    """A partner's webhook endpoint that verifies and records what it gets."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.lock = threading.Lock()
        self.verifier: ConnectWebhookVerifier | None = None

        async def receive(request: Request) -> JSONResponse:
            body = await request.body()
            assert self.verifier is not None
            self.verifier.verify(body, dict(request.headers))
            with self.lock:
                self.bodies.append(body)
            return JSONResponse({"returnCode": "SUCCESS", "returnMessage": "OK"})

        self.server = ServerThread(
            Starlette(routes=[Route("/hook", receive, methods=["POST"])])
        ).start()

    def orders(self) -> set[str]:
        with self.lock:
            return {json.loads(body)["orderId"] for body in self.bodies}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.stop()


def start_worker(database_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BSX_WORKER_POLL_MS": "50", "BSX_WORKER_LEASE_MS": "1000"}
    return subprocess.Popen(
        [sys.executable, "-m", "binance_sandbox", "worker", "--database", database_url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_separate_worker_process_delivers_and_survives_kill_9(
    make_sandbox: Any, receiver: Receiver
) -> None:
    box = make_sandbox("separate", embedded_worker=False)
    partner = box.create_partner(webhookUrl=f"{receiver.server.url}/hook")
    receiver.verifier = ConnectWebhookVerifier(
        partner.webhook_public_key, client_id=partner.client_id
    )
    user = box.create_user(partner)
    box.credit(user, "BTC", "1")
    with ConnectPrimeClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    ) as c:

        def sell(ref: str) -> str:
            q = c.quote(
                user,
                fiat_currency="USD",
                crypto_currency="BTC",
                direction="SELL",
                amount=Decimal("0.01"),
                amount_type=2,
            )
            return c.execute_quote(q.quote_id, ref).order_id

        first = sell("worker-1")
        # No worker anywhere yet: the order waits, written to the outbox.
        assert c.transaction(first).status == "PROCESSING"
        worker = start_worker(box.database_url)
        try:
            box.wait_for(
                lambda: c.transaction(first).status == "FILLED",
                what="fill by the worker process",
                timeout=45,
            )
            box.wait_for(
                lambda: receiver.orders() == {first},
                what="webhook from the worker process",
                timeout=45,
            )
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        second = sell("worker-2")
        assert c.transaction(second).status == "PROCESSING"
        worker = start_worker(box.database_url)
        try:
            box.wait_for(
                lambda: c.transaction(second).status == "FILLED",
                what="fill after restart",
                timeout=45,
            )
            box.wait_for(
                # At least once: the killed worker may not have recorded its delivery, so the
                # next one can send the first order's webhook again. Both must have arrived.
                lambda: receiver.orders() == {first, second},
                what="webhook after restart",
                timeout=45,
            )
        finally:
            worker.terminate()
            worker.wait()
    assert box.balance(user, "BTC") == Decimal("0.98")
    box.audit()


def test_work_leased_by_a_dead_worker_is_taken_over(make_sandbox: Any, receiver: Receiver) -> None:
    box = make_sandbox("lease", embedded_worker=False)
    partner = box.create_partner(webhookUrl=f"{receiver.server.url}/hook")
    receiver.verifier = ConnectWebhookVerifier(
        partner.webhook_public_key, client_id=partner.client_id
    )
    user = box.create_user(partner)
    with ConnectPrimeClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    ) as c:
        q = c.quote(
            user,
            fiat_currency="EUR",
            crypto_currency="ETH",
            direction="BUY",
            amount=100,
            amount_type=1,
        )
        order_id = c.execute_quote(q.quote_id, "lease-1").order_id
        # A worker claimed the job and died before finishing: its lease is in the table.
        _lease_everything(box.database_url)
        worker = start_worker(box.database_url)
        try:
            box.wait_for(
                lambda: c.transaction(order_id).status == "FILLED", timeout=20, what="takeover"
            )
            box.wait_for(
                lambda: receiver.orders() == {order_id}, what="webhook after takeover", timeout=45
            )
        finally:
            worker.terminate()
            worker.wait()
    box.audit()


def _lease_everything(database_url: str) -> None:
    import time

    lease = int(time.time() * 1000) + 1500
    sql = f"UPDATE outbox SET lease_until = {lease} WHERE status = 'pending'"
    if database_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(database_url.split("sqlite:///", 1)[1]) as conn:
            conn.execute(sql)
    else:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(sql)
