"""The platform's Binance Pay webhook key: one RSA key pair per sandbox database, made on
first start. Webhooks are signed with it (NOTES.md "Webhooks"), and `certificates` hands out
its public half. `certSerial` is the upper-case hex MD5 of the PEM (NOTES.md assumption)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from binance_sandbox.signing import (
    generate_private_key,
    load_private_key,
    private_key_to_pem,
    public_key_to_pem,
)
from binance_sandbox.storage import meta
from binance_sandbox.storage.db import Database


def signed_payload(timestamp: str, nonce: str, body: str | bytes) -> bytes:
    """What Binance Pay signs, both ways: `timestamp\\nnonce\\nbody\\n` (NOTES.md)."""
    raw = body.encode() if isinstance(body, str) else body
    return timestamp.encode() + b"\n" + nonce.encode() + b"\n" + raw + b"\n"


@dataclass(frozen=True)
class PayWebhookKey:
    private_key: rsa.RSAPrivateKey
    public_pem: str

    @property
    def cert_serial(self) -> str:
        return hashlib.md5(self.public_pem.encode(), usedforsecurity=False).hexdigest().upper()

    def headers(self, body: str, now_ms: int) -> dict[str, str]:
        timestamp, nonce = str(now_ms), secrets.token_hex(16)
        signature = self.private_key.sign(
            signed_payload(timestamp, nonce, body), padding.PKCS1v15(), hashes.SHA256()
        )
        return {
            "BinancePay-Certificate-SN": self.cert_serial,
            "BinancePay-Nonce": nonce,
            "BinancePay-Timestamp": timestamp,
            "BinancePay-Signature": base64.b64encode(signature).decode(),
        }

    async def sign(self, _spec: dict[str, Any], body: str, now_ms: int) -> dict[str, str]:
        """The `pay` webhook signer."""
        return self.headers(body, now_ms)


async def load_pay_key(db: Database) -> PayWebhookKey:
    async with db.read() as session:
        pem = await meta.get(session, "pay_webhook_key")
    if pem is None:
        candidate = private_key_to_pem(await asyncio.to_thread(generate_private_key, 2048))
        async with db.write() as session:
            await meta.insert_once(session, "pay_webhook_key", candidate)
        async with db.read() as session:
            pem = await meta.get(session, "pay_webhook_key")
    assert pem is not None
    key = load_private_key(pem)
    return PayWebhookKey(key, public_key_to_pem(key.public_key()))
