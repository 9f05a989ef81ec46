"""The platform's per-partner key pair that signs webhooks and merchant callbacks
(guide §8: `X-BN-Connect-*` headers, SHA256withRSA over body + timestamp)."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from binance_sandbox.signing import load_private_key
from binance_sandbox.signing.connect import sign_connect
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.models import Partner


class PlatformKeys:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._keys: dict[str, rsa.RSAPrivateKey] = {}

    async def private_key(self, client_id: str) -> rsa.RSAPrivateKey:
        key = self._keys.get(client_id)
        if key is None:
            async with self._db.read() as session:
                pem = (
                    await session.execute(
                        select(Partner.webhook_private_key).where(Partner.client_id == client_id)
                    )
                ).scalar_one()
            key = self._keys[client_id] = load_private_key(pem)
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
