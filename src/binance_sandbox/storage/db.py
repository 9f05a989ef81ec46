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
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import PoolResetState, StaticPool

from binance_sandbox.storage.inserts import OneStatementInserts, PlainInserts, insert_rows
from binance_sandbox.storage.models import Base
from binance_sandbox.storage.reads import PlainReads
from binance_sandbox.storage.sqlite_driver import (
    INLINE_DRIVER,
    OneHopConnection,
    one_hop_dbapi,
)

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
            # No ping before each checkout: on asyncpg it is a transaction begun, a statement
            # and a rollback, three round trips, more than a read itself. A connection that
            # the server dropped (a restart) fails its statement instead; SQLAlchemy then
            # replaces every connection of the pool, and the request gets its family's
            # "busy, retry" error (`web.is_busy`).
            kwargs["pool_pre_ping"] = False
            kwargs["connect_args"] = _postgresql_settings(url, lock_timeout_ms)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine, lock_timeout_ms)
            # The writes' own connection, one (writers take turns: `_GroupCommit`), inline: its
            # statements run on the event loop's thread (sqlite_driver.py).
            self._inline_engine: AsyncEngine | None = create_async_engine(
                make_url(url).set(drivername=INLINE_DRIVER),
                pool_size=1,
                max_overflow=0,
                pool_reset_on_return=None,
                module=one_hop_dbapi(inline_lock_timeout_ms=lock_timeout_ms),
            )
            _configure_sqlite(self._inline_engine, lock_timeout_ms, inline=True)
            self._write_engine = self._inline_engine.execution_options(sqlite_begin="IMMEDIATE")
            self._plain_inserts = PlainInserts(self._inline_engine.dialect)
        else:
            self._inline_engine = None
            self._write_engine = self.engine
        # `rows`: one statement, so no transaction around it. On SQLite no BEGIN (SQLite runs
        # the statement in its own, one snapshot); on PostgreSQL autocommit (no BEGIN and
        # ROLLBACK round trips).
        self._single_statement_engine = self.engine.execution_options(
            **({"sqlite_begin": None} if self.is_sqlite else {"isolation_level": "AUTOCOMMIT"})
        )
        self._one_statement = OneStatementInserts(self.engine.dialect)
        self._read_sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._reader = _SqliteReader(url) if self.is_sqlite else None
        # On SQLite a write session joins the shared transaction as a savepoint of it.
        self._write_sessions = async_sessionmaker(
            self._write_engine,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )
        self._checkpoints = _Checkpoints(url) if self.is_sqlite else None
        self._group = (
            _GroupCommit(self._write_engine, self._checkpoints)
            if self._checkpoints is not None
            else None
        )

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
        log) the read goes the pooled, threaded way, which waits. A statement SQLAlchemy
        would run unchanged is run by that connection's `sqlite3` connection itself
        (`PlainReads`).
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
        """A transaction that commits when the block ends and rolls back on any error.

        On SQLite it is a savepoint of the transaction this process's writes share
        (`_GroupCommit`); the block's end waits for that transaction's commit."""
        if self._group is None:
            async with self._write_sessions() as session, session.begin():
                yield session
            return
        async with (
            self._group.turn() as connection,
            self._write_sessions(bind=connection) as session,
            session.begin(),
        ):
            yield session

    async def insert(self, *objects: Base) -> None:
        """A write, as `write()`'s, that only inserts these new rows (`insert_new`), in this
        order; on a Core connection, with no ORM session around it. On PostgreSQL the rows
        are one statement (`OneStatementInserts`): its foreign keys are checked at its end,
        so a row may still refer to one given before it."""
        if self._group is None:
            one = self._one_statement.plan(objects)
            if one is None:
                async with self._write_engine.begin() as connection:
                    await connection.run_sync(insert_rows, objects)
                return
            # PostgreSQL: all the rows in one statement, one transaction of its own: one round
            # trip where `BEGIN`, an INSERT each and `COMMIT` were as many.
            async with self._single_statement_engine.connect() as connection:
                result = await connection.exec_driver_sql(one.sql, one.values(objects))
                one.set_keys(objects, result.one())
            return
        async with self._group.turn() as connection:
            plain = [(plan, obj) for obj in objects if (plan := self._plain_inserts.plan(obj))]
            if len(plain) < len(objects):
                async with connection.begin_nested():
                    await connection.run_sync(insert_rows, objects)
                return
            # The rows SQLAlchemy would send unchanged, sent by the inline connection's own
            # `sqlite3` connection: SQLAlchemy's execution of a small INSERT (its savepoint,
            # cache key, execution context and result) costs more than SQLite's.
            await _driver(connection).insert_plain(plain)

    async def dispose(self) -> None:
        if self._group is not None:
            await self._group.close()
        if self._reader is not None:
            self._reader.dispose()
        if self._checkpoints is not None:
            await self._checkpoints.close()
        if self._inline_engine is not None:
            await self._inline_engine.dispose()
        await self.engine.dispose()


class _Batch:
    """One transaction of `_GroupCommit`: its connection, how many writes joined it and
    ended well, and their wait for its commit."""

    __slots__ = ("committer", "connection", "done", "joined", "kept")

    def __init__(self, connection: AsyncConnection, done: asyncio.Future[None]) -> None:
        self.connection = connection
        self.done = done
        self.joined = 0
        self.kept = 0
        self.committer: asyncio.Task[None] | None = None

    def lost(self) -> bool:
        """Whether SQLite rolled the transaction back as a whole after it began."""
        dbapi = _driver(self.connection)
        return dbapi.pending_begin is None and not _in_transaction(dbapi)


class _GroupCommit:
    """SQLite's writes of this process, in turn, sharing a transaction ("group commit").

    SQLite has one writer at a time: the writes of this process take turns on `_lock`
    (another process's writer makes the transaction's first statement wait, asleep, up to
    the lock timeout: sqlite_driver.Inline). A write's turn is a SAVEPOINT of the
    transaction that is open, or of a new one (its first statement sends the `BEGIN
    IMMEDIATE`). An error rolls back to the savepoint and is raised at once, the other writes
    of the transaction untouched. A block that ends well releases its savepoint and then
    waits for the transaction's COMMIT: when `Database.write` returns, the write is
    committed, as before.

    The COMMIT is the costliest statement of a small write (SQLite writes every page the
    transaction changed to the log), so it is made once for the writes that come together:
    by a task of its own, after an event-loop turn in which no write joined the
    transaction, or by the next write once `MOST` have joined it. A write alone waits one
    loop turn. A COMMIT that fails, or a transaction that SQLite rolled back as a whole (a
    full disk, an I/O error), fails every write that had joined it.
    """

    MOST = 64

    def __init__(self, engine: AsyncEngine, checkpoints: _Checkpoints) -> None:
        self._engine = engine
        self._checkpoints = checkpoints
        self._lock = asyncio.Lock()
        self._open: _Batch | None = None

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[AsyncConnection]:
        """This write's turn: the shared transaction's connection, for one savepoint."""
        async with self._lock:
            batch = self._open
            if batch is not None and batch.joined >= self.MOST:
                await self._commit_now(batch)
                batch = None
            if batch is None:
                connection = await self._engine.connect()
                await connection.begin()
                loop = asyncio.get_running_loop()
                batch = self._open = _Batch(connection, loop.create_future())
                batch.committer = loop.create_task(self._commit_soon(batch))
            batch.joined += 1
            try:
                yield batch.connection
            except BaseException:
                if batch.kept and batch.lost():
                    await self._end(batch, TransactionRolledBack())
                raise
            batch.kept += 1
        # Shielded: a write cancelled while it waits does not cancel the others' wait.
        await asyncio.shield(batch.done)

    async def _commit_soon(self, batch: _Batch) -> None:
        """Commits once an event-loop turn passes in which no write joined."""
        joined = 0
        try:
            while batch.joined != joined:
                joined = batch.joined
                await asyncio.sleep(0)
            async with self._lock:  # after a write still in its turn
                await self._commit_now(batch)
        except BaseException as error:
            # Not committed (the loop is stopping): nothing of it is kept.
            await self._end(batch, error)
            raise

    async def _commit_now(self, batch: _Batch) -> None:
        """With the lock held: the transaction committed, unless it is over already."""
        if batch.done.done():
            return
        if batch.kept and batch.lost():
            await self._end(batch, TransactionRolledBack())
            return
        try:
            await batch.connection.commit()
        except Exception as error:
            await self._end(batch, error)
            return
        await self._end(batch, None)
        self._checkpoints.committed()

    async def _end(self, batch: _Batch, error: BaseException | None) -> None:
        """The transaction's outcome, given to the writes that wait for it; its connection
        goes back to the pool (a transaction still open there is rolled back)."""
        if self._open is batch:
            self._open = None
        if batch.done.done():
            return
        if error is None:
            batch.done.set_result(None)
        else:
            batch.done.set_exception(error)
            batch.done.exception()  # a failure nobody waits for is not worth a warning
        await batch.connection.close()

    async def close(self) -> None:
        """Waits for the write in its turn, if any, and for the open transaction's commit."""
        async with self._lock:
            batch = self._open
        if batch is not None:
            await asyncio.wait([batch.done])


class TransactionRolledBack(RuntimeError):
    """SQLite rolled back, as a whole, a transaction that writes had ended well in."""

    def __init__(self) -> None:
        super().__init__("SQLite rolled the transaction back (a full disk, an I/O error?)")


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
        self._plain = PlainReads(self.engine.dialect)

    def rows(self, statement: Executable, params: Mapping[str, Any] | None) -> Sequence[Row[Any]]:
        if self._connection is None or self._connection.invalidated:
            self._connection = self.engine.connect()
        given = params or {}
        plan = self._plain.plan(statement, given)
        if plan is None:
            return self._connection.execute(statement, params).all()
        # A statement SQLAlchemy would run unchanged, run by the `sqlite3` connection itself.
        driver = self._connection.connection.dbapi_connection
        assert isinstance(driver, sqlite3.Connection)
        return plan.rows(driver, given)

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


def _postgresql_settings(url: str, lock_timeout_ms: int) -> dict[str, Any]:
    """Connect arguments giving each session the lock timeout, as the URL's driver takes
    them (asyncpg by default; psycopg when the URL names it)."""
    if make_url(url).get_driver_name() == "asyncpg":
        return {"server_settings": {"lock_timeout": str(lock_timeout_ms)}}
    return {"options": f"-c lock_timeout={lock_timeout_ms}"}


def _driver(connection: AsyncConnection) -> OneHopConnection:
    """The DBAPI connection of a connection of the inline engine."""
    fairy = connection.sync_connection.connection  # type: ignore[union-attr]
    dbapi: OneHopConnection = fairy.dbapi_connection  # type: ignore[assignment]
    return dbapi


def _in_transaction(dbapi_connection: Any) -> bool:
    """Whether the SQLite connection has a transaction open (True when it cannot tell)."""
    driver = getattr(dbapi_connection, "driver_connection", dbapi_connection)
    return bool(getattr(driver, "in_transaction", True))
