"""The platform's per-partner key pair that signs webhooks and merchant callbacks
(guide §8: `X-BN-Connect-*` headers, SHA256withRSA over body + timestamp). Each partner's
private key is read once, by the `load_pem` its owner gives (the server reads it from its
database)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from binance_sandbox.signing.connect import sign_connect
from binance_sandbox.signing.rsa import load_private_key


class PlatformKeys:
    def __init__(self, load_pem: Callable[[str], Awaitable[str]]) -> None:
        self._load_pem = load_pem
        self._keys: dict[str, rsa.RSAPrivateKey] = {}

    async def private_key(self, client_id: str) -> rsa.RSAPrivateKey:
        key = self._keys.get(client_id)
        if key is None:
            key = self._keys[client_id] = load_private_key(await self._load_pem(client_id))
        return key

    def forget(self, client_id: str) -> None:
        self._keys.pop(client_id, None)

    async def headers(self, client_id: str, body: str, now_ms: int) -> dict[str, str]:
        timestamp = str(now_ms)
        key = await self.private_key(client_id)
        return {
            "X-BN-Connect-Timestamp": timestamp,
            "X-BN-Connect-Signature": sign_connect(key, body.encode(), timestamp),
            "X-BN-Connect-For": client_id,
        }

    async def sign(self, spec: dict[str, Any], body: str, now_ms: int) -> dict[str, str]:
        """The `connect` webhook signer."""
        return await self.headers(spec["clientId"], body, now_ms)
