"""Request weight per sandbox minute, per IP and per API key, and IP bans (spec "LIMITS").

Every request adds its endpoint's weight to its IP's counter for the current minute of the
sandbox clock (and, for a signed call with a known key, to that key's counter). Over a limit
the request is answered 429 with `Retry-After` (seconds to the next minute); an IP that is
answered 429 more than `bans_after` times in one minute is banned: 418 with `Retry-After`
until the ban ends. Bans grow for repeat offenders along `BAN_LADDER_MS`, from 2 minutes to
3 days; an IP with no ban for `FORGIVE_AFTER_MS` after its last one ended starts again at 2
minutes. Minutes and bans are sandbox time, so tests move the clock instead of sleeping.

Counters live in this process (`MemoryCounters`) or in Redis (`RedisCounters`), where
several API processes share them. Entries also expire after `ttl_s` of real time, which only
matters while the sandbox clock is frozen: it keeps a frozen minute from filling forever.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from binance_sandbox.wallet import errors

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
BAN_LADDER_MS = (
    2 * MINUTE_MS,
    10 * MINUTE_MS,
    30 * MINUTE_MS,
    2 * HOUR_MS,
    6 * HOUR_MS,
    DAY_MS,
    3 * DAY_MS,
)
FORGIVE_AFTER_MS = 3 * DAY_MS
WINDOW_TTL_S = 3_600
BAN_TTL_S = 10 * 86_400


class CounterStore(Protocol):
    async def incr(self, key: str, amount: int, ttl_s: int) -> int:
        """Add `amount` to the counter `key` (0 when absent or expired); the new value."""
        ...

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, value: str, ttl_s: int) -> None: ...

    async def aclose(self) -> None: ...


class MemoryCounters:
    def __init__(self, capacity: int = 100_000) -> None:
        self._items: dict[str, tuple[str, float]] = {}
        self._capacity = capacity

    def _live(self, key: str) -> str | None:
        item = self._items.get(key)
        if item is None:
            return None
        if item[1] <= time.monotonic():
            del self._items[key]
            return None
        return item[0]

    def _store(self, key: str, value: str, ttl_s: int) -> None:
        if len(self._items) >= self._capacity:
            now = time.monotonic()
            self._items = {k: v for k, v in self._items.items() if v[1] > now}
            if len(self._items) >= self._capacity:
                self._items.clear()
        self._items[key] = (value, time.monotonic() + ttl_s)

    async def incr(self, key: str, amount: int, ttl_s: int) -> int:
        value = int(self._live(key) or 0) + amount
        self._store(key, str(value), ttl_s)
        return value

    async def get(self, key: str) -> str | None:
        return self._live(key)

    async def put(self, key: str, value: str, ttl_s: int) -> None:
        self._store(key, value, ttl_s)

    async def aclose(self) -> None:
        self._items.clear()


class RedisCounters:
    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self._redis = redis.Redis.from_url(url)

    async def incr(self, key: str, amount: int, ttl_s: int) -> int:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incrby(key, amount)
            pipe.expire(key, ttl_s)
            value, _ = await pipe.execute()
        return int(value)

    async def get(self, key: str) -> str | None:
        value = await self._redis.get(key)
        return value.decode() if isinstance(value, bytes) else value

    async def put(self, key: str, value: str, ttl_s: int) -> None:
        await self._redis.set(key, value, ex=ttl_s)

    async def aclose(self) -> None:
        await self._redis.aclose()


def counter_store(redis_url: str | None) -> CounterStore:
    return RedisCounters(redis_url) if redis_url else MemoryCounters()


@dataclass(frozen=True)
class Limits:
    ip_weight: int
    key_weight: int
    bans_after: int  # 429 answers to one IP in one minute before it is banned


def _seconds(ms: int) -> int:
    return max(1, -(-ms // 1000))


class RateLimiter:
    def __init__(self, store: CounterStore, limits: Limits, prefix: str) -> None:
        self.store = store
        self.limits = limits
        self.prefix = prefix

    async def used_weight(self, ip: str, now_ms: int) -> int:
        return int(await self.store.get(f"{self.prefix}w:{ip}:{now_ms // MINUTE_MS}") or 0)

    async def admit(self, *, ip: str, api_key: str | None, weight: int, now_ms: int) -> int:
        """Count the request; the IP's weight used this minute. Raises `IpBanned` or
        `TooManyRequests`, which carry that weight too."""
        p, window = self.prefix, now_ms // MINUTE_MS
        banned_until = await self._ban_until(ip)
        if banned_until is not None and now_ms < banned_until:
            raise self._banned(banned_until, now_ms, await self.used_weight(ip, now_ms))
        used = await self.store.incr(f"{p}w:{ip}:{window}", weight, WINDOW_TTL_S)
        key_used = (
            await self.store.incr(f"{p}k:{api_key}:{window}", weight, WINDOW_TTL_S)
            if api_key
            else 0
        )
        if used <= self.limits.ip_weight and key_used <= self.limits.key_weight:
            return used
        strikes = await self.store.incr(f"{p}s:{ip}:{window}", 1, WINDOW_TTL_S)
        if strikes > self.limits.bans_after:
            until = await self._ban(ip, now_ms) if strikes == self.limits.bans_after + 1 else None
            until = until or await self._ban_until(ip)
            if until is not None and now_ms < until:
                raise self._banned(until, now_ms, used)
        retry = _seconds((window + 1) * MINUTE_MS - now_ms)
        if used > self.limits.ip_weight:
            raise errors.TooManyRequests(
                f"Too much request weight used; current limit is {self.limits.ip_weight} "
                "request weight per 1 MINUTE. Please use the websocket for live updates to "
                "avoid polling the API.",
                retry_after_s=retry,
                used_weight=used,
            )
        raise errors.TooManyRequests(
            f"Too much request weight used; current limit of this API key is "
            f"{self.limits.key_weight} request weight per 1 MINUTE.",
            retry_after_s=retry,
            used_weight=used,
        )

    async def _ban_until(self, ip: str) -> int | None:
        raw = await self.store.get(f"{self.prefix}ban:{ip}")
        return int(raw) if raw else None

    async def _ban(self, ip: str, now_ms: int) -> int:
        """Start a ban, one step up the ladder when the IP was banned recently."""
        record = await self.store.get(f"{self.prefix}offense:{ip}")
        level = 0
        if record:
            last_level, last_until = (int(x) for x in record.split(":"))
            if now_ms - last_until <= FORGIVE_AFTER_MS:
                level = min(last_level + 1, len(BAN_LADDER_MS) - 1)
        until = now_ms + BAN_LADDER_MS[level]
        await self.store.put(f"{self.prefix}ban:{ip}", str(until), BAN_TTL_S)
        await self.store.put(f"{self.prefix}offense:{ip}", f"{level}:{until}", BAN_TTL_S)
        return until

    def _banned(self, until: int, now_ms: int, used: int) -> errors.IpBanned:
        return errors.IpBanned(
            f"Way too much request weight used; IP banned until {until}. Please use the "
            "websocket for live updates to avoid bans.",
            retry_after_s=_seconds(until - now_ms),
            used_weight=used,
        )
