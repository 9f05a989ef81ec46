"""Short-lived shared memory: seen nonces (replay protection). In-process by default; in
Redis when `redis_url` is set, so that several API processes refuse the same replay."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol


class NonceCache(Protocol):
    async def first_use(self, key: str, ttl_ms: int) -> bool:
        """Record `key`; True when it was not seen within its time to live."""
        ...

    async def aclose(self) -> None: ...


class MemoryNonceCache:
    def __init__(self, capacity: int = 200_000) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._capacity = capacity

    async def first_use(self, key: str, ttl_ms: int) -> bool:
        now = time.monotonic()
        while self._seen:
            oldest, expires = next(iter(self._seen.items()))
            if expires > now and len(self._seen) < self._capacity:
                break
            del self._seen[oldest]
        previous = self._seen.get(key)
        if previous is not None and previous > now:
            return False
        self._seen[key] = now + ttl_ms / 1000
        self._seen.move_to_end(key)
        return True

    async def aclose(self) -> None:
        self._seen.clear()


class RedisNonceCache:
    def __init__(self, url: str, prefix: str = "bsx:nonce:") -> None:
        import redis.asyncio as redis

        self._redis = redis.Redis.from_url(url)
        self._prefix = prefix

    async def first_use(self, key: str, ttl_ms: int) -> bool:
        created = await self._redis.set(self._prefix + key, b"1", nx=True, px=max(1, ttl_ms))
        return bool(created)

    async def aclose(self) -> None:
        await self._redis.aclose()


def nonce_cache(redis_url: str | None) -> NonceCache:
    return RedisNonceCache(redis_url) if redis_url else MemoryNonceCache()
