"""The delivery worker: claims due outbox items, carries them out, records every attempt.

At least once: an item is leased (wall clock) while it is being worked on; a worker that
dies leaves its lease to expire, and another worker takes the item again. Outbound calls
happen outside any transaction; their result is applied, together with the item's new
state, in one transaction that first checks the lease is still ours. Retries wait on the
sandbox clock, so tests move the clock instead of sleeping.

An item runs at its own due time, on its own clock (the global clock, or the test clock of
the tenant it belongs to): whenever the worker gets to it, the sandbox clock reads `due_at`
while it runs, so what it records and what it schedules next follow from that time, not from
when a worker happened to wake. A settling clock advance (`delivery.clocks`) runs the items
of one clock itself, in due order, through `run_due`.

The worker claims as soon as it is woken: by a commit that enqueued work (delivery/wakeup.py),
by the clock moving, or by an item finishing while others wait; `poll_ms` is only the
fallback. Each item claimed runs as a task of its own. What a write of this process makes
due at once (a Pay order's webhook when it is paid, a Prime order's first Check Transaction
at execute, a fill's webhook right after its Check Transaction) needs no claim at all: the
write leases it to this worker in its own transaction and the worker starts it when that
commits (`reserve`, `take`; storage/db.py `Database.hand_off_to`).

Recording an outcome is one synchronous unit of work (`Database.run_write`): the item's new
state, the outcome's state change (`Outcome.apply`, e.g. a fill with its ledger entries) and
the attempts, in one pass on the database's writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import httpx
from sqlalchemy import ColumnElement, Table, and_, or_, select, update
from sqlalchemy.orm import Session

from binance_sandbox.clock import Clock, pinned, wall_ms
from binance_sandbox.delivery.hooks import OutboundHook
from binance_sandbox.delivery.wakeup import wakeups
from binance_sandbox.observability.metrics import Metrics
from binance_sandbox.storage.core_insert import add_new
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.models import DeliveryAttempt, OutboxItem, TestClock

log = logging.getLogger("binance_sandbox.delivery")
# Set while a settling move runs a clock's items itself (`run_due`): what they make due at once
# is left to the move's next claim, so that it keeps its own order.
_settling: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "binance_sandbox_settling", default=False
)
_OUTBOX = cast(Table, OutboxItem.__table__)


@dataclass
class Attempt:
    url: str | None
    request_headers: dict[str, str] | None
    request_body: str | None
    status_code: int | None = None
    response_body: str | None = None
    error: str | None = None
    duration_ms: int = 0


# The state change an outcome brings, applied with the item's new state in one transaction:
# synchronous, so that the whole record is one unit on the database (`Database.run_write`).
Apply = Callable[[Session, int], None]


@dataclass
class Outcome:
    status: Literal["done", "retry", "failed"]
    retry_at: int | None = None
    error: str | None = None
    apply: Apply | None = None

    @classmethod
    def done(cls, apply: Apply | None = None) -> Outcome:
        return cls("done", apply=apply)

    @classmethod
    def retry(cls, error: str, *, at: int | None = None, apply: Apply | None = None) -> Outcome:
        return cls("retry", retry_at=at, error=error, apply=apply)

    @classmethod
    def failed(cls, error: str, apply: Apply | None = None) -> Outcome:
        return cls("failed", error=error, apply=apply)


@dataclass
class JobContext:
    item_id: int
    kind: str
    attempt: int
    max_attempts: int
    payload: dict[str, Any]
    now: int
    http: httpx.AsyncClient
    attempts: list[Attempt] = field(default_factory=list)
    owner: str | None = None
    outbound: OutboundHook | None = None  # e.g. the sandbox's fault rules (docs/faults.md)

    @property
    def last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts

    async def post(
        self, url: str, body: str, headers: dict[str, str]
    ) -> tuple[httpx.Response | None, Attempt]:
        """POST and record the attempt; a network error gives `None` (and is recorded)."""
        attempt = Attempt(url=url, request_headers=headers, request_body=body)
        started = time.perf_counter()
        response: httpx.Response | None = None
        try:
            response = await self.http.post(url, content=body.encode(), headers=headers)
            attempt.status_code = response.status_code
            attempt.response_body = response.text[:4000]
        except httpx.HTTPError as exc:
            attempt.error = f"{type(exc).__name__}: {exc}"[:1000]
        attempt.duration_ms = int((time.perf_counter() - started) * 1000)
        self.attempts.append(attempt)
        return response, attempt


Handler = Callable[[JobContext], Awaitable[Outcome]]


def backoff_ms(attempt: int, base_ms: int, cap_ms: int) -> int:
    return int(min(cap_ms, base_ms * (2 ** max(0, attempt - 1))))


class Worker:
    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        http: httpx.AsyncClient,
        handlers: dict[str, Handler],
        refresh_clock: Callable[[], Awaitable[None]],
        poll_ms: int = 200,
        batch: int = 20,
        concurrency: int = 10,
        lease_ms: int = 30_000,
        backoff_base_ms: int = 1_000,
        backoff_cap_ms: int = 600_000,
        metrics: Metrics | None = None,
        outbound: OutboundHook | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.http = http
        self.handlers = handlers
        self.refresh_clock = refresh_clock
        self.poll_ms = poll_ms
        self.batch = batch
        self.lease_ms = lease_ms
        self.backoff_base_ms = backoff_base_ms
        self.backoff_cap_ms = backoff_cap_ms
        self.metrics = metrics
        self.outbound = outbound
        self.concurrency = concurrency
        self._semaphore = asyncio.Semaphore(concurrency)
        self._wakeup = asyncio.Event()
        # Set whenever an item's outcome is recorded: what a settling advance waits on while
        # another task holds items it needs finished.
        self.finished = asyncio.Condition()
        # Items run by this process, per clock (None: the global clock): how many events a
        # settling move saw run, whichever task of this process ran them.
        self.runs: Counter[str | None] = Counter()

        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._running: set[asyncio.Task[None]] = set()
        clock.on_change(self.wake)

    def wake(self) -> None:
        """Claim again now. Any thread may call it (on SQLite a commit's signal comes from the
        writer's thread)."""
        loop = self._loop
        if loop is None:
            return  # not running: `run` claims first thing
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if here is loop:
            self._wakeup.set()
            return
        with contextlib.suppress(RuntimeError):  # that loop has closed: nothing left to wake
            loop.call_soon_threadsafe(self._wakeup.set)

    async def run(self, stop: asyncio.Event) -> None:
        """Claim and start due items until `stop`, then let those under way finish.

        A claim is made while fewer than `concurrency` items run, so at most `batch +
        concurrency - 1` are leased at once; those beyond `concurrency` wait for a slot."""
        self._loop = asyncio.get_running_loop()
        self._stop = stop
        release = self.db.hand_off_to(self)
        try:
            async with wakeups(self.db, self.wake):
                while not stop.is_set():
                    # Cleared before the claim: a wake during it means claim again.
                    self._wakeup.clear()
                    if await self._start_due() < self.batch:
                        await self._sleep(stop)
        finally:
            release()
            while self._running:
                await asyncio.gather(*self._running, return_exceptions=True)
            self._loop = None

    async def _start_due(self) -> int:
        """Claim due items and start each as a task; how many were claimed."""
        if len(self._running) >= self.concurrency:
            return 0  # a task that ends wakes the loop (`_ended`)
        try:
            await self.refresh_clock()
            claimed = await self._claim(_due_everywhere(self.clock.global_now_ms()))
        except Exception:
            log.exception("delivery claim failed")
            return 0
        for item, lease in claimed:
            self._start(item, lease)
        return len(claimed)

    def _start(self, item: OutboxItem, lease: int) -> None:
        task = asyncio.create_task(self._run_one(item, lease))
        self._running.add(task)
        task.add_done_callback(self._ended)

    def reserve(self, count: int) -> int | None:
        """A write of this process made `count` items due at once: the lease to take them
        with, while this worker runs and has room for them (storage/db.py `HandOff`). Any
        thread may call it."""
        if (
            self._loop is None
            or _settling.get()
            or (self._stop is not None and self._stop.is_set())
        ):
            return None
        if len(self._running) + count > self.concurrency:
            return None  # left to the claim, when a slot is free
        return wall_ms() + self.lease_ms

    def take(self, items: list[OutboxItem], lease: int) -> None:
        """Start the items `reserve` leased, now that their transaction has committed."""
        loop = self._loop
        if loop is None:
            return  # stopped meanwhile: the lease runs out, and a worker claims them then
        with contextlib.suppress(RuntimeError):  # that loop has closed
            for item in items:
                loop.call_soon_threadsafe(self._start, item, lease)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("outbox item task failed", exc_info=task.exception())
        if len(self._running) == self.concurrency - 1:
            self._wakeup.set()  # a slot is free: items left unclaimed may be due

    async def _sleep(self, stop: asyncio.Event) -> None:
        """Until woken, stopped, or `poll_ms` passed."""
        waiters = [
            asyncio.ensure_future(self._wakeup.wait()),
            asyncio.ensure_future(stop.wait()),
        ]
        _done, pending = await asyncio.wait(
            waiters, timeout=self.poll_ms / 1000, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()

    async def run_due(self, clock_id: str | None, until: int) -> int:
        """Claim the items of one clock due by `until` and carry them out; the number handled
        (a settling advance, `delivery.clocks`)."""
        token = _settling.set(True)
        try:
            return await self._run_claimed(_due_on(clock_id, until))
        finally:
            _settling.reset(token)

    async def _run_claimed(self, due: ColumnElement[bool]) -> int:
        claimed = await self._claim(due)
        if claimed:
            await asyncio.gather(*(self._run_one(item, lease) for item, lease in claimed))
        return len(claimed)

    async def _claim(self, due: ColumnElement[bool]) -> list[tuple[OutboxItem, int]]:
        wall = wall_ms()
        lease = wall + self.lease_ms
        # One unit on the database's writer: it runs after every commit that enqueued work.
        items = await self.db.run_write(_claim_due, due, wall, lease, self.batch)
        return [(item, lease) for item in items]

    async def _run_one(self, item: OutboxItem, lease: int) -> None:
        # The item happens at its due time on its clock (module docstring).
        with pinned(item.clock_id, item.due_at):
            await self._run_pinned(item, lease)
        self.runs[item.clock_id] += 1
        async with self.finished:
            self.finished.notify_all()

    async def _run_pinned(self, item: OutboxItem, lease: int) -> None:
        async with self._semaphore:
            handler = self.handlers.get(item.kind)
            ctx = JobContext(
                item_id=item.id,
                kind=item.kind,
                attempt=item.attempts + 1,
                max_attempts=item.max_attempts,
                payload=json.loads(item.payload),
                now=item.due_at,
                http=self.http,
                owner=item.owner,
                outbound=self.outbound,
            )
            if handler is None:
                outcome = Outcome.failed(f"no handler for {item.kind!r}")
            else:
                try:
                    outcome = await handler(ctx)
                except Exception as exc:
                    log.exception("outbox item %s (%s) failed", item.id, item.kind)
                    outcome = Outcome.retry(f"{type(exc).__name__}: {exc}")
            try:
                label = await self.db.run_write(self._record, item, lease, ctx, outcome)
            except Exception:
                # The lease runs out and the item is tried again: at least once.
                log.exception("could not record outcome of outbox item %s", item.id)
                return
            # Counted once the outcome is committed: a lost lease or a failed write is not
            # a delivery (the next holder of the lease counts its own).
            if label is not None and item.kind == "webhook" and self.metrics is not None:
                self.metrics.count_delivery(family=item.family, outcome=label)

    def _record(
        self, session: Session, item: OutboxItem, lease: int, ctx: JobContext, outcome: Outcome
    ) -> str | None:
        """Record the outcome, in one unit of work: its state change, the attempts, the item.
        The attempt's label, or `None` if the lease was lost. What the outcome made due at
        once (a fill's webhook) this worker takes as the unit commits (`reserve`)."""
        now = item.due_at
        status = outcome.status
        if status == "retry" and ctx.attempt >= item.max_attempts:
            status = "failed"
        values: dict[str, Any] = {
            "attempts": ctx.attempt,
            "lease_until": 0,
            "last_error": outcome.error,
        }
        if status == "retry":
            values["due_at"] = outcome.retry_at or now + backoff_ms(
                ctx.attempt, self.backoff_base_ms, self.backoff_cap_ms
            )
        else:
            values.update(status=status, finished_at=now)
        # Only while the lease is still ours (the row stays locked to the end): otherwise
        # someone else took the item over, and their outcome stands.
        held = session.connection().execute(
            update(_OUTBOX)
            .where(
                _OUTBOX.c.id == item.id,
                _OUTBOX.c.lease_until == lease,
                _OUTBOX.c.status == "pending",
            )
            .values(values)
        )
        if held.rowcount != 1:
            return None
        if outcome.apply is not None:
            outcome.apply(session, now)
        label = {"done": "success", "retry": "retry", "failed": "gave_up"}[status]
        add_new(
            session,
            *(
                DeliveryAttempt(
                    outbox_id=item.id,
                    number=ctx.attempt,
                    at=now,
                    url=attempt.url,
                    request_headers=json.dumps(attempt.request_headers)
                    if attempt.request_headers is not None
                    else None,
                    request_body=attempt.request_body,
                    status_code=attempt.status_code,
                    response_body=attempt.response_body,
                    error=attempt.error or (outcome.error if status != "done" else None),
                    duration_ms=attempt.duration_ms,
                    outcome=label,
                )
                for attempt in ctx.attempts or [Attempt(None, None, None, error=outcome.error)]
            ),
        )
        return label


def _due_on(clock_id: str | None, until: int) -> ColumnElement[bool]:
    """Items of one clock due by `until`."""
    on_clock = (
        OutboxItem.clock_id.is_(None) if clock_id is None else OutboxItem.clock_id == clock_id
    )
    return and_(on_clock, OutboxItem.due_at <= until)


def _due_everywhere(global_now: int) -> ColumnElement[bool]:
    """Items due now on their own clocks: the global clock's, or their test clock's."""
    test_clock_now = (
        select(TestClock.now_ms).where(TestClock.id == OutboxItem.clock_id).scalar_subquery()
    )
    return or_(
        and_(OutboxItem.clock_id.is_(None), OutboxItem.due_at <= global_now),
        and_(OutboxItem.clock_id.is_not(None), OutboxItem.due_at <= test_clock_now),
    )


def _claim_due(
    session: Session, due: ColumnElement[bool], wall: int, lease: int, batch: int
) -> list[OutboxItem]:
    """Up to `batch` due items, leased until `lease` (`Worker._claim`)."""
    stmt = (
        select(OutboxItem)
        .where(OutboxItem.status == "pending", due, OutboxItem.lease_until < wall)
        .order_by(OutboxItem.due_at, OutboxItem.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    items = list(session.execute(stmt).scalars())
    if items:
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.id.in_([item.id for item in items]))
            .values(lease_until=lease)
        )
    return items
