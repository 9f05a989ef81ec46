"""The sandbox clock: real time by default, advanced or frozen through the control API.

Every rule that involves time (quote expiry, order deadlines, retries and backoff, link
expiry) reads this clock, never `time.time()`. Its state lives in the database so that API
processes and workers agree; each process keeps a copy refreshed every `refresh_ms`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


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
        frozen = self._state.frozen_at_ms
        if frozen is not None:
            return frozen
        return self._wall() + self._state.offset_ms

    @property
    def frozen(self) -> bool:
        return self._state.frozen_at_ms is not None

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
        now = self.now_ms()
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
