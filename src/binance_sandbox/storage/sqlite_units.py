"""SQLite's units of work run whole on a thread of their own, in one hop from the event loop.

aiosqlite runs each call of the `sqlite3` API on its connection's thread, so a statement made
through SQLAlchemy is three or four hops to that thread and back (cursor, execute, fetch,
close), each an event-loop wake-up; a small write of BEGIN, three INSERTs and COMMIT is
thirteen, and the writer that holds SQLite's one write lock waits an event-loop turn at every
one of them. The hot units (`Database.rows`, `insert`, `run_write`) instead run on a
synchronous engine of the standard `sqlite3` driver, on a thread pool, the whole unit in one
call (`loop.run_in_executor`).

Writes go to one thread, the writer, in the order they come: SQLite has one writer at a time,
and a queue of writes run back to back on the writer never waits for the event loop between
two of them, nor sleeps in SQLite's busy handler for a writer of this process. An `AsyncSession`
write (`Database.write`) takes the writer too (`held`): the writer waits, blocked, until that
write's block ends. A writer of another process is waited for by the busy timeout.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, make_url

T = TypeVar("T")

# One reader: the reads given to it are single indexed statements, done in microseconds, and
# every other thread is one more contender for the GIL on each `sqlite3` call (measured:
# more server CPU per request with four).
READERS = 1


class SqliteUnits:
    """The synchronous engine (`write_engine` begins with BEGIN IMMEDIATE, `read_engine` with no
    BEGIN: single statements), the readers' threads and the writer."""

    def __init__(self, url: str, lock_timeout_ms: int) -> None:
        self.engine: Engine = create_engine(
            make_url(url).set(drivername="sqlite"),
            pool_size=READERS + 1,
            max_overflow=0,
            connect_args={"timeout": lock_timeout_ms / 1000, "check_same_thread": False},
        )
        self.write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self.read_engine = self.engine.execution_options(sqlite_begin=None)
        self._readers = ThreadPoolExecutor(READERS, thread_name_prefix="sqlite-reader")
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        self._holds: set[threading.Event] = set()

    async def read(self, work: Callable[..., T], *args: Any) -> T:
        return await _on(self._readers, work, *args)

    async def write(self, work: Callable[..., T], *args: Any) -> T:
        return await _on(self._writer, work, *args)

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        """The writer kept waiting, after the writes queued before, until the block ends."""
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[None] = loop.create_future()
        released = threading.Event()
        self._holds.add(released)

        def hold() -> None:
            loop.call_soon_threadsafe(_start, turn)
            released.wait()

        self._writer.submit(hold)
        try:
            await turn
            yield
        finally:
            released.set()
            self._holds.discard(released)

    def dispose(self) -> None:
        for released in list(self._holds):
            released.set()
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        self.engine.dispose()


async def _on(executor: ThreadPoolExecutor, work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` on the executor's thread, in a copy of the caller's context (as
    `asyncio.to_thread` does): the time pinned for the current work (`binance_sandbox.clock`)
    holds there too."""
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    return await loop.run_in_executor(executor, functools.partial(context.run, work, *args))


def _start(turn: asyncio.Future[None]) -> None:
    if not turn.done():  # not given up (cancelled) while it waited
        turn.set_result(None)
