"""The checks both families' webhook verifiers make before trusting a body: its headers are
there, its timestamp is recent enough, and the platform's key is loaded from its text."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from cryptography.hazmat.primitives.asymmetric import rsa

from binance_sandbox.client.errors import WebhookVerificationError
from binance_sandbox.signing import load_public_key


def load_key(key: rsa.RSAPublicKey | str | bytes) -> rsa.RSAPublicKey:
    return key if isinstance(key, rsa.RSAPublicKey) else load_public_key(key)


def lower_case_names(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers by lower-case name, as HTTP names are case-insensitive."""
    return {name.lower(): value for name, value in headers.items()}


def required_header(found: Mapping[str, str], name: str) -> str:
    """The value of `name` in headers from `lower_case_names`; missing or empty is refused."""
    value = found.get(name.lower())
    if not value:
        raise WebhookVerificationError(f"missing header {name}")
    return value


def check_timestamp(
    timestamp: str, header: str, clock: Callable[[], int], tolerance_ms: int | None
) -> None:
    """Refuse a timestamp (ms, from `header`) further than `tolerance_ms` from `clock()`, to
    refuse replays; with no tolerance nothing is checked."""
    if tolerance_ms is None:
        return
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise WebhookVerificationError(f"{header} is not milliseconds")
    if abs(clock() - int(timestamp)) > tolerance_ms:
        raise WebhookVerificationError(f"{header} is outside the tolerance")
