"""The test harness: the sandbox on a real loopback port, on SQLite or PostgreSQL.

`BSX_TEST_DATABASE_URL=postgresql://…/test` runs every server of the suite on its own fresh
PostgreSQL database (created and dropped here); without it, on SQLite files.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from binance_sandbox import wire
from binance_sandbox.app import create_app
from binance_sandbox.client import PayClient
from binance_sandbox.client.pay_models import CreateOrderResult
from binance_sandbox.config import Settings
from binance_sandbox.serving import BackgroundServer
from binance_sandbox.signing import generate_private_key, public_key_to_der_b64

PG_URL = os.environ.get("BSX_TEST_DATABASE_URL")
ADMIN = "test-admin-token"
# 2026-01-01T00:00:00Z: the sandbox clock of every test server starts frozen here.
START_MS = 1_767_225_600_000


ServerThread = BackgroundServer


def pg_admin_url() -> str:
    assert PG_URL
    return PG_URL.replace("postgresql+psycopg://", "postgresql://")


def create_database(tmp: Path, name: str) -> tuple[str, Callable[[], None]]:
    """A fresh, empty database for one server, and how to drop it."""
    if not PG_URL:
        path = tmp / f"{name}-{uuid.uuid4().hex[:8]}.db"
        return f"sqlite:///{path}", lambda: None
    db = f"bsx_{name}_{uuid.uuid4().hex[:10]}".lower()
    with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db}"')
    base = pg_admin_url().rsplit("/", 1)[0]

    def drop() -> None:
        with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')

    return f"{base}/{db}", drop


@dataclass
class PartnerCreds:
    client_id: str
    access_token: str
    private_key: rsa.RSAPrivateKey
    webhook_public_key: str
    raw: dict[str, Any]


@dataclass
class Sandbox:
    url: str
    admin: httpx.Client
    database_url: str
    settings: Settings
    users: dict[str, str] = field(default_factory=dict)

    def now(self) -> int:
        return int(self.admin.get("/sandbox/v1/clock").json()["nowMs"])

    def advance(self, ms: int, *, settle: bool = True) -> int:
        """Move the clock on; it answers once everything due on the way has run (unless
        `settle` is false: then only the clock moves, as if the worker were late)."""
        r = self.admin.post("/sandbox/v1/clock/advance", json={"ms": ms, "settle": settle})
        assert r.status_code == 200, r.text
        assert not settle or r.json()["settled"], r.text
        return int(r.json()["nowMs"])

    def settle(self) -> dict[str, Any]:
        """Wait until nothing is due now: what the last call made due has run."""
        r = self.admin.post("/sandbox/v1/settle", json={})
        assert r.status_code == 200 and r.json()["settled"], r.text
        return dict(r.json())

    def create_partner(self, key: rsa.RSAPrivateKey | None = None, **fields: Any) -> PartnerCreds:
        key = key or generate_private_key(1024)
        body = {
            "name": fields.pop("name", "Test Bank"),
            "rsaPublicKey": public_key_to_der_b64(key.public_key()),
        }
        body.update(fields)
        r = self.admin.post("/sandbox/v1/partners", json=body)
        assert r.status_code == 201, r.text
        data = r.json()
        return PartnerCreds(
            data["clientId"], data["signAccessToken"], key, data["webhookPublicKey"], data
        )

    def update_partner(self, client_id: str, **fields: Any) -> dict[str, Any]:
        r = self.admin.patch(f"/sandbox/v1/partners/{client_id}", json=fields)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def create_user(self, partner: PartnerCreds | None = None, **fields: Any) -> str:
        body = dict(fields)
        if partner is not None:
            body["partnerClientId"] = partner.client_id
        r = self.admin.post("/sandbox/v1/users", json=body)
        assert r.status_code == 201, r.text
        return str(r.json()["userId"])

    def credit(self, user_id: str, asset: str, amount: str) -> None:
        r = self.admin.post(
            "/sandbox/v1/balances/credit",
            json={"userId": user_id, "asset": asset, "amount": amount},
        )
        assert r.status_code == 200, r.text

    def balance(self, user_id: str, asset: str, wallet: str = "SPOT") -> Decimal:
        r = self.admin.get("/sandbox/v1/balances", params={"userId": user_id})
        assert r.status_code == 200, r.text
        for row in r.json()["balances"]:
            if row["asset"] == asset and row["wallet"] == wallet:
                return Decimal(row["amount"])
        return Decimal(0)

    def audit(self) -> dict[str, Any]:
        r = self.admin.get("/sandbox/v1/ledger/audit")
        assert r.status_code == 200, r.text
        report = dict(r.json())
        assert report["ok"], report
        return report

    def order(self, order_id: str) -> dict[str, Any]:
        r = self.admin.get(f"/sandbox/v1/prime/orders/{order_id}")
        assert r.status_code == 200, r.text
        return dict(r.json())

    def webhooks(self, **params: Any) -> list[dict[str, Any]]:
        r = self.admin.get("/sandbox/v1/webhooks", params=params)
        assert r.status_code == 200, r.text
        return list(r.json())

    def wait_for(
        self, predicate: Callable[[], Any], *, timeout: float = 15.0, what: str = "condition"
    ) -> Any:
        """Wait, in real time, for what happens outside this server's settling: a worker in
        another process, a cache another process holds. What a clock move or an API call made
        due is asserted directly after `advance` or `settle`, never waited for here."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                deliveries = [
                    {
                        k: d[k]
                        for k in ("id", "event", "status", "attempts", "nextAttemptAt", "lastError")
                    }
                    for d in self.webhooks(limit=5)
                ]
                raise AssertionError(
                    f"timed out waiting for {what}; clock {self.now()}; latest deliveries {deliveries}"
                )
            time.sleep(0.03)


def start_sandbox(tmp: Path, name: str, **overrides: Any) -> tuple[Sandbox, Callable[[], None]]:
    url, drop = create_database(tmp, name)
    values: dict[str, Any] = {
        "database_url": url,
        "admin_token": ADMIN,
        "seed": 7,
        "clock_start_ms": START_MS,
        "worker_poll_ms": 50,
        "log_requests": True,
    }
    values.update(overrides)
    settings = Settings(**values)
    server = ServerThread(create_app(settings)).start()
    admin = httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30
    )

    def stop() -> None:
        admin.close()
        server.stop()
        drop()

    return Sandbox(server.url, admin, url, settings), stop


@dataclass
class Receiver:
    """A webhook endpoint for any family: records every body, answers SUCCESS."""

    bodies: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ServerThread | None = None

    def start(self) -> Receiver:
        async def receive(request: Request) -> JSONResponse:
            body = wire.loads(await request.body())
            with self.lock:
                self.bodies.append(body)
            return JSONResponse({"returnCode": "SUCCESS", "returnMessage": None})

        self.server = ServerThread(
            Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])])
        ).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def for_order(self, order_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [b for b in self.bodies if order_id in wire.dumps(b)]

    def having(self, *parts: str) -> list[dict[str, Any]]:
        """The bodies whose JSON contains every one of `parts`."""
        with self.lock:
            return [b for b in self.bodies if all(p in wire.dumps(b) for p in parts)]

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def pay_order(
    pay: PayClient, *, expire_ms: int | None = None, amount: str = "10"
) -> CreateOrderResult:
    """A Pay order (`v2/order`) in USDT; it expires `expire_ms` after it is made (the default
    lifetime when not given)."""
    lifetime = {} if expire_ms is None else {"order_expire_time": expire_ms}
    return pay.create_order(
        env={"terminalType": "APP"},
        merchant_trade_no=secrets.token_hex(8),
        order_amount=Decimal(amount),
        currency="USDT",
        goods={
            "goodsType": "01",
            "goodsCategory": "D000",
            "referenceGoodsId": "g1",
            "goodsName": "Tea",
        },
        **lifetime,
    )
