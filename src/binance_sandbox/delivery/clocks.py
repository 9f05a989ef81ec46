"""Moving time and letting it settle: the global clock and test clocks as the control API and
the console move them.

A settling move runs every event due up to the new time, in due order, before it answers: it
moves the clock to the next item's due time, runs what is due there (`Worker.run_due`), and
goes on until nothing is due by the target. What an item schedules follows from its own due
time (`delivery.worker`), so one advance of two hours takes a withdrawal through every step,
with the timestamps and webhooks it would have had if the time had passed for real.

A settling move waits at most `timeout_ms` (wall time): a receiver that hangs, or items another
worker holds, make it answer `settled: false` with what is still pending; the clock is at its
target then, and the worker finishes the rest at the items' own due times.

Test clocks are frozen: only an advance moves one, and it settles that clock's items only.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, select

from binance_sandbox.admin_errors import Conflict, Invalid, NotFound
from binance_sandbox.delivery.worker import Worker
from binance_sandbox.platform import CLOCK_MAX_MS, Platform
from binance_sandbox.storage import test_clocks as stored
from binance_sandbox.storage.models import OutboxItem, TestClock

# How long a settling move waits for due work, unless the call says (wall time).
SETTLE_TIMEOUT_MS = 15_000
SETTLE_TIMEOUT_MAX_MS = 120_000
# While items it needs are held by another task or process, a settling move looks again at
# least this often (wall time; the worker in this process wakes it sooner).
HELD_RECHECK_S = 0.05
PENDING_SHOWN = 20


@dataclass
class Hand:
    """One clock as a settling move sees it."""

    clock_id: str | None  # None: the global clock
    now_ms: Callable[[], Awaitable[int]]
    move_to: Callable[[int], Awaitable[None]]


@dataclass
class Settled:
    ran: int = 0
    settled: bool = True
    pending: list[dict[str, Any]] = field(default_factory=list)

    def out(self) -> dict[str, Any]:
        body: dict[str, Any] = {"settled": self.settled, "ran": self.ran}
        if not self.settled:
            body["pending"] = self.pending
        return body


class Settler:
    """Runs one clock's due items in due order (module docstring)."""

    def __init__(self, platform: Platform, worker: Worker) -> None:
        self.db = platform.db
        self.worker = worker
        self._locks: dict[str | None, asyncio.Lock] = {}
        # Runs a timed-out move left behind: they finish (and record) on their own.
        self._left: set[asyncio.Task[int]] = set()

    async def settle(self, hand: Hand, until: int | None, timeout_ms: int) -> Settled:
        """Run every item of the clock due by `until` (None: by the clock's now), moving the
        clock to each due time and finally to `until`."""
        deadline = time.monotonic() + timeout_ms / 1000
        result = Settled()
        lock = self._locks.setdefault(hand.clock_id, asyncio.Lock())
        async with lock:
            runs_before = self.worker.runs[hand.clock_id]
            while True:
                now = await hand.now_ms()
                target = now if until is None else until
                due = await self._next_due(hand.clock_id, target)
                if due is None:
                    break
                if due > now:
                    await hand.move_to(due)
                ran = await self._run_due(hand.clock_id, max(due, now), deadline)
                if ran is None:
                    result.settled = False
                    break
                if ran == 0 and not await self._wait_for_others(deadline):
                    result.settled = False
                    break
            # Every item of the clock this process ran meanwhile, by this move or its worker.
            result.ran = self.worker.runs[hand.clock_id] - runs_before
            if until is not None and await hand.now_ms() < until:
                await hand.move_to(until)
            if not result.settled:
                result.pending = await self._pending(hand.clock_id, until or await hand.now_ms())
                result.settled = not result.pending
        return result

    async def pending(self, hand: Hand) -> Settled:
        """Nothing run: what is due on the clock now and not done yet."""
        pending = await self._pending(hand.clock_id, await hand.now_ms())
        return Settled(ran=0, settled=not pending, pending=pending)

    async def aclose(self) -> None:
        """Stop what timed-out moves left running (the items' leases let a worker redo them)."""
        for task in list(self._left):
            task.cancel()
        await asyncio.gather(*self._left, return_exceptions=True)

    async def _next_due(self, clock_id: str | None, until: int) -> int | None:
        """The earliest due time of the clock's pending items by `until`, held or not."""
        async with self.db.read() as session:
            return (
                await session.execute(
                    select(func.min(OutboxItem.due_at)).where(_pending_on(clock_id, until))
                )
            ).scalar_one_or_none()

    async def _run_due(self, clock_id: str | None, at: int, deadline: float) -> int | None:
        """Run the clock's items due by `at`; None if the deadline came first."""
        task = asyncio.ensure_future(self.worker.run_due(clock_id, at))
        done, _ = await asyncio.wait({task}, timeout=max(0.0, deadline - time.monotonic()))
        if task in done:
            return task.result()
        self._left.add(task)
        task.add_done_callback(self._left.discard)
        return None

    async def _wait_for_others(self, deadline: float) -> bool:
        """Due items are held by another task or process: wait for one to finish (or a short
        while, for another process); False once the deadline has passed."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        async with self.worker.finished:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self.worker.finished.wait(), timeout=min(HELD_RECHECK_S, remaining)
                )
        return True

    async def _pending(self, clock_id: str | None, until: int) -> list[dict[str, Any]]:
        async with self.db.read() as session:
            rows = (
                await session.execute(
                    select(OutboxItem)
                    .where(_pending_on(clock_id, until))
                    .order_by(OutboxItem.due_at, OutboxItem.id)
                    .limit(PENDING_SHOWN)
                )
            ).scalars()
            return [
                {
                    "id": row.id,
                    "kind": row.kind,
                    "family": row.family,
                    "ref": row.ref,
                    "dueAt": row.due_at,
                    "attempts": row.attempts,
                    "lastError": row.last_error,
                }
                for row in rows
            ]


def _pending_on(clock_id: str | None, until: int) -> Any:
    on_clock = (
        OutboxItem.clock_id.is_(None) if clock_id is None else OutboxItem.clock_id == clock_id
    )
    return and_(on_clock, OutboxItem.status == "pending", OutboxItem.due_at <= until)


def settle_timeout(timeout_ms: int | None) -> int:
    if timeout_ms is None:
        return SETTLE_TIMEOUT_MS
    if not 0 <= timeout_ms <= SETTLE_TIMEOUT_MAX_MS:
        raise Invalid(f"timeoutMs must be between 0 and {SETTLE_TIMEOUT_MAX_MS}.")
    return timeout_ms


class ClockAdmin:
    """The clock use cases of the control API and the console."""

    def __init__(self, platform: Platform, settler: Settler) -> None:
        self.p = platform
        self.settler = settler

    # -- the global clock -------------------------------------------------------------------

    def _global(self) -> Hand:
        platform = self.p

        async def now_ms() -> int:
            return platform.clock.global_now_ms()

        async def move_to(at_ms: int) -> None:
            if at_ms > platform.clock.global_now_ms():
                await platform.set_clock(platform.clock.moved_to(at_ms))

        return Hand(None, now_ms, move_to)

    def clock_out(self) -> dict[str, Any]:
        return {"nowMs": self.p.clock.global_now_ms(), "frozen": self.p.clock.frozen}

    async def advance(
        self, ms: int, timeout_ms: int | None = None, *, settle: bool = True
    ) -> dict[str, Any]:
        """Move the global clock on by `ms`, running every event due on the way (unless
        `settle` is false: then the worker runs them when it gets to them)."""
        await self.p.refresh_clock()
        target = self.p.clock.global_now_ms() + ms
        if target > CLOCK_MAX_MS:
            raise Invalid("The sandbox clock stops at 3000-01-01T00:00:00Z.")
        return await self._move_global(target, timeout_ms, settle=settle)

    async def _move_global(
        self, target: int | None, timeout_ms: int | None, *, settle: bool
    ) -> dict[str, Any]:
        hand = self._global()
        if settle:
            settled = await self.settler.settle(hand, target, settle_timeout(timeout_ms))
        else:
            if target is not None:
                await hand.move_to(target)
            settled = await self.settler.pending(hand)
        return {**self.clock_out(), **settled.out()}

    async def move(
        self,
        *,
        frozen: bool | None,
        now_ms: int | None,
        timeout_ms: int | None = None,
        settle: bool = True,
    ) -> dict[str, Any]:
        """Freeze or release the global clock, and move it to a later time, settling."""
        await self.p.refresh_clock()
        clock = self.p.clock
        if now_ms is not None and now_ms < clock.global_now_ms() - 1:
            raise Invalid("The sandbox clock only moves forward.")
        if now_ms is not None and now_ms > CLOCK_MAX_MS:
            raise Invalid("The sandbox clock stops at 3000-01-01T00:00:00Z.")
        freeze = clock.frozen if frozen is None else frozen
        if freeze != clock.frozen:
            await self.p.set_clock(clock.frozen_state(freeze, None))
        return await self._move_global(now_ms, timeout_ms, settle=settle)

    async def settle(self, timeout_ms: int | None = None) -> dict[str, Any]:
        """Wait until nothing is due now on any clock (the clocks stay where they are)."""
        await self.p.refresh_clock()
        timeout = settle_timeout(timeout_ms)
        deadline = time.monotonic() + timeout / 1000
        total = await self.settler.settle(self._global(), None, timeout)
        for clock_id in await self._test_clocks_with_due_work():
            left = max(0, int((deadline - time.monotonic()) * 1000))
            one = await self.settler.settle(self._test(clock_id), None, left)
            total.ran += one.ran
            total.pending.extend(one.pending)
            total.settled = total.settled and one.settled
        return {**self.clock_out(), **total.out()}

    async def _test_clocks_with_due_work(self) -> list[str]:
        async with self.p.db.read() as session:
            rows = await session.execute(
                select(OutboxItem.clock_id)
                .join(TestClock, TestClock.id == OutboxItem.clock_id)
                .where(OutboxItem.status == "pending", OutboxItem.due_at <= TestClock.now_ms)
                .distinct()
            )
            return [str(clock_id) for clock_id in rows.scalars()]

    # -- test clocks ------------------------------------------------------------------------

    def _test(self, clock_id: str) -> Hand:
        platform = self.p

        async def now_ms() -> int:
            async with platform.db.read() as session:
                row = await stored.find(session, clock_id)
            if row is None:
                raise NotFound(f"No test clock {clock_id}.")
            platform.saw_test_clock(clock_id, row.now_ms)
            return row.now_ms

        async def move_to(at_ms: int) -> None:
            async with platform.db.write() as session:
                await stored.move(session, clock_id, at_ms)
            platform.saw_test_clock(clock_id, at_ms)

        return Hand(clock_id, now_ms, move_to)

    @staticmethod
    def _test_out(row: TestClock, **extra: Any) -> dict[str, Any]:
        return {"id": row.id, "nowMs": row.now_ms, "name": row.name, "status": "ready", **extra}

    async def create_test_clock(self, *, now_ms: int | None, name: str | None) -> dict[str, Any]:
        start = self.p.clock.global_now_ms() if now_ms is None else now_ms
        if not 0 <= start <= CLOCK_MAX_MS:
            raise Invalid("nowMs must be a time between 1970 and 3000-01-01T00:00:00Z.")
        row = TestClock(
            id="clock_" + self.p.ids.alnum(24),
            name=name,
            now_ms=start,
            version=1,
            created_at=self.p.clock.global_now_ms(),
        )
        async with self.p.db.write() as session:
            session.add(row)
        self.p.saw_test_clock(row.id, row.now_ms)
        return self._test_out(row)

    async def test_clocks(self) -> list[dict[str, Any]]:
        async with self.p.db.read() as session:
            return [self._test_out(row) for row in await stored.listed(session)]

    async def _find(self, clock_id: str) -> TestClock:
        async with self.p.db.read() as session:
            row = await stored.find(session, clock_id)
        if row is None:
            raise NotFound(f"No test clock {clock_id}.")
        return row

    async def test_clock(self, clock_id: str) -> dict[str, Any]:
        return self._test_out(await self._find(clock_id))

    async def delete_test_clock(self, clock_id: str) -> dict[str, Any]:
        async with self.p.db.write() as session:
            row = await stored.find(session, clock_id)
            if row is None:
                raise NotFound(f"No test clock {clock_id}.")
            users = await stored.tenants(session, clock_id)
            if users:
                raise Conflict(
                    f"Test clock {clock_id} is in use by {users} partner(s), merchant(s) or "
                    "user(s); it can be deleted once none is on it."
                )
            out = self._test_out(row, deleted=True)
            await session.delete(row)
        return out

    async def advance_test_clock(
        self,
        clock_id: str,
        *,
        ms: int | None,
        now_ms: int | None,
        timeout_ms: int | None = None,
    ) -> dict[str, Any]:
        """Move one test clock on, running its tenants' events due on the way; no other
        clock moves."""
        row = await self._find(clock_id)
        if (ms is None) == (now_ms is None):
            raise Invalid("Give either ms or nowMs.")
        target = row.now_ms + ms if ms is not None else int(now_ms or 0)
        if target < row.now_ms:
            raise Invalid("A test clock only moves forward.")
        if target > CLOCK_MAX_MS:
            raise Invalid("The sandbox clock stops at 3000-01-01T00:00:00Z.")
        settled = await self.settler.settle(
            self._test(clock_id), target, settle_timeout(timeout_ms)
        )
        moved = await self._find(clock_id)
        body = self._test_out(moved, ran=settled.ran)
        if not settled.settled:
            body["status"] = "advancing"
            body["pending"] = settled.pending
        return body
