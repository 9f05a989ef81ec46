"""The SQLite driver's one call per statement (storage/sqlite_driver.py): fewer trips to the
connection's thread, the same transactions, results and errors."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from binance_sandbox.storage.db import Database


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "driver.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)")
        conn.execute("INSERT INTO t (v) VALUES ('a'), ('b')")
    yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every call sent to a connection's thread."""
    seen: list[Any] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
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


def test_a_single_statement_read_is_one_call(url: str, calls: list[Any]) -> None:
    async def main() -> tuple[list[Any], int]:
        db = Database(url)
        try:
            await db.rows(text("SELECT 1"))  # warm: the pool opens its connection
            calls.clear()
            rows = await db.rows(text("SELECT v FROM t WHERE v = :v"), {"v": "b"})
            count = len(calls)
            # No transaction was left open on the pooled connection.
            async with db.write() as s:
                await s.execute(text("INSERT INTO t (v) VALUES ('c')"))
            return [tuple(r) for r in rows], count
        finally:
            await db.dispose()

    rows, count = run(main())
    assert rows == [("b",)]
    assert count == 1


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
