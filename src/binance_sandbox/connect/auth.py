"""Connect request authentication (guide §3, §4).

Checked in this order, the first failure answering: client id, access token, partner
active, timestamp window (sandbox clock), IP whitelist, then SHA256withRSA over the raw body
bytes followed by the timestamp's digits. Nothing is parsed before all of them pass.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from binance_sandbox.access import CachedDirectory, Network, ip_allowed, networks
from binance_sandbox.clock import Clock, wall_ms
from binance_sandbox.connect import errors
from binance_sandbox.signing import load_public_key
from binance_sandbox.signing.connect import connect_payload, verify_connect
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.models import Partner
from binance_sandbox.web import client_host, parse_model

if TYPE_CHECKING:
    from pydantic import BaseModel
    from starlette.requests import Request

    from binance_sandbox.platform import Platform
    from binance_sandbox.web.chain import Exchange

M = TypeVar("M", bound="BaseModel")


@dataclass(frozen=True)
class PartnerAuth:
    id: int
    client_id: str
    name: str
    sign_access_token: str
    public_key: rsa.RSAPublicKey
    public_key_fingerprint: str
    ip_whitelist: tuple[Network, ...]
    active: bool
    custom_spread_min: str
    custom_spread_max: str
    test_clock_id: str | None = None  # its requests run at that clock's time


class PartnerDirectory(CachedDirectory[PartnerAuth]):
    """Partners by client id (see `CachedDirectory`)."""

    def __init__(self, db: Database, *, ttl_s: float = 2.0) -> None:
        async def load(client_id: str) -> PartnerAuth | None:
            async with db.read() as session:
                row = (
                    await session.execute(select(Partner).where(Partner.client_id == client_id))
                ).scalar_one_or_none()
            if row is None:
                return None
            return PartnerAuth(
                id=row.id,
                client_id=row.client_id,
                name=row.name,
                sign_access_token=row.sign_access_token,
                public_key=load_public_key(row.rsa_public_key),
                public_key_fingerprint=hashlib.sha256(row.rsa_public_key.encode()).hexdigest()[:16],
                ip_whitelist=networks(row.ip_whitelist),
                active=row.active,
                custom_spread_min=row.custom_spread_min,
                custom_spread_max=row.custom_spread_max,
                test_clock_id=row.test_clock_id,
            )

        super().__init__(load, ttl_s=ttl_s)


@dataclass
class AuthFailure:
    error: errors.ConnectError
    caller: str | None
    explanation: str | None = None


async def authenticate(
    directory: PartnerDirectory,
    clock: Clock,
    *,
    headers: dict[str, str],
    body: bytes,
    client_ip: str | None,
    recv_window_ms: int,
    act_for: Callable[[str | None], Awaitable[None]],
) -> PartnerAuth | AuthFailure:
    client_id = headers.get("x-tesla-clientid", "")
    partner = await directory.get(client_id) if client_id else None
    if partner is None:
        return AuthFailure(errors.InvalidClientId("Invalid X-Tesla-ClientId."), client_id or None)
    token = headers.get("x-tesla-signaccesstoken", "")
    if not hmac.compare_digest(token.encode(), partner.sign_access_token.encode()):
        return AuthFailure(errors.InvalidAccessToken("Invalid X-Tesla-SignAccessToken."), client_id)
    if not partner.active:
        return AuthFailure(
            errors.MerchantNotExist("Merchant does not exist or is inactive."), client_id
        )
    # From here on the request runs at its partner's time (a test clock's, if it has one).
    await act_for(partner.test_clock_id)
    timestamp = headers.get("x-tesla-timestamp", "")
    if not timestamp_fresh(timestamp, clock, recv_window_ms):
        return AuthFailure(
            errors.InvalidTimestamp("X-Tesla-Timestamp is outside the allowed window."),
            client_id,
            f"X-Tesla-Timestamp {timestamp!r} vs sandbox clock {clock.now_ms()} and wall clock "
            f"{wall_ms()} (allowed difference {recv_window_ms} ms from either)",
        )
    if not ip_allowed(partner.ip_whitelist, client_ip):
        return AuthFailure(
            errors.IpNotWhitelisted(f"IP {client_ip} is not whitelisted for this client."),
            client_id,
        )
    signature = headers.get("x-tesla-signature", "")
    if not signature or not verify_connect(partner.public_key, body, timestamp, signature):
        payload = connect_payload(body, timestamp)
        return AuthFailure(
            errors.InvalidSignature("Invalid X-Tesla-Signature."),
            client_id,
            explain_signature(payload, body, timestamp, signature, partner),
        )
    return partner


def timestamp_fresh(timestamp: str, clock: Clock, window_ms: int) -> bool:
    """Within the window of the sandbox clock — or of the wall clock, so that a client that
    signs with real time keeps working after the sandbox clock was moved forward."""
    if not timestamp.isdigit() or len(timestamp) > 16:
        return False
    value = int(timestamp)
    return abs(value - clock.now_ms()) <= window_ms or abs(value - wall_ms()) <= window_ms


def explain_signature(
    payload: bytes, body: bytes, timestamp: str, signature: str, partner: PartnerAuth
) -> str:
    preview = payload.decode("utf-8", "replace")
    if len(preview) > 600:
        preview = preview[:600] + "…"
    return "\n".join(
        [
            "algorithm: SHA256withRSA (RSASSA-PKCS1-v1_5, SHA-256), Base64 signature",
            "signed string = raw request body bytes + X-Tesla-Timestamp",
            f"body: {len(body)} bytes, sha256 {hashlib.sha256(body).hexdigest()}",
            f"timestamp: {timestamp}",
            f"expected signed string: {preview}",
            f"signature received: {signature[:80] or '(none)'}",
            f"verified against the partner's public key {partner.public_key_fingerprint} "
            f"({partner.public_key.key_size} bits): no match. Sign exactly the bytes you send, "
            "then the same timestamp you put in the header, with the private key whose public "
            "half was registered.",
        ]
    )


@dataclass
class ConnectCall:
    """An authenticated Connect request: the partner, and the body it signed."""

    partner: PartnerAuth
    body: bytes
    request: Request

    def parse(self, model: type[M]) -> M:
        return parse_model(model, self.body)

    @property
    def services(self) -> Any:
        """The app's services (`app.state`)."""
        return self.request.app.state


async def authenticate_request(exchange: Exchange) -> ConnectCall:
    """Authenticate a Connect request before anything of its body is read."""
    request = exchange.request
    platform: Platform = request.app.state.platform
    await platform.refresh_clock_if_stale()
    result = await authenticate(
        request.app.state.partners,
        platform.clock,
        headers=exchange.headers(),
        body=exchange.body,
        client_ip=client_host(request),
        recv_window_ms=platform.settings.connect_recv_window_ms,
        act_for=platform.act_for,
    )
    if isinstance(result, AuthFailure):
        exchange.caller, exchange.explanation = result.caller, result.explanation
        raise result.error
    exchange.caller = result.client_id
    return ConnectCall(result, exchange.body, request)
