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
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from binance_sandbox.access import CachedDirectory, Network, ip_allowed, networks
from binance_sandbox.cache import NonceCache
from binance_sandbox.clock import Clock
from binance_sandbox.connect.auth import timestamp_fresh
from binance_sandbox.pay import errors
from binance_sandbox.pay.keys import signed_payload
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.models import Merchant
from binance_sandbox.web import BadRequest, client_host, parse_json_object

if TYPE_CHECKING:
    from starlette.requests import Request

    from binance_sandbox.platform import Platform
    from binance_sandbox.web.chain import Exchange

M = TypeVar("M", bound=BaseModel)

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
    test_clock_id: str | None = None  # its requests run at that clock's time


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
                test_clock_id=row.test_clock_id,
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
    act_for: Callable[[str | None], Awaitable[None]],
) -> MerchantAuth | PayAuthFailure:
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
    # From here on the request runs at its merchant's time (a test clock's, if it has one).
    await act_for(merchant.test_clock_id)
    timestamp = headers.get("binancepay-timestamp", "")
    if not timestamp_fresh(timestamp, clock, recv_window_ms):
        return PayAuthFailure(
            errors.InvalidTimestamp(
                f"BinancePay-Timestamp must be within {recv_window_ms} ms of the server time."
            ),
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


def check_body(headers: dict[str, str], body: bytes, max_body_bytes: int) -> None:
    """A Pay request's body is JSON, and not too large to read."""
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise errors.MediaTypeNotSupported("Content-Type must be application/json.")
    if len(body) > max_body_bytes:
        raise errors.InvalidRequestTooLarge(f"Request body is larger than {max_body_bytes} bytes.")


# pydantic error types → the Pay code for that kind of bad parameter.
_LENGTH = {"string_too_long", "string_too_short", "too_long", "too_short"}
_ILLEGAL = {"string_pattern_mismatch"}
_MISSING = {
    "missing",
    "string_type",
    "int_type",
    "int_parsing",
    "decimal_parsing",
    "decimal_type",
    "bool_type",
    "bool_parsing",
    "dict_type",
    "model_type",
    "list_type",
    "none_required",
}


def pay_validation_error(exc: ValidationError) -> errors.PayError:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "body"
    kind = err["type"]
    if kind in _LENGTH:
        return errors.InvalidParamWrongLength(f"{where}: {err['msg']}")
    if kind in _ILLEGAL:
        return errors.InvalidParamIllegalChar(f"{where}: contains illegal characters")
    if kind in _MISSING:
        return errors.MandatoryParamEmptyOrMalformed(f"{where}: {err['msg']}")
    cause = err.get("ctx", {}).get("error")
    if isinstance(cause, errors.PayValueError):
        return cause.error
    return errors.InvalidParamWrongValue(f"{where}: {err['msg']}")


@dataclass
class PayCall:
    """An authenticated Pay request: the merchant, and the body it signed."""

    merchant: MerchantAuth
    body: bytes
    request: Request
    _data: dict[str, Any] | None = field(default=None, init=False, repr=False)

    @property
    def services(self) -> Any:
        """The app's services (`app.state`)."""
        return self.request.app.state

    def data(self) -> dict[str, Any]:
        """The body's JSON object, parsed once."""
        if self._data is None:
            try:
                self._data = parse_json_object(self.body)
            except BadRequest as exc:
                raise errors.InvalidRequestBody("Request body is not a valid json object.") from exc
        return self._data

    def parse(self, model: type[M]) -> M:
        try:
            return model.model_validate(self.data())
        except ValidationError as exc:
            raise pay_validation_error(exc) from exc


async def authenticate_request(exchange: Exchange) -> PayCall:
    """Authenticate a Pay request before anything of its body is read."""
    request = exchange.request
    platform: Platform = request.app.state.platform
    await platform.refresh_clock_if_stale()
    result = await authenticate(
        request.app.state.merchants,
        platform.nonces,
        platform.clock,
        headers=exchange.headers(),
        body=exchange.body,
        client_ip=client_host(request),
        recv_window_ms=platform.settings.pay_recv_window_ms,
        act_for=platform.act_for,
    )
    if isinstance(result, PayAuthFailure):
        exchange.caller, exchange.explanation = result.caller, result.explanation
        raise result.error
    exchange.caller = result.merchant_id
    return PayCall(result, exchange.body, request)
