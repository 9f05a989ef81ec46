"""Helpers for Connect Prime tests: hand-signed requests and envelope checks."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from binance_sandbox import wire
from binance_sandbox.signing.connect import sign_connect

PREFIX = "/papi/v1/ramp/connect/prime"


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


def envelope(response: httpx.Response) -> dict[str, Any]:
    body = wire.loads(response.content)
    assert set(body) == {"success", "code", "data", "message"}, body
    return dict(body)
