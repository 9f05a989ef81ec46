"""Fields an operator gives the control plane, checked the same way for every family: a URL
the platform will call, and an IP whitelist."""

from __future__ import annotations

import ipaddress
import json
from urllib.parse import urlparse

from binance_sandbox.admin_errors import Invalid


def checked_url(value: str | None, field: str) -> str | None:
    """An http(s) URL, or None for none at all."""
    if value is None or value == "":
        return None
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise Invalid(f"{field} must be an http(s) URL.")
    return value


def whitelist_json(items: list[str]) -> str:
    """Addresses or CIDR ranges, as stored: a JSON list of networks."""
    try:
        return json.dumps([str(ipaddress.ip_network(item.strip(), strict=False)) for item in items])
    except ValueError as exc:
        raise Invalid(f"ipWhitelist: {exc}") from exc


def masked(value: str, shown: int = 4) -> str:
    """The first characters of a credential, enough to tell two apart, never enough to use."""
    if len(value) < 4 * shown:
        return "…"
    return f"{value[:shown]}…"
