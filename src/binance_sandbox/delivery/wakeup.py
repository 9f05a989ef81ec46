"""What wakes the delivery worker as soon as work is enqueued; polling is only the fallback.

- **SQLite**: the database calls `wake` when a statement of this process inserts outbox rows
  due at once (`Database.on_outbox_insert`). Other processes on the same file are not heard:
  a separate worker on SQLite polls.
- **PostgreSQL**: every such insert also sends a notification on OUTBOX_CHANNEL in its
  transaction, which PostgreSQL delivers when (and only if) that transaction commits, to
  every connection that listens, in this process or another. Each worker listens on a
  connection of its own, through its driver's documented API, the driver the database URL
  names: asyncpg's `Connection.add_listener`, or psycopg's `AsyncConnection.notifies()`.
  When that connection is lost it is opened again; once listening again the worker is woken,
  since what was committed in between was not heard.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy import make_url

from binance_sandbox.storage.db import OUTBOX_CHANNEL, Database

log = logging.getLogger("binance_sandbox.delivery")

Wake = Callable[[], None]
RECONNECT_S = 1.0


@contextlib.asynccontextmanager
async def wakeups(db: Database, wake: Wake) -> AsyncIterator[None]:
    """`wake()` is called whenever work is enqueued, while the block runs (from any thread)."""
    if db.is_sqlite:
        stop_listening = db.on_outbox_insert(wake)
        try:
            yield
        finally:
            stop_listening()
        return
    stop = asyncio.Event()
    listener = asyncio.create_task(listen(db.url, wake, stop))
    try:
        yield
    finally:
        stop.set()
        await listener


async def listen(url: str, wake: Wake, stop: asyncio.Event) -> None:
    """LISTEN on OUTBOX_CHANNEL until `stop` is set, connecting again after a failure."""
    parsed = make_url(url)
    # The URL without its SQLAlchemy driver name is one that either driver takes.
    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    listen_once = _asyncpg if parsed.get_driver_name() == "asyncpg" else _psycopg
    while not stop.is_set():
        try:
            await listen_once(dsn, wake, stop)
        except Exception as exc:  # any failure of the connection: polling covers until then
            log.warning("not listening for new outbox work (%s); polling", exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), RECONNECT_S)


async def _asyncpg(dsn: str, wake: Wake, stop: asyncio.Event) -> None:
    import asyncpg  # type: ignore[import-untyped]

    connection = await asyncpg.connect(dsn)
    lost = asyncio.Event()
    connection.add_termination_listener(lambda _connection: lost.set())
    try:
        await connection.add_listener(OUTBOX_CHANNEL, lambda *_notification: wake())
        wake()  # what was committed before this listened
        await _until_first(stop.wait(), lost.wait())
    finally:
        if not connection.is_closed():
            await connection.close()
    if lost.is_set() and not stop.is_set():
        raise ConnectionError("the listening connection was closed")


async def _psycopg(dsn: str, wake: Wake, stop: asyncio.Event) -> None:
    import psycopg
    from psycopg import sql

    async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
        await connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(OUTBOX_CHANNEL)))
        wake()  # what was committed before this listened

        async def notified() -> None:
            async for _notification in connection.notifies():
                wake()

        await _until_first(stop.wait(), notified())


async def _until_first(*waits: Any) -> None:
    """Until the first of these ends; the others are cancelled, its error raised."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        task.result()
