"""Helpers for Connect Deposit tests: hand-signed requests, envelope checks, and a partner's
webhook endpoint that verifies the platform's Connect signature."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from binance_sandbox import wire
from binance_sandbox.client import (
    ConnectWebhookVerifier,
    DepositStatusEvent,
    WebhookVerificationError,
    verify_deposit_status_event,
    webhook_ack,
)
from binance_sandbox.signing.connect import sign_connect
from sandbox_harness import ServerThread

PREFIX = "/papi/v1/ramp/connect"


@dataclass
class Signed:
    """Hand-made Connect requests, for the cases the SDK would never send."""

    http: httpx.Client
    partner: Any

    def headers(self, body: bytes, **override: str) -> dict[str, str]:
        ts = override.pop("timestamp", str(int(time.time() * 1000)))
        headers = {
            "Content-Type": "application/json",
            "X-Tesla-ClientId": self.partner.client_id,
            "X-Tesla-SignAccessToken": self.partner.access_token,
            "X-Tesla-Timestamp": ts,
            "X-Tesla-Signature": sign_connect(self.partner.private_key, body, ts),
        }
        headers.update(override)
        return headers

    def post(
        self, path: str, payload: Any = None, *, raw: bytes | None = None, **override: str
    ) -> httpx.Response:
        body = (
            raw if raw is not None else wire.dumps(payload if payload is not None else {}).encode()
        )
        return self.http.post(PREFIX + path, content=body, headers=self.headers(body, **override))

    def ok(self, path: str, payload: Any = None, *, raw: bytes | None = None) -> Any:
        response = self.post(path, payload, raw=raw)
        body = envelope(response)
        assert response.status_code == 200, body
        assert (body["success"], body["code"], body["message"]) == (True, "000000", None), body
        return body["data"]

    def fail(self, path: str, payload: Any, code: str, *, http_status: int = 200) -> str:
        response = self.post(path, payload)
        body = envelope(response)
        assert response.status_code == http_status, body
        assert (body["success"], body["code"]) == (False, code), body
        return str(body["message"])


def envelope(response: httpx.Response) -> dict[str, Any]:
    body = wire.loads(response.content)
    assert set(body) == {"success", "code", "data", "message"}, body
    return dict(body)


@dataclass
class Received:
    event: DepositStatusEvent
    body: dict[str, Any]
    raw: bytes
    headers: dict[str, str]


@dataclass
class ConnectReceiver:
    """A partner's webhook endpoint: verifies each delivery with the partner's
    `webhookPublicKey` (`ConnectWebhookVerifier`), records it, answers SUCCESS."""

    public_key: str | None = None
    client_id: str | None = None
    events: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ServerThread | None = None

    def start(self) -> ConnectReceiver:
        async def receive(request: Request) -> JSONResponse:
            body = await request.body()
            assert self.public_key is not None
            verifier = ConnectWebhookVerifier(self.public_key, client_id=self.client_id)
            try:
                event = verify_deposit_status_event(verifier, body, dict(request.headers))
            except WebhookVerificationError as exc:
                with self.lock:
                    self.refused.append(str(exc))
                return JSONResponse({"returnCode": "FAIL", "returnMessage": str(exc)}, 401)
            with self.lock:
                self.events.append(Received(event, wire.loads(body), body, dict(request.headers)))
            return JSONResponse(webhook_ack())

        async def landing(request: Request) -> HTMLResponse:
            # Where the deposit page sends the user back (a session's redirectUrl).
            return HTMLResponse(f"<h1 id='landing'>partner page {request.url.path}</h1>")

        self.server = ServerThread(
            Starlette(
                routes=[
                    Route("/{path:path}", receive, methods=["POST"]),
                    Route("/{path:path}", landing, methods=["GET"]),
                ]
            )
        ).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def find(self, external_order_id: str, status: str | None = None) -> list[Received]:
        with self.lock:
            return [
                r
                for r in self.events
                if r.event.external_order_id == external_order_id
                and (status is None or r.event.status == status)
            ]

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def initiate(
    signed: Signed,
    order_id: str,
    user_id: str,
    coin: str = "USDT",
    networks: tuple[str, ...] = ("TRX", "BSC"),
    **extra: Any,
) -> dict[str, Any]:
    payload = {
        "externalOrderId": order_id,
        "userId": user_id,
        "cryptoCurrency": coin,
        "networks": list(networks),
        **extra,
    }
    return dict(signed.ok("/deposit/initiate", payload))


def authorization(signed: Signed, order_id: str) -> dict[str, Any]:
    return dict(signed.ok("/deposit/authorization", {"externalOrderId": order_id}))


def act(box: Any, partner: Any, order_id: str, action: str) -> httpx.Response:
    """The control API acting as the user: `authorize` or `reject`."""
    return box.admin.post(  # type: ignore[no-any-return]
        f"/sandbox/v1/deposits/{order_id}/{action}", json={"partnerClientId": partner.client_id}
    )


def session(box: Any, partner: Any, order_id: str) -> dict[str, Any]:
    r = box.admin.get(
        f"/sandbox/v1/deposits/{order_id}", params={"partnerClientId": partner.client_id}
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def control_error(response: httpx.Response) -> tuple[int, str, str]:
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]
