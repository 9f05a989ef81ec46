"""Wallet API request authentication (spec "ENDPOINT SECURITY TYPE", "SIGNED", "Timing
security"; NOTES.md "Wallet").

Checked in this order, the first failure answering, before any parameter is read:
`X-MBX-APIKEY` present and letters/digits (-2014); a known, active key whose IP whitelist
admits the caller and whose permissions include the endpoint's security type (-2015);
`signature` and `timestamp` sent (-1102) and well formed (-1100); `recvWindow` a number
(-1100) of at most 60000 (-1131); the timestamp rule (-1021); and last the HMAC-SHA256 of
`totalParams` — the query string followed by the body, exactly as received, with the
`signature` parameter taken out — under the key's secret (-1022, case-insensitive hex).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from binance_sandbox.access import CachedDirectory, Network, ip_allowed, networks
from binance_sandbox.clock import Clock, wall_ms
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.models import User, WalletApiKey
from binance_sandbox.wallet import errors
from binance_sandbox.wallet.params import Params, missing
from binance_sandbox.web import client_host

if TYPE_CHECKING:
    from starlette.requests import Request

    from binance_sandbox.platform import Platform
    from binance_sandbox.wallet.ratelimit import RateLimiter
    from binance_sandbox.wallet.status import StatusService
    from binance_sandbox.web.chain import Exchange

API_KEY = re.compile(r"^[A-Za-z0-9]{1,128}$")
SECURITY_TYPES = ("TRADE", "USER_DATA", "USER_STREAM", "MARKET_DATA")
DEFAULT_RECV_WINDOW_MS = 5_000
MAX_RECV_WINDOW_MS = 60_000
AHEAD_MS = 1_000


@dataclass(frozen=True)
class WalletKey:
    api_key: str
    secret_key: str
    user_id: str
    permissions: frozenset[str]
    ip_whitelist: tuple[Network, ...]
    active: bool
    test_clock_id: str | None = None  # its user's: the key's requests run at that clock's time


class KeyDirectory(CachedDirectory[WalletKey]):
    """Wallet API keys by key (see `CachedDirectory`)."""

    def __init__(self, db: Database, *, ttl_s: float = 2.0) -> None:
        async def load(api_key: str) -> WalletKey | None:
            async with db.read() as session:
                found = (
                    await session.execute(
                        select(WalletApiKey, User.test_clock_id)
                        .join(User, User.user_id == WalletApiKey.user_id)
                        .where(WalletApiKey.api_key == api_key)
                    )
                ).one_or_none()
            if found is None:
                return None
            row, test_clock_id = found
            return WalletKey(
                api_key=row.api_key,
                secret_key=row.secret_key,
                user_id=row.user_id,
                permissions=frozenset(json.loads(row.permissions)),
                ip_whitelist=networks(row.ip_whitelist),
                active=row.active,
                test_clock_id=test_clock_id,
            )

        super().__init__(load, ttl_s=ttl_s)


def hmac_sha256(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def split_signature(raw_query: bytes, raw_body: bytes) -> tuple[bytes, str]:
    """`totalParams` as signed (query string + body, the `signature` parameter taken out of
    whichever holds it), and the signature sent (the query string's when both have one)."""
    found: list[str] = []

    def strip(part: bytes) -> bytes:
        kept = []
        for segment in part.split(b"&"):
            if segment.startswith(b"signature="):
                found.append(segment[len(b"signature=") :].decode("utf-8", "replace"))
            else:
                kept.append(segment)
        return b"&".join(kept)

    total = strip(raw_query) + strip(raw_body)
    return total, (found[0].strip() if found else "")


@dataclass
class AuthFailure(Exception):
    error: errors.WalletError
    caller: str | None
    explanation: str | None = None


def timestamp_ok(timestamp: int, recv_window: int, server_time: int) -> str | None:
    """The spec's rule; None when the request may be processed, else why not."""
    if timestamp >= server_time + AHEAD_MS:
        return "Timestamp for this request was 1000ms ahead of the server's time."
    if server_time - timestamp > recv_window:
        return "Timestamp for this request is outside of the recvWindow."
    return None


async def authenticate(
    directory: KeyDirectory,
    clock: Clock,
    *,
    api_key: str,
    security: str,
    params: Params,
    raw_query: bytes,
    raw_body: bytes,
    client_ip: str | None,
    act_for: Callable[[str | None], Awaitable[None]],
) -> WalletKey:
    """The caller's key, or `AuthFailure` raised with the error to answer."""
    if not API_KEY.match(api_key):
        raise AuthFailure(errors.BadApiKeyFormat(), None)
    key = await directory.get(api_key)
    if key is None or not key.active:
        raise AuthFailure(errors.RejectedKey(), None, "unknown or deactivated API key")
    caller = key.user_id
    if not ip_allowed(key.ip_whitelist, client_ip):
        raise AuthFailure(
            errors.RejectedKey(), caller, f"IP {client_ip} is not in the key's whitelist"
        )
    if security not in key.permissions:
        raise AuthFailure(
            errors.RejectedKey(),
            caller,
            f"the key's permissions {sorted(key.permissions)} lack {security}",
        )
    # From here on the request runs at its user's time (a test clock's, if it has one).
    await act_for(key.test_clock_id)
    total, signature = split_signature(raw_query, raw_body)
    try:
        if not signature:
            raise missing("signature")
        timestamp = params.long("timestamp", required=True)
        recv_window = params.long("recvWindow")
    except errors.WalletError as exc:
        raise AuthFailure(exc, caller) from exc
    assert timestamp is not None
    window = DEFAULT_RECV_WINDOW_MS if recv_window is None else recv_window
    if window > MAX_RECV_WINDOW_MS:
        raise AuthFailure(errors.BadRecvWindow(), caller)
    # The sandbox clock is the server's time; a client that signs with real time is also
    # accepted, so that it keeps working after the sandbox clock was moved.
    why = timestamp_ok(timestamp, window, clock.now_ms())
    if why is not None and timestamp_ok(timestamp, window, wall_ms()) is not None:
        raise AuthFailure(
            errors.InvalidTimestamp(why),
            caller,
            f"timestamp {timestamp} vs sandbox clock {clock.now_ms()} (recvWindow {window} ms)",
        )
    expected = hmac_sha256(key.secret_key, total)
    if not hmac.compare_digest(signature.lower().encode(), expected.encode()):
        raise AuthFailure(
            errors.InvalidSignature(), caller, explain_signature(total, signature, expected)
        )
    return key


def explain_signature(total: bytes, received: str, expected: str) -> str:
    preview = total.decode("utf-8", "replace")
    if len(preview) > 600:
        preview = preview[:600] + "…"
    return "\n".join(
        [
            "algorithm: HMAC-SHA256 with the secret key, hex (case-insensitive)",
            "signed string (totalParams) = query string + request body, exactly as sent, "
            "without the signature parameter",
            f"expected signed string: {preview!r}",
            f"signature received: {received[:64] or '(none)'}",
            f"signature expected: {expected[:16]}… (first 16 hex digits)",
        ]
    )


@dataclass(frozen=True)
class Guard:
    """What an operation asks of a request before its handler runs: its security type (the
    spec's "ENDPOINT SECURITY TYPE": a SIGNED one is TRADE or USER_DATA) and its weight."""

    security: str
    weight: int = 1

    @property
    def signed(self) -> bool:
        return self.security in ("TRADE", "USER_DATA")


NONE, USER_DATA, TRADE = Guard("NONE"), Guard("USER_DATA"), Guard("TRADE")


@dataclass
class WalletCall:
    """An admitted (and, for a SIGNED endpoint, authenticated) Wallet API request."""

    params: Params
    key: WalletKey | None
    now_ms: int
    request: Request

    @property
    def user_id(self) -> str:
        assert self.key is not None
        return self.key.user_id

    @property
    def services(self) -> Any:
        """The app's services (`app.state`)."""
        return self.request.app.state


def api_key_of(exchange: Exchange) -> str:
    return exchange.headers().get("x-mbx-apikey", "").strip()


async def admit_request(exchange: Exchange, guard: Guard) -> None:
    """Count the request's weight against its IP and, for a SIGNED endpoint, its known key;
    note the IP's used weight for the answer's headers."""
    state = exchange.request.app.state
    platform: Platform = state.platform
    keys: KeyDirectory = state.wapi.keys
    limiter: RateLimiter = state.wapi.limiter
    await platform.refresh_clock_if_stale()
    api_key = api_key_of(exchange)
    lookup = guard.signed and API_KEY.match(api_key) is not None
    known = await keys.get(api_key) if lookup else None
    try:
        exchange.notes["used_weight"] = await limiter.admit(
            ip=client_host(exchange.request) or "unknown",
            api_key=known.api_key if known else None,
            weight=guard.weight,
            now_ms=platform.clock.now_ms(),
        )
    except errors.RateLimited as exc:
        exchange.notes["used_weight"] = exc.used_weight
        raise


async def authenticate_request(exchange: Exchange, guard: Guard) -> WalletCall:
    """Read the parameters; authenticate a SIGNED request, then refuse it while the system
    is under maintenance. The handler reads its parameters only after all pass."""
    request = exchange.request
    platform: Platform = request.app.state.platform
    keys: KeyDirectory = request.app.state.wapi.keys
    status_switch: StatusService = request.app.state.wapi.status
    now = platform.clock.now_ms()
    raw_query: bytes = request.scope.get("query_string", b"")
    params = Params.parse(raw_query, exchange.body)
    if not guard.signed:
        return WalletCall(params, None, now, request)
    try:
        key = await authenticate(
            keys,
            platform.clock,
            api_key=api_key_of(exchange),
            security=guard.security,
            params=params,
            raw_query=raw_query,
            raw_body=exchange.body,
            client_ip=client_host(request),
            act_for=platform.act_for,
        )
    except AuthFailure as failure:
        exchange.caller, exchange.explanation = failure.caller, failure.explanation
        raise failure.error from None
    exchange.caller = key.user_id
    status = await status_switch.system()
    if status.status != 0:
        raise errors.Maintenance()
    return WalletCall(params, key, platform.clock.now_ms(), request)
