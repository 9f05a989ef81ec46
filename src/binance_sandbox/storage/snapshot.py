"""A value read from the database and kept in this process for a short time.

Switches that any process may change (the clock, fault rules, network switches, the system
status) are rows of the database; each process keeps what it read last and reads again once
that is older than `max_age_s`. Under load, many requests find the value stale at the same
moment: they wait for one read together rather than each making its own.

A process that has just changed the value calls `reload()` (or `put()` with what it wrote).
Reads may overlap; the one started last is kept, so an older read that ends later never
brings back the value from before a change.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Snapshot(Generic[T]):
    def __init__(
        self,
        load: Callable[[], Awaitable[T]],
        initial: T,
        *,
        max_age_s: float,
        kept: Callable[[T], None] | None = None,
    ) -> None:
        """`load` reads the value; `kept`, when given, is told each value that replaces the
        one held."""
        self._load = load
        self._kept_hook = kept
        self._max_age_s = max_age_s
        self.value = initial
        self._read_at = -1e9
        self._started = 0
        self._kept = 0
        self._pending: asyncio.Future[T] | None = None

    async def get(self) -> T:
        """The value, read again first when older than `max_age_s`."""
        if time.monotonic() - self._read_at <= self._max_age_s:
            return self.value
        if self._pending is None:
            self._pending = asyncio.ensure_future(self.reload())
            self._pending.add_done_callback(self._settled)
        # Shielded: a waiter that goes away does not stop the read the others wait for.
        return await asyncio.shield(self._pending)

    async def reload(self) -> T:
        """Reads the value now, whatever its age."""
        self._started += 1
        mine = self._started
        value = await self._load()
        if mine > self._kept:
            self._keep(value, mine)
        return self.value

    def put(self, value: T) -> None:
        """Holds `value`, just written by this process, as if read now."""
        self._started += 1
        self._keep(value, self._started)

    def _keep(self, value: T, order: int) -> None:
        self.value = value
        self._kept = order
        self._read_at = time.monotonic()
        if self._kept_hook is not None:
            self._kept_hook(value)

    def _settled(self, future: asyncio.Future[T]) -> None:
        self._pending = None
        if not future.cancelled():
            future.exception()  # each waiter has it; this keeps asyncio from warning
