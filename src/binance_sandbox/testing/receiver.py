"""The plugin's built-in webhook receiver: a small HTTP endpoint on a loopback port that records
every webhook the sandbox delivers to it, body and headers as they arrived, and answers as a
partner or merchant should (HTTP 200 `{"returnCode": "SUCCESS"}`), so a test reads what its
integration was told.

Each test has an inbox of its own, a path under the receiver's URL that the factories give the
tenants as their `webhookUrl`: tests that share one server never see each other's webhooks.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from binance_sandbox import wire
from binance_sandbox.serving import BackgroundServer

# Connect webhooks name their type, Pay's their `bizType`; what identifies the object and its
# status likewise differs by family (guide §8, connect-deposit-flow, Pay "Webhooks").
ID_FIELDS = ("orderId", "externalOrderId", "bizIdStr")


@dataclass(frozen=True)
class Webhook:
    """One webhook as received: `body` and `headers` (names lower-case) exactly as sent, for a
    verifier (`ConnectWebhookVerifier`, `PayWebhookVerifier`) to check; `json` is the body read
    with exact decimals (None if it was not JSON); `path` is where it was sent, below the
    inbox."""

    path: str
    headers: Mapping[str, str]
    body: bytes
    json: Any = field(repr=False)

    @property
    def event_type(self) -> str | None:
        """`webhookEventType` of a Connect webhook (`prime_order_event`,
        `deposit_status_event`), `bizType` of a Pay one (`PAY`, `PAY_REFUND`, `PAYOUT`)."""
        return self._text("webhookEventType") or self._text("bizType")

    @property
    def object_id(self) -> str | None:
        """What the event is about: a Prime `orderId`, a Deposit `externalOrderId`, a Pay
        `bizIdStr` (the order's `prepayId`, or the payout batch)."""
        for name in ID_FIELDS:
            found = self._text(name)
            if found is not None:
                return found
        return None

    @property
    def status(self) -> str | None:
        """`status` of a Connect webhook (`FILLED`, `EXPIRED`, …), `bizStatus` of a Pay one
        (`PAY_SUCCESS`, `PAY_CLOSED`, …)."""
        return self._text("status") or self._text("bizStatus")

    def _text(self, name: str) -> str | None:
        value = self.json.get(name) if isinstance(self.json, dict) else None
        return None if value is None else str(value)


class Webhooks:
    """One test's inbox: the webhooks delivered to `url` (and below it), oldest first.

    Delivery is at least once: a webhook may arrive twice (a fault rule can make it so), so
    look events up by what they are about rather than by position."""

    def __init__(self, url: str, received: list[Webhook], lock: threading.Lock) -> None:
        self.url = url
        self._received = received
        self._lock = lock

    def all(self) -> list[Webhook]:
        """Every webhook received so far."""
        with self._lock:
            return list(self._received)

    def find(
        self,
        event_type: str | None = None,
        object_id: str | None = None,
        status: str | None = None,
    ) -> list[Webhook]:
        """The webhooks received so far that match every criterion given."""
        return [
            hook
            for hook in self.all()
            if (event_type is None or hook.event_type == event_type)
            and (object_id is None or hook.object_id == object_id)
            and (status is None or hook.status == status)
        ]

    def one(
        self,
        event_type: str | None = None,
        object_id: str | None = None,
        status: str | None = None,
    ) -> Webhook:
        """The one webhook that matches; `AssertionError`, listing what did arrive, when none
        or several do."""
        found = self.find(event_type, object_id, status)
        if len(found) != 1:
            seen = [(h.event_type, h.object_id, h.status) for h in self.all()]
            wanted = {"event_type": event_type, "object_id": object_id, "status": status}
            raise AssertionError(
                f"{len(found)} webhooks match {wanted}; received (type, id, status): {seen}"
            )
        return found[0]

    def __iter__(self) -> Iterator[Webhook]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self.all())


class WebhookReceiver:
    """The endpoint on its own thread; `inbox()` opens a new inbox on it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inboxes: dict[str, list[Webhook]] = {}
        app = Starlette(
            routes=[
                Route("/{inbox}", self._receive, methods=["POST"]),
                Route("/{inbox}/{path:path}", self._receive, methods=["POST"]),
            ]
        )
        self._server = BackgroundServer(app)

    @property
    def url(self) -> str:
        return self._server.url

    def start(self) -> WebhookReceiver:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def inbox(self) -> Webhooks:
        token = secrets.token_hex(8)
        with self._lock:
            received = self._inboxes.setdefault(token, [])
        return Webhooks(f"{self.url}/{token}", received, self._lock)

    async def _receive(self, request: Request) -> JSONResponse:
        body = await request.body()
        try:
            parsed = wire.loads(body)
        except ValueError:
            parsed = None
        hook = Webhook(
            path="/" + request.path_params.get("path", ""),
            headers=dict(request.headers),
            body=body,
            json=parsed,
        )
        with self._lock:
            # A webhook for an inbox no test opened is kept too, where no test reads it.
            self._inboxes.setdefault(request.path_params["inbox"], []).append(hook)
        return JSONResponse({"returnCode": "SUCCESS", "returnMessage": None})
