"""A clock advance settles: it answers once every event due up to the new time has run, in
due order, each scheduling what follows from its own due time (delivery/clocks.py). No test
here waits for the worker: what a clock move made due is done when the move answers."""

from __future__ import annotations

import asyncio
import itertools
import secrets
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from binance_sandbox.client import (
    ConnectDepositClient,
    ConnectPrimeClient,
    PayClient,
    WalletClient,
)
from sandbox_harness import Receiver, Sandbox, ServerThread, pay_order

TWO_HOURS = 7_200_000
EXTERNAL_ETH = "0x6915f16f8791d0a1cc2bf47c13a6b2a92000504b"


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    # A worker that would only look every minute: whatever happens here, the clock move did.
    return make_sandbox("settling", worker_poll_ms=60_000)


@pytest.fixture(scope="module")
def hooks() -> Iterator[Receiver]:
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


def advance(box: Sandbox, ms: int, **extra: Any) -> dict[str, Any]:
    r = box.admin.post("/sandbox/v1/clock/advance", json={"ms": ms, **extra})
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.fixture
def clients() -> Iterator[list[Any]]:
    """The SDK clients a test opens, closed after it."""
    opened: list[Any] = []
    yield opened
    for client in opened:
        client.close()


def wallet_client(box: Sandbox, user_id: str, clients: list[Any]) -> WalletClient:
    r = box.admin.post("/sandbox/v1/api-keys", json={"userId": user_id})
    assert r.status_code == 201, r.text
    key = r.json()
    client = WalletClient(box.url, key["apiKey"], key["secretKey"])
    clients.append(client)
    return client


def pay_client(box: Sandbox, webhook_url: str, clients: list[Any]) -> PayClient:
    r = box.admin.post("/sandbox/v1/merchants", json={"name": "Shop", "webhookUrl": webhook_url})
    assert r.status_code == 201, r.text
    merchant = r.json()
    client = PayClient(box.url, merchant["apiKey"], merchant["apiSecret"])
    clients.append(client)
    return client


def test_one_advance_of_two_hours_settles_every_family(
    box: Sandbox, hooks: Receiver, clients: list[Any]
) -> None:
    # Wallet API: a withdrawal (0 → 2 → 4 → 6) and a chain deposit (pending → credited).
    user = box.create_user()
    box.credit(user, "ETH", "2")
    wallet = wallet_client(box, user, clients)
    withdrawal = wallet.withdraw(asset="ETH", address=EXTERNAL_ETH, amount=Decimal("0.5"))
    to = wallet.deposit_address("ETH").address
    r = box.admin.post(
        "/sandbox/v1/chain/transfers",
        json={"network": "ETH", "address": to, "asset": "ETH", "amount": "1"},
    )
    assert r.status_code == 201, r.text
    assert [d.status for d in wallet.deposit_history(asset="ETH")] == [0]

    # Pay: an order that expires in a minute.
    pay = pay_client(box, hooks.url, clients)
    order = pay_order(pay, expire_ms=60_000)

    # Connect: a deposit link (expires in 15 minutes) and a Prime buy whose merchant check
    # answers PENDING twice before the fiat is taken as received.
    partner = box.create_partner(webhookUrl=hooks.url, customSpreadMax="0.02")
    prime_user = box.create_user(partner)
    r = box.admin.post(
        "/sandbox/v1/faults",
        json={
            "family": "merchant",
            "scope": {"partnerClientId": partner.client_id},
            "endpoint": "/check-transaction",
            "action": {"type": "status", "status": "PENDING"},
            "count": 2,
        },
    )
    assert r.status_code == 201, r.text
    keys = (box.url, partner.client_id, partner.access_token, partner.private_key)
    with ConnectDepositClient(*keys) as deposit, ConnectPrimeClient(*keys) as prime:
        deposit_order = "dep-" + secrets.token_hex(6)
        deposit.initiate_deposit(
            deposit_order, user_id=prime_user, crypto_currency="USDT", networks=["ETH"]
        )
        quote = prime.quote(
            prime_user,
            fiat_currency="EUR",
            crypto_currency="BTC",
            direction="BUY",
            amount=Decimal("100"),
            amount_type=1,
        )
        order_id = prime.execute_quote(quote.quote_id, "buy-" + secrets.token_hex(6)).order_id

        started = box.now()
        settled = advance(box, TWO_HOURS)
        assert settled["settled"] is True and settled["ran"] > 0, settled
        assert settled["nowMs"] == started + TWO_HOURS

        # Everything due in those two hours has happened when the call answers.
        assert prime.transaction(order_id).status.value == "FILLED"
        assert hooks.having(order_id, "FILLED")
        timeline = box.order(order_id)["timeline"]
        checks = [e for e in timeline if e["kind"] == "check_transaction"]
        assert [c["detail"]["status"] for c in checks] == ["PENDING", "PENDING", "COMPLETED"]
        # Each check followed the one before by the check interval of sandbox time.
        interval = box.settings.check_interval_ms
        assert [b["at"] - a["at"] for a, b in itertools.pairwise(checks)] == [
            interval,
            interval,
        ]

        assert deposit.authorization(deposit_order).status.value == "EXPIRED"
        assert hooks.having(deposit_order, "EXPIRED")

    assert pay.query_order(prepay_id=order.prepay_id).status.value == "EXPIRED"
    assert hooks.having("PAY_CLOSED", order.prepay_id)

    [done] = wallet.withdraw_history(asset="ETH")
    assert (done.id, done.status) == (withdrawal.id, 6)
    assert [d.status for d in wallet.deposit_history(asset="ETH")] == [1]
    assert box.balance(user, "ETH") == Decimal("2.4988")
    box.audit()


def test_moving_the_clock_to_a_time_settles_too(box: Sandbox, clients: list[Any]) -> None:
    user = box.create_user()
    box.credit(user, "ETH", "1")
    wallet = wallet_client(box, user, clients)
    wallet.withdraw(asset="ETH", address=EXTERNAL_ETH, amount=Decimal("0.1"))
    r = box.admin.post("/sandbox/v1/clock", json={"nowMs": box.now() + TWO_HOURS})
    assert r.status_code == 200, r.text
    assert r.json()["settled"] is True and r.json()["ran"] >= 3
    assert [w.status for w in wallet.withdraw_history(asset="ETH")] == [6]
    # Nothing is due now: settling has nothing to run and says so.
    r = box.admin.post("/sandbox/v1/settle", json={})
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in ("settled", "ran")} == {"settled": True, "ran": 0}
    assert set(r.json()) == {"nowMs", "frozen", "settled", "ran"}


def test_settling_answers_in_the_control_envelope_on_bad_input(box: Sandbox) -> None:
    for path, body in [
        ("/sandbox/v1/clock/advance", {"ms": -1}),
        ("/sandbox/v1/clock/advance", {"ms": 1, "timeoutMs": 10**9}),
        ("/sandbox/v1/settle", {"timeoutMs": "soon"}),
    ]:
        r = box.admin.post(path, json=body)
        assert r.status_code == 400, (path, r.text)


def test_a_receiver_that_hangs_gets_a_bounded_answer(box: Sandbox, clients: list[Any]) -> None:
    hung = threading.Event()
    release = threading.Event()

    async def hang(request: Request) -> JSONResponse:
        hung.set()
        await asyncio.to_thread(release.wait, 30)
        return JSONResponse({"returnCode": "SUCCESS"}, headers={"Connection": "close"})

    server = ServerThread(Starlette(routes=[Route("/{p:path}", hang, methods=["POST"])])).start()
    try:
        pay = pay_client(box, server.url, clients)
        order = pay_order(pay, expire_ms=60_000)
        answer = advance(box, 120_000, timeoutMs=300)
        assert answer["settled"] is False
        assert any(p["kind"] == "webhook" for p in answer["pending"]), answer
        assert pay.query_order(prepay_id=order.prepay_id).status.value == "EXPIRED"
        assert hung.is_set()
        # Once the receiver answers, settling finds nothing left to wait for.
        release.set()
        r = box.admin.post("/sandbox/v1/settle", json={})
        assert r.status_code == 200 and r.json()["settled"] is True, r.text
    finally:
        release.set()
        server.stop()
