"""What request authentication shares across families: credentials looked up by key and
cached briefly (so a signed request costs no query), and IP whitelists."""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
T = TypeVar("T")


def networks(raw: str) -> tuple[Network, ...]:
    """A stored whitelist (a JSON list of addresses or CIDR ranges)."""
    return tuple(ipaddress.ip_network(item, strict=False) for item in json.loads(raw or "[]"))


def ip_allowed(whitelist: tuple[Network, ...], client_ip: str | None) -> bool:
    """An empty whitelist lets any address in."""
    if not whitelist:
        return True
    try:
        ip = ipaddress.ip_address(client_ip or "")
    except ValueError:
        return False
    return any(ip in net for net in whitelist)


class CachedDirectory(Generic[T]):
    """Credentials by key, each loaded at most once every `ttl_s` seconds (misses too). The
    control API calls `invalidate` whenever it changes what `load` would read.

    A changed credential (a rotated token, a revoked key) is refused at once by the process
    that changed it, and by every other process within `ttl_s`: an entry is never kept longer
    than `ttl_s` after the load that read it began, and a load that was already reading when
    `invalidate` ran is answered but not kept (it may have read the row as it was before)."""

    def __init__(self, load: Callable[[str], Awaitable[T | None]], *, ttl_s: float = 2.0) -> None:
        self._load = load
        self._ttl = ttl_s
        self._cache: dict[str, tuple[float, T | None]] = {}
        self._generation = 0

    def invalidate(self, key: str | None = None) -> None:
        self._generation += 1
        if key is None:
            self._cache.clear()
        else:
            self._cache.pop(key, None)

    async def get(self, key: str) -> T | None:
        hit = self._cache.get(key)
        now = time.monotonic()
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        generation = self._generation
        value = await self._load(key)
        if generation != self._generation:
            return value
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key] = (now, value)
        return value
