"""The edge the SDK tests stand on.

The platform is replaced at the HTTP edge only (`httpx.MockTransport`): `FakePrime` checks
each request's signature the way docs/connect-prime.md says the server does, records it, and
answers from a script. Time is a `FakeClock` that only the fake sleep moves.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from binance_sandbox import wire
from binance_sandbox.signing.connect import verify_connect

BASE_URL = "https://connect.sandbox.test"
CLIENT_ID = "partner-client-1"
ACCESS_TOKEN = "sign-access-token-1"
PREFIX = "/papi/v1/ramp/connect/prime/"
START_MS = 1_756_179_000_000

ORDER = {
    "orderId": "lhJ0uBwFPcCkbxnypoqNzUvri1e8jatT",
    "clientOrderId": "myOrder001",
    "userId": "54321123456",
    "direction": "BUY",
    "fiatCurrency": "EUR",
    "cryptoCurrency": "BTC",
    "fiatAmount": "100.00",
    "cryptoAmount": "0.00102181",
    "price": "97849.27",
    "spreadAmount": "0.99",
    "status": "FILLED",
    "statusCode": 20,
    "createTime": 1756179222140,
    "settleTime": 1756179225140,
    "failReason": None,
}


def order(**changes: Any) -> dict[str, Any]:
    return {**ORDER, **changes}


class FakeClock:
    def __init__(self, now_ms: int = START_MS) -> None:
        self.now_ms = now_ms

    def __call__(self) -> int:
        return self.now_ms


@dataclass
class FakeSleep:
    """Records each sleep and moves the clock by it (unless `moves_clock` is off)."""

    clock: FakeClock
    moves_clock: bool = True
    slept: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)
        if self.moves_clock:
            self.clock.now_ms += round(seconds * 1000)

    async def asleep(self, seconds: float) -> None:
        self(seconds)


@dataclass(frozen=True)
class Received:
    path: str
    content: bytes
    headers: httpx.Headers
    signature_ok: bool

    @property
    def json(self) -> Any:
        return wire.loads(self.content)

    @property
    def timestamp(self) -> str:
        return self.headers["X-Tesla-Timestamp"]


Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def envelope(data: Any = None, *, code: str = "000000", message: str | None = None) -> bytes:
    return json.dumps(
        {"success": code == "000000", "code": code, "data": data, "message": message}
    ).encode()


def ok(data: Any) -> httpx.Response:
    return httpx.Response(200, content=envelope(data))


def fail(
    code: str, message: str = "failed", *, status: int = 200, data: Any = None
) -> httpx.Response:
    return httpx.Response(status, content=envelope(data, code=code, message=message))


class FakePrime:
    """The Connect Prime platform as seen from the wire."""

    def __init__(self, public_key: rsa.RSAPublicKey) -> None:
        self._public_key = public_key
        self._script: dict[str, list[Answer]] = {}
        self.received: list[Received] = []

    def script(self, path: str, *answers: Answer) -> None:
        """Answer the next requests to `path` with `answers` in turn; the last one repeats."""
        self._script[path] = list(answers)

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert request.url.path.startswith(PREFIX), request.url.path
        path = request.url.path.removeprefix(PREFIX)
        content = request.read()
        signature_ok = verify_connect(
            self._public_key,
            content,
            request.headers.get("X-Tesla-Timestamp", ""),
            request.headers.get("X-Tesla-Signature", ""),
        )
        self.received.append(Received(path, content, request.headers, signature_ok))
        answers = self._script.get(path)
        if not answers:
            return httpx.Response(404, text="no script for " + path)
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            # A fresh copy each time, so that a repeated answer can be read again.
            return httpx.Response(
                answer.status_code, content=answer.content, headers=answer.headers
            )
        return answer(request)
