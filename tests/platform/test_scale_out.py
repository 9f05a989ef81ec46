"""The production topology (README "Scaling out"): two `binance-sandbox serve --no-worker`
processes and one `binance-sandbox worker` on one PostgreSQL and one Redis.

Orders made through either process are one set (one order per clientOrderId, even when both
are asked at once); the separate worker delivers every webhook, signed; a Binance Pay nonce
used on one process is a replay on the other; the Wallet API's weight limit is one budget for
both; a fault rule made through one process acts on the other, and its uses are counted once.

Runs in the PostgreSQL pass of the suite (`BSX_TEST_DATABASE_URL` set).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO

import httpx
import psycopg
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from binance_sandbox.client import ConnectPrimeClient, ConnectWebhookVerifier
from binance_sandbox.client.errors import ConnectError, DuplicateOrderSubmission
from binance_sandbox.client.pay import RequestSigner
from binance_sandbox.serving import free_port
from binance_sandbox.signing import generate_private_key, public_key_to_der_b64
from sandbox_harness import ADMIN, PG_URL, START_MS, ServerThread, pg_admin_url

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="the scale-out topology runs on PostgreSQL (BSX_TEST_DATABASE_URL)"
)

IP_WEIGHT_PER_MINUTE = 12


@dataclass
class Topology:
    database_url: str
    api: list[str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[IO[bytes]] = field(default_factory=list)

    def start(self, command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
        out = log.open("wb")
        self.logs.append(out)
        process = subprocess.Popen(
            [sys.executable, "-m", "binance_sandbox", *command],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def admin(self, index: int) -> httpx.Client:
        return httpx.Client(
            base_url=self.api[index], headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30
        )


def _env(database_url: str, redis_db: int) -> dict[str, str]:
    return {
        **os.environ,
        "BSX_DATABASE_URL": database_url,
        "BSX_REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
        "BSX_ADMIN_TOKEN": ADMIN,
        "BSX_SEED": "11",
        "BSX_CLOCK_START_MS": str(START_MS),
        "BSX_WORKER_POLL_MS": "50",
        "BSX_FAULT_REFRESH_MS": "200",
        "BSX_WALLET_IP_WEIGHT_PER_MINUTE": str(IP_WEIGHT_PER_MINUTE),
    }


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{url} exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not become healthy: {log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    import redis

    db = f"bsx_scale_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    database_url = f"{pg_admin_url().rsplit('/', 1)[0]}/{db}"
    redis_db = 9
    redis.Redis.from_url(f"redis://127.0.0.1:6379/{redis_db}").flushdb()
    env = _env(database_url, redis_db)
    logs = tmp_path_factory.mktemp("scale")
    ports = [free_port(), free_port()]
    top = Topology(database_url, [f"http://127.0.0.1:{port}" for port in ports])
    try:
        # The first process creates the schema; the second starts on the migrated database.
        for index, port in enumerate(ports):
            log = logs / f"api{index}.log"
            process = top.start(["serve", "--no-worker", "--port", str(port)], env, log)
            _wait_healthy(top.api[index], process, log)
        top.start(["worker"], env, logs / "worker.log")
        yield top
    finally:
        for process in top.processes:
            process.terminate()
        for process in top.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for out in top.logs:
            out.close()
        with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


class Receiver:
    """The partner's webhook endpoint: verifies every signature, records every body."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, object]] = []
        self.lock = threading.Lock()
        self.verifier: ConnectWebhookVerifier | None = None

        async def receive(request: Request) -> JSONResponse:
            body = await request.body()
            assert self.verifier is not None
            self.verifier.verify(body, dict(request.headers))
            with self.lock:
                self.bodies.append(json.loads(body))
            return JSONResponse({"returnCode": "SUCCESS", "returnMessage": None})

        self.server = ServerThread(
            Starlette(routes=[Route("/hook", receive, methods=["POST"])])
        ).start()

    def statuses(self, order_id: str) -> list[object]:
        with self.lock:
            return [b["status"] for b in self.bodies if b["orderId"] == order_id]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.stop()


def wait_for(predicate: object, what: str, timeout: float = 30) -> object:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class Partner:
    client_id: str
    token: str
    key: object
    webhook_public_key: str


def create_partner(top: Topology, receiver: Receiver) -> Partner:
    key = generate_private_key(1024)
    with top.admin(0) as admin:
        r = admin.post(
            "/sandbox/v1/partners",
            json={
                "name": "Scale Bank",
                "rsaPublicKey": public_key_to_der_b64(key.public_key()),
                "webhookUrl": f"{receiver.server.url}/hook",
            },
        )
    assert r.status_code == 201, r.text
    data = r.json()
    return Partner(data["clientId"], data["signAccessToken"], key, data["webhookPublicKey"])


def create_user(top: Topology, partner: Partner) -> str:
    with top.admin(1) as admin:
        r = admin.post("/sandbox/v1/users", json={"partnerClientId": partner.client_id})
    assert r.status_code == 201, r.text
    return str(r.json()["userId"])


def test_orders_and_webhooks_across_two_api_processes(
    topology: Topology, receiver: Receiver
) -> None:
    partner = create_partner(topology, receiver)
    receiver.verifier = ConnectWebhookVerifier(
        partner.webhook_public_key, client_id=partner.client_id
    )
    clients = [
        ConnectPrimeClient(url, partner.client_id, partner.token, partner.key)  # type: ignore[arg-type]
        for url in topology.api
    ]
    user = create_user(topology, partner)
    try:
        orders = []
        for n in range(4):
            # Quote on one process, execute on the other, twice at once with one clientOrderId.
            quote = clients[n % 2].quote(
                user,
                fiat_currency="EUR",
                crypto_currency="BTC",
                direction="BUY",
                amount=Decimal("100"),
                amount_type=1,
            )
            ref = f"scale-{n}"

            def execute(i: int, quote_id: str = quote.quote_id, ref: str = ref) -> str:
                try:
                    return clients[i % 2].execute_quote(quote_id, ref).order_id
                except DuplicateOrderSubmission as exc:
                    assert isinstance(exc.data, dict)
                    return f"duplicate of {exc.data['orderId']}"

            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                results = list(pool.map(execute, range(4)))
            created = [r for r in results if not r.startswith("duplicate")]
            assert len(created) == 1, results
            assert set(results) == {created[0], f"duplicate of {created[0]}"}, results
            orders.append(created[0])
        for order_id in orders:
            wait_for(
                lambda order_id=order_id: receiver.statuses(order_id) == ["FILLED"],
                f"the FILLED webhook of {order_id}, delivered by the worker process",
            )
            for client in clients:
                assert client.transaction(order_id=order_id).status.value == "FILLED"
        with topology.admin(0) as admin:
            listed = admin.get(
                "/sandbox/v1/prime/orders", params={"partnerClientId": partner.client_id}
            ).json()
            assert sorted(o["orderId"] for o in listed) == sorted(orders)
            audit = admin.get("/sandbox/v1/ledger/audit").json()
            assert audit["ok"] is True, audit
    finally:
        for client in clients:
            client.close()


def test_a_pay_nonce_used_on_one_process_is_a_replay_on_the_other(topology: Topology) -> None:
    with topology.admin(0) as admin:
        r = admin.post("/sandbox/v1/merchants", json={"name": "Scale Shop"})
        assert r.status_code == 201, r.text
        merchant = r.json()
    body = json.dumps({"merchantTradeNo": "nonce-check"}).encode()
    nonce = uuid.uuid4().hex
    signer = RequestSigner(merchant["apiKey"], merchant["apiSecret"], nonce=lambda: nonce)
    with topology.admin(0) as admin:
        now = admin.get("/sandbox/v1/clock").json()["nowMs"]
    headers = signer.headers(body, now)
    path = "/binancepay/openapi/v2/order/query"
    first = httpx.post(topology.api[0] + path, content=body, headers=headers, timeout=30).json()
    assert first["code"] != "400001", first  # the nonce was taken (the order does not exist)
    again = httpx.post(topology.api[1] + path, content=body, headers=headers, timeout=30).json()
    assert again["status"] == "FAIL" and again["code"] == "400001", again
    assert "replay" in again["errorMessage"]


def test_the_wallet_weight_limit_is_one_budget_for_both_processes(topology: Topology) -> None:
    answers = []
    for n in range(IP_WEIGHT_PER_MINUTE + 6):
        r = httpx.get(f"{topology.api[n % 2]}/api/v3/ping", timeout=30)
        answers.append((r.status_code, r.headers.get("x-mbx-used-weight-1m")))
    # Weight 1 a call, per IP: both processes count into one Redis counter, so the budget is
    # spent after IP_WEIGHT_PER_MINUTE calls in all, not per process.
    statuses = [status for status, _used in answers]
    assert statuses[:IP_WEIGHT_PER_MINUTE] == [200] * IP_WEIGHT_PER_MINUTE, answers
    assert set(statuses[IP_WEIGHT_PER_MINUTE:]) <= {429, 418} and 429 in statuses, answers
    used = [int(u) for status, u in answers[:IP_WEIGHT_PER_MINUTE]]
    assert used == list(range(1, IP_WEIGHT_PER_MINUTE + 1)), answers


def test_a_fault_rule_made_on_one_process_acts_on_the_other_once(
    topology: Topology, receiver: Receiver
) -> None:
    partner = create_partner(topology, receiver)
    with topology.admin(0) as admin:
        r = admin.post(
            "/sandbox/v1/faults",
            json={
                "family": "connect",
                "scope": {"partnerClientId": partner.client_id},
                "endpoint": "/trading-pair",
                "action": {"type": "error", "code": "1230102"},
                "count": 1,
            },
        )
        assert r.status_code == 201, r.text
    user = create_user(topology, partner)
    client = ConnectPrimeClient(
        topology.api[1],
        partner.client_id,
        partner.token,
        partner.key,  # type: ignore[arg-type]
        max_retries=0,
    )
    codes: list[str] = []

    def pairs(c: ConnectPrimeClient) -> str:
        try:
            c.trading_pairs(user, "BUY", fiat_currency="EUR")
        except ConnectError as exc:
            return exc.code
        return "ok"

    def refused_once() -> bool:
        codes.append(pairs(client))
        return codes[-1] == "1230102"

    try:
        wait_for(refused_once, "the rule to reach the second process", timeout=10)
        # Used up: every later call, on either process, succeeds.
        for url in topology.api:
            other = ConnectPrimeClient(
                url,
                partner.client_id,
                partner.token,
                partner.key,  # type: ignore[arg-type]
                max_retries=0,
            )
            with other:
                assert pairs(other) == "ok"
    finally:
        client.close()
    assert codes.count("1230102") == 1 and set(codes) <= {"ok", "1230102"}
    with topology.admin(1) as admin:
        assert admin.get("/sandbox/v1/faults").json() == []
