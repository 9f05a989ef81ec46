"""The delivery worker is woken by the commit that enqueued work, not by its next poll.

Every server here polls once a minute only (`worker_poll_ms`), so a webhook that arrives
soon after the call that caused it was sent because the worker was woken: in the API
process (SQLite and PostgreSQL), and on PostgreSQL in a `binance-sandbox worker` process of
its own, through LISTEN/NOTIFY. A Prime buy takes two steps of the worker, the second
enqueued by the first (Check Transaction, then the fill's webhook).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from binance_sandbox.client import ConnectPrimeClient, PayClient, PayWebhookVerifier
from binance_sandbox.merchant.app import create_merchant_app
from binance_sandbox.merchant.settings import MerchantSettings
from sandbox_harness import PG_URL, Sandbox, ServerThread, create_database, pay_order

# Far longer than any wait below: what arrives, arrives because the worker was woken.
POLL_MS = 60_000
PROMPTLY_S = 20.0
KIT_TOKEN = "wakeup-kit-token"


class PayHooks:
    """A Pay merchant's webhook endpoint: verifies each webhook, keeps (prepayId, status)."""

    def __init__(self) -> None:
        self.received: set[tuple[str, str]] = set()
        self.lock = threading.Lock()
        self.verifier: PayWebhookVerifier | None = None

        async def receive(request: Request) -> JSONResponse:
            assert self.verifier is not None
            event = self.verifier.verify(await request.body(), dict(request.headers))
            with self.lock:
                self.received.add((str(event.biz_id_str), str(event.biz_status)))
            return JSONResponse({"returnCode": "SUCCESS", "returnMessage": None})

        self.server = ServerThread(
            Starlette(routes=[Route("/hook", receive, methods=["POST"])])
        ).start()

    def has(self, prepay_id: str, status: str) -> bool:
        with self.lock:
            return (prepay_id, status) in self.received


@pytest.fixture
def pay_hooks() -> Iterator[PayHooks]:
    hooks = PayHooks()
    yield hooks
    hooks.server.stop()


def pay_order_paid(box: Sandbox, hooks: PayHooks, label: str) -> str:
    """A merchant sending its webhooks to `hooks`, an order of it paid; the prepayId."""
    made = box.admin.post(
        "/sandbox/v1/merchants", json={"name": label, "webhookUrl": f"{hooks.server.url}/hook"}
    )
    assert made.status_code == 201, made.text
    merchant = made.json()
    payer = box.create_user()
    box.credit(payer, "USDT", "100")
    with PayClient(box.url, merchant["apiKey"], merchant["apiSecret"]) as pay:
        hooks.verifier = PayWebhookVerifier(public_key=pay.certificates()[0].cert_public)
        order = pay_order(pay, amount="12.5")
    paid = box.admin.post(
        f"/sandbox/v1/pay/orders/{order.prepay_id}/pay", json={"payerUserId": payer}
    )
    assert paid.status_code == 200, paid.text
    return str(order.prepay_id)


class Kit:
    """The merchant kit as the partner's backend: Check Transaction and the webhook receiver."""

    def __init__(self, box: Sandbox, tmp: Path) -> None:
        self.partner = box.create_partner()
        url, self.drop = create_database(tmp, "kit")
        settings = MerchantSettings(
            database_url=url,
            api_token=KIT_TOKEN,
            webhook_public_key=self.partner.webhook_public_key,
            client_id=self.partner.client_id,
            id_seed=5,
        )
        self.server = ServerThread(create_merchant_app(settings)).start()
        box.update_partner(
            self.partner.client_id,
            webhookUrl=f"{self.server.url}/webhooks/binance-connect",
            merchantApiBaseUrl=self.server.url,
            merchantApiToken=KIT_TOKEN,
        )
        self.box = box
        self.user = box.create_user(self.partner)
        self.http = httpx.Client(base_url=self.server.url, timeout=30)
        credited = self.http.post(
            f"/merchant/v1/users/{self.user}/fiat/credit",
            json={"currency": "EUR", "amount": "1000"},
        )
        assert credited.status_code == 200, credited.text

    def buy(self) -> str:
        """A Connect Prime buy executed, its fiat moved to Binance first; the orderId."""
        p = self.partner
        with ConnectPrimeClient(self.box.url, p.client_id, p.access_token, p.private_key) as c:
            quote = c.quote(
                self.user,
                fiat_currency="EUR",
                crypto_currency="BTC",
                direction="BUY",
                amount=Decimal(100),
                amount_type=1,
            )
            client_order_id = f"wake-{uuid.uuid4().hex[:12]}"
            moved = self.http.post(
                "/merchant/v1/fiat-transfers",
                json={
                    "clientOrderId": client_order_id,
                    "userId": self.user,
                    "fiatCurrency": "EUR",
                    "amount": "100",
                },
            )
            assert moved.status_code == 200, moved.text
            return str(c.execute_quote(quote.quote_id, client_order_id).order_id)

    def filled_webhook(self, order_id: str) -> bool:
        events = self.http.get("/merchant/v1/webhooks", params={"orderId": order_id}).json()
        return any(event["status"] == "FILLED" for event in events["data"])

    def close(self) -> None:
        self.http.close()
        self.server.stop()
        self.drop()


@pytest.fixture
def kit_for(tmp_path: Path) -> Iterator[Any]:
    kits: list[Kit] = []

    def make(box: Sandbox) -> Kit:
        kits.append(Kit(box, tmp_path))
        return kits[-1]

    yield make
    for kit in kits:
        kit.close()


def test_a_pay_webhook_goes_out_when_the_payment_commits(
    make_sandbox: Any, pay_hooks: PayHooks
) -> None:
    box = make_sandbox("wake-pay", worker_poll_ms=POLL_MS)
    prepay_id = pay_order_paid(box, pay_hooks, "Wake-up shop")
    box.wait_for(
        lambda: pay_hooks.has(prepay_id, "PAY_SUCCESS"), timeout=PROMPTLY_S, what="PAY_SUCCESS"
    )


def test_a_prime_buy_is_checked_filled_and_its_webhook_sent_at_once(
    make_sandbox: Any, kit_for: Any
) -> None:
    box = make_sandbox("wake-prime", worker_poll_ms=POLL_MS)
    kit = kit_for(box)
    order_id = kit.buy()
    box.wait_for(lambda: kit.filled_webhook(order_id), timeout=PROMPTLY_S, what="FILLED webhook")
    assert box.order(order_id)["status"] == "FILLED"


@pytest.mark.skipif(not PG_URL, reason="processes wake each other through PostgreSQL")
@pytest.mark.parametrize("driver", ["asyncpg", "psycopg"])
def test_a_separate_worker_process_is_woken_through_postgresql(
    make_sandbox: Any, pay_hooks: PayHooks, kit_for: Any, driver: str
) -> None:
    box = make_sandbox(f"wake-{driver}", embedded_worker=False)
    # The worker's own driver listens, and sends the notifications of what it enqueues.
    database = box.database_url.replace("postgresql://", f"postgresql+{driver}://", 1)
    worker = subprocess.Popen(
        [sys.executable, "-m", "binance_sandbox", "worker", "--database", database],
        env={**os.environ, "BSX_WORKER_POLL_MS": str(POLL_MS)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        kit = kit_for(box)
        # The first buy may be found by the worker's first claim as it starts.
        first = kit.buy()
        box.wait_for(lambda: kit.filled_webhook(first), timeout=60, what="the worker started")
        # Now it waits for a minute unless woken.
        order_id = kit.buy()
        box.wait_for(
            lambda: kit.filled_webhook(order_id), timeout=PROMPTLY_S, what="FILLED webhook"
        )
        prepay_id = pay_order_paid(box, pay_hooks, "Wake-up shop")
        box.wait_for(
            lambda: pay_hooks.has(prepay_id, "PAY_SUCCESS"),
            timeout=PROMPTLY_S,
            what="PAY_SUCCESS",
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
