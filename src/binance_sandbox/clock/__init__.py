"""The sandbox clock: real time by default, advanced or frozen through the control API.

Every rule that involves time (quote expiry, order deadlines, retries and backoff, link
expiry) reads this clock, never `time.time()`. Its state lives in the database so that API
processes and workers agree; each process keeps a copy refreshed every `refresh_ms`.

Some work runs at a time of its own, not the global clock's now:
- a request of a tenant (partner, merchant, user) on a test clock runs at that test clock's
  time (docs/testing.md);
- a scheduled event (an outbox item) runs at its own due time, on the clock of the tenant it
  belongs to, whenever the worker gets to it.
The code that starts such work pins the time for the current context (`pin`, inside `scope`);
`Clock.now_ms()` then answers the pinned time, and what is enqueued is stamped with the pinned
clock (`pinned_clock_id`). Everything else reads the clock as it always does.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Pinned:
    """A fixed time on a named clock: `clock_id` is a test clock's id, or None for the global
    clock."""

    clock_id: str | None
    now_ms: int


_pinned: contextvars.ContextVar[Pinned | None] = contextvars.ContextVar(
    "binance_sandbox_pinned_time", default=None
)


@contextlib.contextmanager
def scope() -> Iterator[None]:
    """Whatever is pinned inside is unpinned on leaving."""
    token = _pinned.set(_pinned.get())
    try:
        yield
    finally:
        _pinned.reset(token)


def pin(clock_id: str | None, now_ms: int) -> None:
    """From here on in this context (see `scope`), the sandbox clock reads `now_ms`, on the
    clock `clock_id`."""
    _pinned.set(Pinned(clock_id, now_ms))


@contextlib.contextmanager
def pinned(clock_id: str | None, now_ms: int) -> Iterator[None]:
    with scope():
        pin(clock_id, now_ms)
        yield


def is_pinned() -> bool:
    return _pinned.get() is not None


def pinned_clock_id() -> str | None:
    """The test clock the current work runs on (None: the global clock)."""
    current = _pinned.get()
    return None if current is None else current.clock_id


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class ClockState:
    offset_ms: int = 0
    frozen_at_ms: int | None = None
    version: int = 0


class Clock:
    def __init__(
        self,
        state: ClockState | None = None,
        *,
        wall: Callable[[], int] = wall_ms,
    ) -> None:
        self._state = state or ClockState()
        self._wall = wall
        self._listeners: list[Callable[[], None]] = []

    @property
    def state(self) -> ClockState:
        return self._state

    def now_ms(self) -> int:
        """The time now: the pinned time, if the current work has one (module docstring)."""
        current = _pinned.get()
        if current is not None:
            return current.now_ms
        return self.global_now_ms()

    def global_now_ms(self) -> int:
        """The global clock's time, whatever is pinned."""
        frozen = self._state.frozen_at_ms
        if frozen is not None:
            return frozen
        return self._wall() + self._state.offset_ms

    @property
    def frozen(self) -> bool:
        return self._state.frozen_at_ms is not None

    def moved_to(self, at_ms: int) -> ClockState:
        """The state whose time is `at_ms` now (frozen or running as it is)."""
        s = self._state
        if s.frozen_at_ms is not None:
            return ClockState(s.offset_ms, at_ms, s.version + 1)
        return ClockState(at_ms - self._wall(), None, s.version + 1)

    def load(self, state: ClockState) -> None:
        """Take a state read from storage, unless it is older than the one held: a read that
        raced with a change must never move the clock back."""
        if state.version < self._state.version:
            return
        changed = state.version != self._state.version
        self._state = state
        if changed:
            self._notify()

    def advanced(self, ms: int) -> ClockState:
        """The state after moving the clock forward by `ms` (never backwards)."""
        if ms < 0:
            raise ValueError("the clock only moves forward")
        s = self._state
        if s.frozen_at_ms is not None:
            return ClockState(s.offset_ms, s.frozen_at_ms + ms, s.version + 1)
        return ClockState(s.offset_ms + ms, None, s.version + 1)

    def frozen_state(self, freeze: bool, at_ms: int | None = None) -> ClockState:
        s = self._state
        now = self.global_now_ms()
        if freeze:
            target = now if at_ms is None else at_ms
            return ClockState(s.offset_ms, target, s.version + 1)
        if at_ms is not None:
            return ClockState(at_ms - self._wall(), None, s.version + 1)
        # Unfreezing keeps the time where it stood and lets it run from there.
        return ClockState(now - self._wall(), None, s.version + 1)

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in self._listeners:
            listener()
