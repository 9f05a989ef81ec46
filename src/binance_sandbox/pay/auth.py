"""Binance Pay request authentication (NOTES.md "Request signing").

Checked in this order, the first failure answering: media type (400007), body size
(400104), API key format (400005), known key and caller IP (400004), merchant active
(400203), timestamp window (400003), nonce format (400001), HMAC-SHA512 signature over
`timestamp\\nnonce\\nbody\\n` on the raw body bytes (400002), and last the nonce's first use
within the window (400001, a replay). Nothing is parsed before all of them pass.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from sqlalchemy import select

from binance_sandbox.access import CachedDirectory, Network, ip_allowed, networks
from binance_sandbox.cache import NonceCache
from binance_sandbox.clock import Clock
from binance_sandbox.connect.auth import timestamp_fresh
from binance_sandbox.pay import errors
from binance_sandbox.pay.keys import signed_payload
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.models import Merchant

API_KEY = re.compile(r"^[A-Za-z0-9]{1,128}$")
NONCE = re.compile(r"^[A-Za-z0-9]{32}$")


@dataclass(frozen=True)
class MerchantAuth:
    id: int
    merchant_id: str
    name: str
    api_key: str
    api_secret: str
    webhook_url: str | None
    ip_whitelist: tuple[Network, ...]
    direct_debit_whitelisted: bool
    active: bool


class MerchantDirectory(CachedDirectory[MerchantAuth]):
    """Merchants by API key (see `CachedDirectory`)."""

    def __init__(self, db: Database, *, ttl_s: float = 2.0) -> None:
        async def load(api_key: str) -> MerchantAuth | None:
            async with db.read() as session:
                row = (
                    await session.execute(select(Merchant).where(Merchant.api_key == api_key))
                ).scalar_one_or_none()
            if row is None:
                return None
            return MerchantAuth(
                id=row.id,
                merchant_id=row.merchant_id,
                name=row.name,
                api_key=row.api_key,
                api_secret=row.api_secret,
                webhook_url=row.webhook_url,
                ip_whitelist=networks(row.ip_whitelist),
                direct_debit_whitelisted=row.direct_debit_whitelisted,
                active=row.active,
            )

        super().__init__(load, ttl_s=ttl_s)


def pay_signature(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha512).hexdigest().upper()


@dataclass
class PayAuthFailure:
    error: errors.PayError
    caller: str | None
    explanation: str | None = None


async def authenticate(
    directory: MerchantDirectory,
    nonces: NonceCache,
    clock: Clock,
    *,
    headers: dict[str, str],
    body: bytes,
    client_ip: str | None,
    recv_window_ms: int,
    max_body_bytes: int,
) -> MerchantAuth | PayAuthFailure:
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        return PayAuthFailure(
            errors.MediaTypeNotSupported("Content-Type must be application/json."), None
        )
    if len(body) > max_body_bytes:
        return PayAuthFailure(
            errors.InvalidRequestTooLarge(f"Request body is larger than {max_body_bytes} bytes."),
            None,
        )
    api_key = headers.get("binancepay-certificate-sn", "")
    if not API_KEY.match(api_key):
        return PayAuthFailure(
            errors.BadApiKeyFmt("BinancePay-Certificate-SN is missing or not letters and digits."),
            None,
        )
    merchant = await directory.get(api_key)
    if merchant is None:
        return PayAuthFailure(
            errors.InvalidApiKeyOrIp("API identity key not found or invalid."), None
        )
    caller = merchant.merchant_id
    if not ip_allowed(merchant.ip_whitelist, client_ip):
        return PayAuthFailure(
            errors.InvalidApiKeyOrIp(f"IP {client_ip} is not allowed for this API key."), caller
        )
    if not merchant.active:
        return PayAuthFailure(
            errors.InvalidAccountStatus(
                "Not support for this account, please check account status."
            ),
            caller,
        )
    timestamp = headers.get("binancepay-timestamp", "")
    if not timestamp_fresh(timestamp, clock, recv_window_ms):
        return PayAuthFailure(
            errors.InvalidTimestamp("Timestamp for this request is outside of the recvWindow."),
            caller,
            f"BinancePay-Timestamp {timestamp!r} vs sandbox clock {clock.now_ms()} "
            f"(allowed difference {recv_window_ms} ms)",
        )
    nonce = headers.get("binancepay-nonce", "")
    if not NONCE.match(nonce):
        return PayAuthFailure(
            errors.InvalidRequest("BinancePay-Nonce must be 32 letters or digits."), caller
        )
    signature = headers.get("binancepay-signature", "").strip().upper()
    # An empty body may be signed as "" or as "{}" (NOTES.md).
    bodies = [body] if body else [b"", b"{}"]
    expected = [
        pay_signature(merchant.api_secret, signed_payload(timestamp, nonce, b)) for b in bodies
    ]
    if not signature or not any(hmac.compare_digest(signature, e) for e in expected):
        return PayAuthFailure(
            errors.InvalidSignature("Incorrect signature result."),
            caller,
            explain_signature(timestamp, nonce, body, signature, expected[0]),
        )
    if not await nonces.first_use(f"pay:{merchant.merchant_id}:{nonce}", 2 * recv_window_ms):
        return PayAuthFailure(
            errors.InvalidRequest("BinancePay-Nonce was already used: the request is a replay."),
            caller,
        )
    return merchant


def explain_signature(timestamp: str, nonce: str, body: bytes, received: str, expected: str) -> str:
    preview = signed_payload(timestamp, nonce, body).decode("utf-8", "replace")
    if len(preview) > 600:
        preview = preview[:600] + "…"
    return "\n".join(
        [
            "algorithm: HMAC-SHA512 with the API secret, hex, upper case",
            "signed string = BinancePay-Timestamp + \\n + BinancePay-Nonce + \\n + raw body + \\n",
            f"body: {len(body)} bytes, sha256 {hashlib.sha256(body).hexdigest()}",
            f"expected signed string: {preview!r}",
            f"signature received: {received[:40] or '(none)'}…",
            f"signature expected: {expected[:16]}… (first 16 hex digits)",
        ]
    )
