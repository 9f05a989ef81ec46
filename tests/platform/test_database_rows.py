"""`Database` through its public API, on the engine the suite runs on: a failed write leaves
nothing, writers that come together all land and never deadlock, a database held by another
writer answers "busy"."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from binance_sandbox.config import Settings
from binance_sandbox.storage.db import Database
from binance_sandbox.web import is_busy
from sandbox_harness import create_database


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    made, drop = create_database(tmp_path, "rows")
    try:
        yield Settings(database_url=made).database_url  # the async driver's URL
    finally:
        drop()


async def _table(db: Database) -> None:
    async with db.write() as s:
        await s.execute(text("CREATE TABLE t (v VARCHAR(16) PRIMARY KEY)"))


async def _values(db: Database) -> list[str]:
    return [r[0] for r in await db.rows(text("SELECT v FROM t ORDER BY v"))]


def test_rows_then_a_failed_transaction_leaves_nothing(url: str) -> None:
    async def main() -> list[str]:
        # One connection: the transactions below reuse the one `rows` used.
        db = Database(url, pool_size=1)
        try:
            await _table(db)
            async with db.write() as s:
                await s.execute(text("INSERT INTO t (v) VALUES ('a')"))
            assert [tuple(r) for r in await db.rows(text("SELECT v FROM t"))] == [("a",)]
            with pytest.raises(RuntimeError):
                async with db.write() as s:
                    await s.execute(text("INSERT INTO t (v) VALUES ('b')"))
                    raise RuntimeError("abandon")

            def half_then_fail(session: Session) -> None:
                session.execute(text("INSERT INTO t (v) VALUES ('c')"))
                session.execute(text("INSERT INTO t (v) VALUES ('a')"))  # a duplicate key

            with pytest.raises(IntegrityError):
                await db.run_write(half_then_fail)
            return await _values(db)
        finally:
            await db.dispose()

    assert asyncio.run(main()) == ["a"]


def test_writers_together_all_land(url: str) -> None:
    """Many writes at once, each reading then writing: none lost, none deadlocked."""

    async def main() -> list[str]:
        db = Database(url, pool_size=4)
        try:
            await _table(db)

            async def one(i: int) -> None:
                async with db.write() as s:
                    await s.execute(text("SELECT count(*) FROM t"))
                    await s.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": f"w{i:03}"})

            def by_run_write(session: Session, i: int) -> None:
                session.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": f"r{i:03}"})

            await asyncio.wait_for(
                asyncio.gather(
                    *(one(i) for i in range(40)),
                    *(db.run_write(by_run_write, i) for i in range(40)),
                ),
                timeout=60,
            )
            return await _values(db)
        finally:
            await db.dispose()

    assert asyncio.run(main()) == sorted(
        [f"w{i:03}" for i in range(40)] + [f"r{i:03}" for i in range(40)]
    )


def test_a_database_held_by_another_writer_is_busy(url: str) -> None:
    """Another process's writer (here: another engine) holds the lock past the lock timeout:
    the write fails with an error the families answer as "busy, retry"."""

    async def main() -> BaseException:
        holder = Database(url)
        db = Database(url, lock_timeout_ms=200)
        try:
            await _table(holder)
            async with holder.write() as s:
                if holder.is_sqlite:
                    await s.execute(text("INSERT INTO t (v) VALUES ('held')"))
                else:
                    await s.execute(text("LOCK TABLE t IN ACCESS EXCLUSIVE MODE"))
                with pytest.raises(Exception) as caught:
                    async with db.write() as other:
                        await other.execute(text("INSERT INTO t (v) VALUES ('waits')"))
            return caught.value
        finally:
            await db.dispose()
            await holder.dispose()

    assert is_busy(asyncio.run(main()))
