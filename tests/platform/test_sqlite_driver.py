"""The SQLite driver's one call per statement (storage/sqlite_driver.py): fewer trips to the
connection's thread, none for writes and single-statement reads, the same transactions,
results and errors."""

from __future__ import annotations

import asyncio
import multiprocessing
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from binance_sandbox.storage.db import Database, _Checkpoints
from binance_sandbox.storage.inserts import insert_new
from binance_sandbox.storage.models import Base, OrderEvent


async def create_tables(db: Database) -> None:
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "driver.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)")
        conn.execute("INSERT INTO t (v) VALUES ('a'), ('b')")
    yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every call this test's event loop sends to a connection's thread (a server another
    test left running in a thread of this process sends its own: not counted)."""
    seen: list[Any] = []
    original = aiosqlite.Connection._execute
    here = threading.get_ident()

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() == here:
            seen.append(fn)
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return seen


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_a_read_is_two_calls_to_the_connection_thread(url: str, calls: list[Any]) -> None:
    async def main() -> tuple[list[Any], int]:
        db = Database(url)
        try:
            async with db.read() as s:  # warm: the pool opens its connection
                await s.execute(text("SELECT 1"))
            calls.clear()
            async with db.read() as s:
                rows = (await s.execute(text("SELECT v FROM t ORDER BY id"))).all()
            return [tuple(r) for r in rows], len(calls)
        finally:
            await db.dispose()

    rows, count = run(main())
    assert rows == [("a",), ("b",)]
    # BEGIN with the SELECT, then the ROLLBACK: not BEGIN, cursor, execute, fetch, close, rollback.
    assert count == 2


def test_a_single_statement_read_runs_on_the_loop_thread(url: str, calls: list[Any]) -> None:
    """`Database.rows` reads SQLite right there, sends nothing to a driver thread, and sees
    what the pooled connections committed a moment before."""

    async def main() -> tuple[list[Any], list[Any], int]:
        db = Database(url)
        try:
            calls.clear()
            rows = await db.rows(text("SELECT v FROM t WHERE v = :v"), {"v": "b"})
            async with db.write() as s:
                await s.execute(text("INSERT INTO t (v) VALUES ('c')"))
            after = await db.rows(text("SELECT v FROM t ORDER BY v"))
            sent = [fn for fn in calls if "SELECT" in repr(fn)]
            return [tuple(r) for r in rows], [tuple(r) for r in after], len(sent)
        finally:
            await db.dispose()

    rows, after, sent = run(main())
    assert rows == [("b",)]
    assert after == [("a",), ("b",), ("c",)]
    assert sent == 0


def test_a_read_the_database_refuses_for_a_lock_waits_on_the_pooled_way(url: str) -> None:
    """A connection holding SQLite's exclusive lock keeps even WAL readers out: the loop
    thread's reader does not wait (that would stop every request), the pooled read does, and
    gets its rows once the lock is let go."""
    path = url.removeprefix("sqlite+aiosqlite:///")

    async def main() -> list[Any]:
        db = Database(url)
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("PRAGMA locking_mode=EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
            holder.execute("INSERT INTO t (v) VALUES ('held')")
            holder.execute("COMMIT")  # EXCLUSIVE locking mode: still held, until it closes

            loop = asyncio.get_running_loop()
            loop.call_later(0.3, holder.close)
            started = loop.time()
            rows = await db.rows(text("SELECT v FROM t ORDER BY v"))
            assert loop.time() - started >= 0.25  # it waited for the lock
            return [tuple(r) for r in rows]
        finally:
            holder.close()
            await db.dispose()

    assert run(main()) == [("a",), ("b",), ("held",)]


def test_writes_commit_together_or_not_at_all(url: str) -> None:
    async def main() -> tuple[list[str], int]:
        db = Database(url)
        try:
            with pytest.raises(RuntimeError):
                async with db.write() as s:
                    await s.execute(text("INSERT INTO t (v) VALUES ('c')"))
                    raise RuntimeError("abandon")
            async with db.write() as s:
                await s.execute(text("INSERT INTO t (v) VALUES ('d')"))
                await s.execute(
                    text("INSERT INTO t (v) VALUES (:v)"), [{"v": "e"}, {"v": "f"}]
                )  # executemany
                updated = (
                    await s.execute(text("UPDATE t SET v = v || '!' WHERE v < 'c'"))
                ).rowcount
            async with db.read() as s:
                values = [r[0] for r in (await s.execute(text("SELECT v FROM t ORDER BY id")))]
            return values, updated
        finally:
            await db.dispose()

    values, updated = run(main())
    assert values == ["a!", "b!", "d", "e", "f"]
    assert updated == 2


def test_a_failed_statement_rolls_back_what_came_before_it(url: str) -> None:
    async def main() -> list[str]:
        db = Database(url)
        try:
            with pytest.raises(Exception, match="UNIQUE"):
                async with db.write() as s:
                    await s.execute(text("INSERT INTO t (v) VALUES ('z')"))
                    await s.execute(text("INSERT INTO t (v) VALUES ('a')"))
            async with db.read() as s:
                return [r[0] for r in (await s.execute(text("SELECT v FROM t ORDER BY id")))]
        finally:
            await db.dispose()

    assert run(main()) == ["a", "b"]


def test_a_locked_database_is_an_error_and_no_write_slips_through(url: str) -> None:
    """Another process holds the write lock: BEGIN IMMEDIATE fails with the first statement,
    which therefore does not run on its own outside a transaction."""
    path = url.split("///", 1)[1]

    async def main() -> list[str]:
        db = Database(url, lock_timeout_ms=100)
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(OperationalError, match="locked"):
                async with db.write() as s:
                    await s.execute(text("INSERT INTO t (v) VALUES ('x')"))
            other.execute("ROLLBACK")
            async with db.write() as s:
                await s.execute(text("INSERT INTO t (v) VALUES ('y')"))
            async with db.read() as s:
                return [r[0] for r in (await s.execute(text("SELECT v FROM t ORDER BY id")))]
        finally:
            other.close()
            await db.dispose()

    assert run(main()) == ["a", "b", "y"]


def test_a_streamed_read_runs_inside_its_transaction(url: str) -> None:
    """A server-side cursor is aiosqlite's own; the pending BEGIN is sent before it."""

    async def main() -> tuple[list[str], bool]:
        db = Database(url)
        try:
            async with db.write() as s:
                streamed = await s.stream(text("SELECT v FROM t ORDER BY id"))
                values = [r[0] async for r in streamed]
                raw = await (await s.connection()).get_raw_connection()
                inside = bool(raw.driver_connection.in_transaction)
                await s.execute(text("INSERT INTO t (v) VALUES ('c')"))
            return values, inside
        finally:
            await db.dispose()

    values, inside = run(main())
    assert values == ["a", "b"]
    assert inside


def test_a_write_runs_on_the_loop_thread(url: str, calls: list[Any]) -> None:
    """`Database.write`'s statements, BEGIN and COMMIT make no trip to a driver thread."""

    async def main() -> tuple[int, list[Any]]:
        db = Database(url)
        try:
            async with db.write() as s:  # warm: the connection is opened
                await s.execute(text("INSERT INTO t (v) VALUES ('c')"))
            calls.clear()
            async with db.write() as s:
                await s.execute(text("INSERT INTO t (v) VALUES ('d')"))
                await s.execute(text("UPDATE t SET v = 'e' WHERE v = 'd'"))
            sent = len(calls)
            async with db.read() as s:
                rows = (await s.execute(text("SELECT v FROM t ORDER BY id"))).all()
            return sent, [r[0] for r in rows]
        finally:
            await db.dispose()

    sent, values = run(main())
    assert sent == 0
    assert values == ["a", "b", "c", "e"]


def test_a_write_waits_for_another_process_asleep(url: str) -> None:
    """Another process holds the write lock: the write waits for it without stopping the
    event loop (other tasks run meanwhile), then commits."""
    path = url.split("///", 1)[1]

    async def main() -> tuple[list[str], int]:
        db = Database(url, lock_timeout_ms=5_000)
        other = sqlite3.connect(path, isolation_level=None)
        ticks = 0

        async def ticking() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.create_task(ticking())
        try:
            async with db.write() as s:  # the database in WAL mode, as the server keeps it
                await s.execute(text("SELECT 1"))
            other.execute("BEGIN IMMEDIATE")
            asyncio.get_running_loop().call_later(0.3, other.execute, "COMMIT")
            async with db.write() as s:
                await s.execute(text("INSERT INTO t (v) VALUES ('x')"))
            async with db.read() as s:
                rows = (await s.execute(text("SELECT v FROM t ORDER BY id"))).all()
            return [r[0] for r in rows], ticks
        finally:
            ticker.cancel()
            other.close()
            await db.dispose()

    values, ticks = run(main())
    assert values == ["a", "b", "x"]
    assert ticks >= 10  # the loop ran on through the 0.3 s wait


def test_checkpoints_run_off_the_loop_thread(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The write connection never checkpoints by itself; every `EVERY` commits a PASSIVE
    checkpoint runs on a worker thread and copies the log into the database file."""
    monkeypatch.setattr(_Checkpoints, "EVERY", 3)
    path = Path(url.split("///", 1)[1])

    async def main() -> tuple[int, list[int]]:
        db = Database(url)
        sizes = []
        try:
            async with db.write() as s:
                automatic = (await s.execute(text("PRAGMA wal_autocheckpoint"))).scalar_one()
            sizes.append(path.stat().st_size)
            async with db.write() as s:  # the second commit: still all in the log
                await s.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": "x" * 200_000})
            sizes.append(path.stat().st_size)
            async with db.write() as s:  # the third: a checkpoint
                await s.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": "y" * 200_000})
            assert db._checkpoints is not None and db._checkpoints._running is not None
            await db._checkpoints._running
            sizes.append(path.stat().st_size)
            return automatic, sizes
        finally:
            await db.dispose()

    automatic, (before, logged, checkpointed) = run(main())
    assert automatic == 0
    assert logged == before
    assert checkpointed > before + 400_000


def test_insert_new_writes_in_order_with_keys_and_defaults(url: str) -> None:
    """`insert_new`: the rows, in the transaction (gone with its rollback), each generated
    key set on its object, the table's defaults for what the object leaves unset."""

    async def main() -> tuple[list[Any], list[int]]:
        db = Database(url)
        try:
            await create_tables(db)
            first = OrderEvent(family="pay", order_ref="r1", at=1, kind="created")
            second = OrderEvent(family="pay", order_ref="r1", at=2, kind="paid", detail="{}")
            async with db.write() as s:
                await insert_new(s, first, second)
            with pytest.raises(RuntimeError):
                async with db.write() as s:
                    await insert_new(s, OrderEvent(family="pay", order_ref="r2", at=3, kind="x"))
                    raise RuntimeError("abandon")
            rows = await db.rows(
                select(OrderEvent.id, OrderEvent.order_ref, OrderEvent.kind, OrderEvent.detail)
            )
            return [tuple(r) for r in rows], [first.id, second.id]
        finally:
            await db.dispose()

    rows, ids = run(main())
    assert rows == [(ids[0], "r1", "created", "{}"), (ids[1], "r1", "paid", "{}")]
    assert ids[0] < ids[1]


def test_database_insert_is_one_transaction_on_the_loop_thread(url: str, calls: list[Any]) -> None:
    """`Database.insert`: its rows all written, or none (a refused row undoes the ones before
    it), with no trip to a driver thread."""

    async def main() -> tuple[list[Any], int]:
        db = Database(url)
        try:
            await create_tables(db)
            await db.insert(OrderEvent(family="pay", order_ref="warm", at=0, kind="x"))
            calls.clear()
            first = OrderEvent(family="pay", order_ref="r1", at=1, kind="created")
            await db.insert(first, OrderEvent(family="pay", order_ref="r1", at=2, kind="paid"))
            with pytest.raises(IntegrityError):
                await db.insert(
                    OrderEvent(family="pay", order_ref="r2", at=3, kind="created"),
                    OrderEvent(id=first.id, family="pay", order_ref="r2", at=4, kind="again"),
                )
            sent = len(calls)
            rows = await db.rows(select(OrderEvent.order_ref, OrderEvent.kind))
            return [tuple(r) for r in rows], sent
        finally:
            await db.dispose()

    rows, sent = run(main())
    assert rows == [("warm", "x"), ("r1", "created"), ("r1", "paid")]
    assert sent == 0


def _write_many(url: str, tag: str, count: int, start: Any) -> None:
    """In a process of its own: `count` one-row writes, as fast as it can, once every
    writer is connected (`start`, a barrier)."""

    async def main() -> None:
        db = Database(url, lock_timeout_ms=10_000)
        try:
            async with db.write() as s:  # connected, before the start
                await s.execute(text("SELECT 1"))
            start.wait(30)
            for i in range(count):
                async with db.write() as s:
                    await s.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": f"{tag}{i}"})
        finally:
            await db.dispose()

    asyncio.run(main())


def test_writers_in_two_processes_take_turns_and_lose_nothing(url: str) -> None:
    """Two processes write to one SQLite file as fast as they can: each waits for the other's
    lock (asleep, not in SQLite), none fails, every row is there."""
    path = url.split("///", 1)[1]

    async def warm() -> None:  # the file in WAL mode, as the server keeps it
        db = Database(url)
        try:
            async with db.write() as s:
                await s.execute(text("SELECT 1"))
        finally:
            await db.dispose()

    run(warm())
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(3)
    writers = [context.Process(target=_write_many, args=(url, tag, 500, start)) for tag in "xy"]
    for writer in writers:
        writer.start()
    start.wait(30)
    for writer in writers:
        writer.join(60)
    assert [w.exitcode for w in writers] == [0, 0]
    with sqlite3.connect(path) as conn:
        counts = dict(conn.execute("SELECT substr(v, 1, 1), count(*) FROM t GROUP BY 1"))
    assert counts == {"a": 1, "b": 1, "x": 500, "y": 500}
