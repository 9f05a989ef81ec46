"""SQLite's writes of one process sharing a transaction (storage/db.py, `_GroupCommit`): each
write a savepoint of it, one COMMIT for the writes that come together, and for each write
the same promise as alone: when `Database.write` returns, it is committed; when it raises,
nothing of it is kept."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError, OperationalError

from binance_sandbox.storage.db import Database, TransactionRolledBack, _GroupCommit


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "group.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)")
    yield f"sqlite+aiosqlite:///{path}"


def stored(url: str) -> list[str]:
    """What the file holds, read by a connection of another kind."""
    with sqlite3.connect(url.split("///", 1)[1]) as conn:
        return [v for (v,) in conn.execute("SELECT v FROM t ORDER BY v")]


def commits(db: Database) -> list[int]:
    """Counts the COMMITs `write()`'s connection sends."""
    seen: list[int] = []
    event.listen(db.write_engine.sync_engine, "commit", lambda _conn: seen.append(1))
    return seen


async def warm(db: Database) -> None:
    """The write connection opened (opening it is the one wait of a write's turn)."""
    async with db.write() as s:
        await s.execute(text("SELECT 1"))


async def insert(db: Database, value: str) -> None:
    async with db.write() as s:
        await s.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": value})


def test_writes_that_come_together_share_one_commit_and_return_committed(url: str) -> None:
    async def main() -> tuple[int, list[bool]]:
        db = Database(url)
        sent = commits(db)

        async def write_then_look(value: str) -> bool:
            await insert(db, value)
            # Returned: committed, so another connection sees it at once.
            return bool(await db.rows(text("SELECT 1 FROM t WHERE v = :v"), {"v": value}))

        try:
            seen = await asyncio.gather(*(write_then_look(f"w{i:02}") for i in range(20)))
            return len(sent), list(seen)
        finally:
            await db.dispose()

    sent, seen = asyncio.run(main())
    assert sent == 1
    assert seen == [True] * 20
    assert stored(url) == [f"w{i:02}" for i in range(20)]


def test_a_transaction_takes_at_most_most_writes(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_GroupCommit, "MOST", 3)

    async def main() -> int:
        db = Database(url)
        sent = commits(db)
        try:
            await asyncio.gather(*(insert(db, f"w{i}") for i in range(10)))
            return len(sent)
        finally:
            await db.dispose()

    assert asyncio.run(main()) >= 4
    assert len(stored(url)) == 10


def test_a_failed_write_leaves_the_others_of_its_transaction(url: str) -> None:
    async def main() -> tuple[list[Any], int]:
        db = Database(url)
        sent = commits(db)

        async def refused() -> None:
            async with db.write() as s:
                await s.execute(text("INSERT INTO t (v) VALUES ('mine')"))
                await s.execute(text("INSERT INTO t (v) VALUES ('a')"))  # taken: refused

        async def abandoned() -> None:
            async with db.write() as s:
                await s.execute(text("INSERT INTO t (v) VALUES ('gone')"))
                raise RuntimeError("abandon")

        try:
            outcomes = await asyncio.gather(
                insert(db, "a"), refused(), insert(db, "b"), abandoned(), return_exceptions=True
            )
            return outcomes, len(sent)
        finally:
            await db.dispose()

    outcomes, sent = asyncio.run(main())
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], IntegrityError)
    assert isinstance(outcomes[3], RuntimeError)
    assert sent == 1
    assert stored(url) == ["a", "b"]


def test_a_transaction_sqlite_rolled_back_fails_every_write_of_it(url: str) -> None:
    """SQLite rolls a whole transaction back on some errors (a full disk, an I/O error): a
    write that ended well before it is gone too, and is told so."""

    async def main() -> list[Any]:
        db = Database(url)

        async def rolled_back() -> None:
            async with db.write() as s:
                await s.execute(text("INSERT INTO t (v) VALUES ('x')"))
                await s.execute(text("ROLLBACK"))  # as SQLite does on such an error
                raise OSError("disk full")

        try:
            outcomes = await asyncio.gather(
                insert(db, "first"), rolled_back(), return_exceptions=True
            )
            await insert(db, "after")  # the next transaction is a new one
            return outcomes
        finally:
            await db.dispose()

    first, second = asyncio.run(main())
    assert isinstance(first, TransactionRolledBack)
    assert isinstance(second, OperationalError)  # its savepoint went with the transaction
    assert stored(url) == ["after"]


def test_a_commit_that_fails_fails_every_write_of_it(url: str) -> None:
    async def main() -> list[Any]:
        db = Database(url)

        def refuse(_conn: Any) -> None:
            raise OSError("disk I/O error")

        engine = db.write_engine.sync_engine
        try:
            event.listen(engine, "commit", refuse)
            outcomes = await asyncio.gather(
                insert(db, "a"), insert(db, "b"), return_exceptions=True
            )
            event.remove(engine, "commit", refuse)
            await insert(db, "c")
            return outcomes
        finally:
            await db.dispose()

    outcomes = asyncio.run(main())
    assert [type(o) for o in outcomes] == [OSError, OSError]
    assert stored(url) == ["c"]


def test_a_write_cancelled_while_it_waits_for_the_commit_does_not_stop_the_others(
    url: str,
) -> None:
    """Cancelled after its turn, a write is already in the transaction: it is committed with
    the others (as a write cancelled just after its commit)."""

    async def main() -> Any:
        db = Database(url)
        try:
            await warm(db)
            first = asyncio.create_task(insert(db, "a"))
            second = asyncio.create_task(insert(db, "b"))
            await asyncio.sleep(0)  # both have had their turn, neither is committed
            assert stored(url) == []
            first.cancel()
            await second
            return (await asyncio.gather(first, return_exceptions=True))[0]
        finally:
            await db.dispose()

    assert isinstance(asyncio.run(main()), asyncio.CancelledError)
    assert stored(url) == ["a", "b"]


def test_dispose_waits_for_the_open_transaction(url: str) -> None:
    async def main() -> None:
        db = Database(url)
        write = asyncio.create_task(insert(db, "a"))  # its turn: opening the connection
        await asyncio.sleep(0)
        await db.dispose()
        assert write.done() and write.exception() is None

    asyncio.run(main())
    assert stored(url) == ["a"]
