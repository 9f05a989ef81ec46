"""Helpers for fault tests: adding rules, a webhook receiver, quotes."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from binance_sandbox import wire
from binance_sandbox.client import ConnectPrimeClient
from sandbox_harness import Sandbox, ServerThread


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


@dataclass
class Receiver:
    """A partner's webhook endpoint: records every body, answers SUCCESS."""

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

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
