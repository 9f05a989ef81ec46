"""The sandbox in the test's own process: the app on a free loopback port, its database a
temporary SQLite file, and the plugin's webhook receiver beside it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from binance_sandbox.app import create_app
from binance_sandbox.config import Settings
from binance_sandbox.serving import BackgroundServer
from binance_sandbox.testing.receiver import WebhookReceiver


class ControlApiError(Exception):
    """The control API refused a call the plugin made for the test: the request, the HTTP
    status and the answer, which says why (`{"error": {"code", "message"}}`)."""

    def __init__(self, request: httpx.Request, status_code: int, body: str) -> None:
        super().__init__(f"{request.method} {request.url.path} answered {status_code}: {body}")
        self.status_code = status_code
        self.body = body


class NotSettled(Exception):
    """A clock move or settle answered before everything due had run (a receiver that hangs,
    or work that takes longer than the sandbox waits); `pending` is what is still due."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.pending: list[dict[str, Any]] = list(answer.get("pending", []))
        super().__init__(f"not settled; still due: {self.pending}")


def control(response: httpx.Response, status_code: int = 200) -> dict[str, Any]:
    """The control API's answer, when it has the status expected."""
    if response.status_code != status_code:
        raise ControlApiError(response.request, response.status_code, response.text)
    return dict(response.json())


@dataclass(frozen=True)
class BinanceSandbox:
    """A running sandbox: every API family and the control API at `url`.

    `admin` is an `httpx.Client` on `url` that sends `Authorization: Bearer <admin_token>`,
    for the control API (`/sandbox/v1/…`, README "Control API"): act as the end user (pay a
    Pay order, authorize a deposit), inject faults, read deliveries.
    """

    url: str
    admin_token: str
    admin: httpx.Client = field(repr=False)
    database_url: str
    settings: Settings = field(repr=False)
    receiver: WebhookReceiver = field(repr=False)

    def settle(self) -> int:
        """Wait until nothing is due now on any clock (what the last calls made due has run:
        the webhook after a payment, the first check after an execute); the number of events
        that ran meanwhile. `NotSettled` if the sandbox stopped waiting first."""
        answer = control(self.admin.post("/sandbox/v1/settle", json={}))
        if not answer["settled"]:
            raise NotSettled(answer)
        return int(answer["ran"])


@contextmanager
def running_sandbox(directory: Path, **settings: Any) -> Iterator[BinanceSandbox]:
    """A sandbox with its database in `directory`, stopped when the block ends. `settings` are
    `binance_sandbox.config.Settings` fields (`quote_ttl_ms=…`, …) over the plugin's:
    a SQLite file, a random admin token, the seed 0, the embedded delivery worker."""
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{directory / 'sandbox.db'}",
        "admin_token": secrets.token_urlsafe(24),
        "seed": 0,
        "embedded_worker": True,
    }
    values.update(settings)
    config = Settings(**values)
    with ExitStack() as stack:
        receiver = WebhookReceiver().start()
        stack.callback(receiver.stop)
        server = BackgroundServer(create_app(config)).start()
        stack.callback(server.stop)
        admin = stack.enter_context(
            httpx.Client(
                base_url=server.url,
                headers={"Authorization": f"Bearer {config.admin_token}"},
                timeout=60,
            )
        )
        yield BinanceSandbox(
            url=server.url,
            admin_token=config.admin_token,
            admin=admin,
            database_url=config.database_url,
            settings=config,
            receiver=receiver,
        )
