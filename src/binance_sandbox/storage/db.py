"""Engines and transactions for SQLite (embedded default) and PostgreSQL (scale)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Connection, Executable, Row, create_engine, event, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import PoolResetState, StaticPool

from binance_sandbox.storage.inserts import insert_rows
from binance_sandbox.storage.models import Base
from binance_sandbox.storage.sqlite_driver import OneHopConnection, one_hop_dbapi

log = logging.getLogger(__name__)


class Database:
    """Owns the engine. `read()` gives a plain transaction; `write()` one that, on SQLite,
    takes the write lock up front (BEGIN IMMEDIATE) so that two writers never deadlock
    upgrading a shared lock."""

    def __init__(self, url: str, *, pool_size: int = 20, lock_timeout_ms: int = 10_000) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        # Every connection the pool may open (PostgreSQL: pool_size; SQLite: 15) is kept once
        # opened, with no "overflow": an overflow connection is
        # closed when it is returned, so under more concurrent requests than the pool holds
        # each request would open (and on SQLite start a thread for) a connection of its own.
        kwargs: dict[str, Any] = {"max_overflow": 0}
        if self.is_sqlite:
            kwargs["pool_size"] = 15
            # Reset on return is the "reset" listener's (_configure_sqlite).
            kwargs["pool_reset_on_return"] = None
            kwargs["connect_args"] = {"timeout": lock_timeout_ms / 1000}
            # One thread hop per statement instead of four (sqlite_driver.py).
            kwargs["module"] = one_hop_dbapi()
            if ":memory:" in url or url.rstrip("/").endswith("sqlite+aiosqlite:"):
                raise ValueError("use a SQLite file, not an in-memory database")
        else:
            kwargs["pool_size"] = pool_size
            kwargs["pool_pre_ping"] = True
            kwargs["connect_args"] = {"options": f"-c lock_timeout={lock_timeout_ms}"}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine, lock_timeout_ms)
            # The writes' own connection, one (writers queue on `_write_lock`), inline: its
            # statements run on the event loop's thread (sqlite_driver.py).
            self._inline_engine: AsyncEngine | None = create_async_engine(
                url,
                pool_size=1,
                max_overflow=0,
                pool_reset_on_return=None,
                module=one_hop_dbapi(inline_lock_timeout_ms=lock_timeout_ms),
            )
            _configure_sqlite(self._inline_engine, lock_timeout_ms, inline=True)
            self._write_engine = self._inline_engine.execution_options(sqlite_begin="IMMEDIATE")
        else:
            self._inline_engine = None
            self._write_engine = self.engine
        # `rows`: one statement, so no transaction around it. On SQLite no BEGIN (SQLite runs
        # the statement in its own, one snapshot); on PostgreSQL autocommit (no BEGIN and
        # ROLLBACK round trips).
        self._single_statement_engine = self.engine.execution_options(
            **({"sqlite_begin": None} if self.is_sqlite else {"isolation_level": "AUTOCOMMIT"})
        )
        # SQLite has one writer at a time: writers of this process queue here instead of
        # sleep-polling in SQLite's busy handler (another process's writer makes the first
        # statement wait, asleep, up to the lock timeout: sqlite_driver.Inline).
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        self._read_sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._reader = _SqliteReader(url) if self.is_sqlite else None
        self._write_sessions = async_sessionmaker(self._write_engine, expire_on_commit=False)
        self._checkpoints = _Checkpoints(url) if self.is_sqlite else None

    @property
    def write_engine(self) -> AsyncEngine:
        """The engine `write()`'s transactions run on (on SQLite not `engine`: the inline
        connection's own)."""
        return self._inline_engine or self.engine

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._read_sessions() as session:
            yield session

    async def rows(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> Sequence[Row[Any]]:
        """The rows of one read statement, through SQLAlchemy Core, in no transaction.

        For the hot reads that need columns, not objects: an ORM session (its transaction
        bookkeeping, identity map and object loading) costs more than the query itself.

        On SQLite the statement runs right here, on the event loop's thread, on a read-only
        connection of its own: an indexed read takes SQLite microseconds, less than handing
        it to a driver thread and being woken with its answer. A WAL reader does not wait for
        writers; in the rare case SQLite still answers "busy" (a checkpoint resetting the
        log) the read goes the pooled, threaded way, which waits.
        """
        if self._reader is not None:
            try:
                return self._reader.rows(statement, params)
            except OperationalError as exc:
                if not isinstance(exc.orig, sqlite3.OperationalError) or "locked" not in str(
                    exc.orig
                ):
                    raise
        async with self._single_statement_engine.connect() as conn:
            return (await conn.execute(statement, params)).all()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A transaction that commits when the block ends and rolls back on any error."""
        async with self._writer_turn(), self._write_sessions() as session, session.begin():
            yield session

    async def insert(self, *objects: Base) -> None:
        """A transaction that only inserts these new rows (`insert_new`), in this order; on
        a Core connection, with no ORM session around it."""
        async with self._writer_turn(), self._write_engine.begin() as conn:
            await conn.run_sync(insert_rows, objects)

    @asynccontextmanager
    async def _writer_turn(self) -> AsyncIterator[None]:
        """On SQLite, this process's turn at the one writer (`_write_lock`); a transaction
        that committed counts towards the next checkpoint."""
        if self._write_lock is None or self._checkpoints is None:
            yield
            return
        async with self._write_lock:
            yield
        self._checkpoints.committed()

    async def dispose(self) -> None:
        if self._reader is not None:
            self._reader.dispose()
        if self._checkpoints is not None:
            await self._checkpoints.close()
        if self._inline_engine is not None:
            await self._inline_engine.dispose()
        await self.engine.dispose()


class _SqliteReader:
    """`Database.rows`'s synchronous SQLite connection: one, used only on the event loop's
    thread and one statement at a time, so it is opened once and kept (a checkout and
    return per statement cost more than the statement); read-only, never waiting on a lock,
    each statement in SQLite's autocommit (a fresh snapshot each)."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(
            make_url(url).set(drivername="sqlite"),
            poolclass=StaticPool,
            connect_args={"check_same_thread": False, "timeout": 0},
            isolation_level="AUTOCOMMIT",
        )

        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA query_only=ON")
            cursor.execute("PRAGMA busy_timeout=0")
            cursor.close()

        self._connection: Connection | None = None

    def rows(self, statement: Executable, params: Mapping[str, Any] | None) -> Sequence[Row[Any]]:
        if self._connection is None or self._connection.invalidated:
            self._connection = self.engine.connect()
        return self._connection.execute(statement, params).all()

    def dispose(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self.engine.dispose()


class _Checkpoints:
    """WAL checkpoints, off the event loop's thread.

    SQLite copies the write-ahead log back into the database file ("checkpoints") by itself
    at the commit that grows the log past 1000 pages, in the committing connection; for
    `Database.write`'s inline connection that would be the event loop's thread, stopped
    for the copy and its fsync. That connection turns the automatic checkpoint off
    (`_configure_sqlite`) and every `EVERY` commits this runs a PASSIVE checkpoint (which
    never waits for readers or writers) on a worker thread, on a connection of its own.
    """

    EVERY = 200

    def __init__(self, url: str) -> None:
        self.path = make_url(url).database or ""
        self._commits = 0
        self._running: asyncio.Future[None] | None = None
        self._connection: sqlite3.Connection | None = None

    def committed(self) -> None:
        self._commits += 1
        if self._commits >= self.EVERY and (self._running is None or self._running.done()):
            self._commits = 0
            self._running = asyncio.ensure_future(asyncio.to_thread(self._checkpoint))

    def _checkpoint(self) -> None:
        try:
            if self._connection is None:
                self._connection = sqlite3.connect(
                    self.path, timeout=0, isolation_level=None, check_same_thread=False
                )
            self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as error:  # the next one, or SQLite's own at close, catches up
            log.warning("WAL checkpoint failed: %s", error)

    async def close(self) -> None:
        if self._running is not None:
            await self._running
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _configure_sqlite(engine: AsyncEngine, lock_timeout_ms: int, *, inline: bool = False) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        if inline:
            # On the event loop's thread: never wait inside SQLite (sqlite_driver.Inline
            # waits for the write lock asleep instead), never checkpoint (_Checkpoints).
            cursor.execute("PRAGMA busy_timeout=0")
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode is None:  # a single statement (`Database.rows`): SQLite's autocommit
            return
        statement = f"BEGIN {mode}"
        adapted = conn.connection.dbapi_connection
        if isinstance(adapted, OneHopConnection):
            # Sent with the transaction's first statement, in the same call on the
            # connection's thread (sqlite_driver.py).
            adapted.begin_on_next_statement(statement)
            return
        conn.exec_driver_sql(statement)

    # No rollback on return to the pool when no transaction is open: a session's close has
    # already rolled its transaction back, and SQLAlchemy's own reset would roll back again,
    # a no-op for SQLite that still costs a thread hop (sqlite_driver.py).
    @event.listens_for(sync_engine, "reset")
    def _on_reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
        if isinstance(dbapi_connection, OneHopConnection):
            dbapi_connection.pending_begin = None
        if state.asyncio_safe and _in_transaction(dbapi_connection):
            dbapi_connection.rollback()


def _in_transaction(dbapi_connection: Any) -> bool:
    """Whether the SQLite connection has a transaction open (True when it cannot tell)."""
    driver = getattr(dbapi_connection, "driver_connection", dbapi_connection)
    return bool(getattr(driver, "in_transaction", True))
