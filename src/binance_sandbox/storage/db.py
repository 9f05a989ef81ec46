"""Engines and transactions for SQLite (embedded default) and PostgreSQL (scale).

One stock SQLAlchemy `AsyncEngine` per database (aiosqlite, asyncpg or psycopg), used through
its public API; on SQLite the hot units of work run whole on a thread, on the standard
`sqlite3` driver (sqlite_units.py). SQLite's transactions begin as SQLAlchemy's documentation
shows for its pysqlite and aiosqlite drivers ("Serializable isolation / Savepoints /
Transactional DDL"): the driver's own transaction handling is turned off in the `connect`
event, and the `begin` event sends the `BEGIN` that the `sqlite_begin` execution option names.

A statement that inserts outbox rows due at once is seen by an `after_execute` listener, so
that the delivery worker can wake at once (`Database.on_outbox_insert`, delivery/wakeup.py):
on SQLite the process's listeners are called; on PostgreSQL the statement's transaction also
sends a notification on OUTBOX_CHANNEL, which PostgreSQL delivers to every listening process
when, and only if, the transaction commits.

A write of this process can do better than wake the worker: the outbox rows it made due at
once (`note_due_at_once`) are leased to this process's running worker at the end of the same
transaction, and handed to it when that commits (`Database.hand_off_to`), so no claim stands
between a commit and the work it made due. Other workers, woken all the same, find them
leased.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

from sqlalchemy import Connection, Engine, Executable, Insert, Row, Table, event, make_url, update
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session
from sqlalchemy.pool import PoolResetState

from binance_sandbox.storage.core_insert import insert_rows
from binance_sandbox.storage.models import Base, OutboxItem
from binance_sandbox.storage.sqlite_units import SqliteUnits

P = ParamSpec("P")
T = TypeVar("T")

# PostgreSQL's notification channel of new outbox rows; delivery workers listen on it.
OUTBOX_CHANNEL = "binance_sandbox_outbox"
# `Session.info` key: the outbox items a transaction made due at once (`note_due_at_once`).
DUE_AT_ONCE = "binance_sandbox.outbox.due_at_once"


class HandOff(Protocol):
    """This process's delivery worker, as a write hands it the work it made due at once
    (`Database.hand_off_to`). Both are called on whichever thread runs the write."""

    def reserve(self, count: int) -> int | None:
        """The lease (wall clock ms) to take `count` items with, or `None` to leave them to
        the worker's claim (it is not running here, or is busy)."""

    def take(self, items: list[Any], lease: int) -> None:
        """Start these items, leased until `lease`; called once their transaction committed."""


def note_due_at_once(session: Session, item: Any) -> None:
    """`item`, an outbox row just written in the session's transaction, is due at once."""
    session.info.setdefault(DUE_AT_ONCE, []).append(item)


_OUTBOX = cast(Table, OutboxItem.__table__)
_NOTIFY_OUTBOX = f"SELECT pg_notify('{OUTBOX_CHANNEL}', '')"


class Database:
    """Owns the engine. `read()` gives a plain transaction; `write()` one that, on SQLite,
    takes the write lock up front (BEGIN IMMEDIATE) so that two writers never deadlock
    upgrading a shared lock."""

    def __init__(self, url: str, *, pool_size: int = 20, lock_timeout_ms: int = 10_000) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        # Every connection the pool may open is kept once opened, with no "overflow": an
        # overflow connection is closed when it is returned, so under more concurrent requests
        # than the pool holds each request would open (on SQLite: start a thread for) its own.
        kwargs: dict[str, Any] = {"max_overflow": 0}
        if self.is_sqlite:
            if ":memory:" in url or url.rstrip("/").endswith("sqlite+aiosqlite:"):
                raise ValueError("use a SQLite file, not an in-memory database")
            kwargs["pool_size"] = 15
            # Reset on return is the "reset" listener's (_configure_sqlite).
            kwargs["pool_reset_on_return"] = None
            kwargs["connect_args"] = {"timeout": lock_timeout_ms / 1000}
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
        self._units: SqliteUnits | None = None
        if self.is_sqlite:
            _configure_sqlite(self.engine.sync_engine, lock_timeout_ms)
            _reset_only_a_transaction(self.engine.sync_engine)
            self._units = SqliteUnits(url, lock_timeout_ms)
            _configure_sqlite(self._units.engine, lock_timeout_ms)
        self._write_engine = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE")
            if self.is_sqlite
            else self.engine
        )
        # `rows`: one statement, so no transaction around it. On SQLite no BEGIN (SQLite runs
        # the statement in its own, one snapshot); on PostgreSQL autocommit (no BEGIN and
        # ROLLBACK round trips).
        self._single_statement_engine = self.engine.execution_options(
            **({"sqlite_begin": None} if self.is_sqlite else {"isolation_level": "AUTOCOMMIT"})
        )
        self._read_sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = async_sessionmaker(self._write_engine, expire_on_commit=False)
        self._outbox_listeners: list[Callable[[], None]] = []
        self._hand_off: HandOff | None = None
        event.listen(self.engine.sync_engine, "after_execute", self._after_execute)
        if self._units is not None:
            event.listen(self._units.engine, "after_execute", self._after_execute)

    def on_outbox_insert(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Have `listener()` called whenever a statement of this process inserts outbox rows
        due at once, on SQLite; the function returned stops it.

        It is called at once, on the thread that ran the statement, before the transaction
        ends: the delivery worker's claim, itself a write, takes its turn on the writer
        after that transaction (sqlite_units.py), and finds the rows once committed. On
        PostgreSQL, where other transactions do not wait for this one, the notification on
        OUTBOX_CHANNEL is the signal (delivered on commit); `listener` is not called.

        Rows due later (an expiry) signal nothing: the worker finds them when they fall due,
        and waking it for them would make every Pay order created cost a claim."""
        self._outbox_listeners.append(listener)
        return lambda: self._outbox_listeners.remove(listener)

    def hand_off_to(self, taker: HandOff) -> Callable[[], None]:
        """Have every write of this process (`write`, `run_write`) hand the outbox items it
        made due at once to `taker`, this process's delivery worker: leased to it in the same
        transaction, and started when that commits, with no claim in between. The function
        returned stops it."""
        self._hand_off = taker

        def stop() -> None:
            if self._hand_off is taker:
                self._hand_off = None

        return stop

    def _lease_due_at_once(self, session: Session) -> tuple[HandOff, list[Any], int] | None:
        """At the end of a write's transaction: lease what it made due at once to the taker,
        if there is one and it has room; what to start once the transaction commits."""
        items: list[Any] = session.info.pop(DUE_AT_ONCE, [])
        taker = self._hand_off
        if not items or taker is None:
            return None
        lease = taker.reserve(len(items))
        if lease is None:
            return None
        # New in this transaction: no other worker has seen them.
        session.connection().execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id.in_([item.id for item in items]))
            .values(lease_until=lease)
        )
        return taker, items, lease

    async def _lease_from(self, session: AsyncSession) -> tuple[HandOff, list[Any], int] | None:
        """`_lease_due_at_once` for an `AsyncSession`: no bridge call when it made nothing due."""
        if DUE_AT_ONCE not in session.sync_session.info:
            return None
        return await session.run_sync(self._lease_due_at_once)

    def _after_execute(
        self,
        connection: Connection,
        statement: Any,
        multiparams: Sequence[Mapping[str, Any]],
        params: Mapping[str, Any],
        _options: Any,
        _result: Any,
    ) -> None:
        if not (isinstance(statement, Insert) and statement.table is _OUTBOX):
            return
        if not any(_due_at_once(row) for row in (multiparams or [params])):
            return
        if not self.is_sqlite:
            connection.exec_driver_sql(_NOTIFY_OUTBOX)
            return
        for listener in list(self._outbox_listeners):
            listener()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._read_sessions() as session:
            yield session

    async def rows(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> Sequence[Row[Any]]:
        """The rows of one read statement, through SQLAlchemy Core, in no transaction.

        For the hot reads that need columns, not objects: an ORM session (its transaction
        bookkeeping, identity map and object loading) costs more than the query itself. On
        SQLite it runs on a reader thread, in one hop (sqlite_units.py)."""
        if self._units is not None:
            return await self._units.read(_rows_on, self._units.read_engine, statement, params)
        async with self._single_statement_engine.connect() as connection:
            return await connection.run_sync(_all_rows, statement, params)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A transaction that commits when the block ends and rolls back on any error."""
        if self._units is None:
            async with self._write_sessions() as session:
                async with session.begin():
                    yield session
                    handed = await self._lease_from(session)
                _start_handed(handed)
            return
        # SQLite: this process's writes take turns on the writer (sqlite_units.py).
        async with self._units.held(), self._write_sessions() as session:
            async with session.begin():
                yield session
                handed = await self._lease_from(session)
            _start_handed(handed)

    async def run_write(
        self, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`work(session, …)` with a synchronous ORM session, in one write transaction (as
        `write()`'s), run in one pass: the statements of a small unit of work cost less
        without an `await` around each."""
        if self._units is not None:

            def unit(session: Session) -> T:
                return work(session, *args, **kwargs)

            return await self._units.write(
                _in_session, self._units.write_engine, unit, self._lease_due_at_once
            )
        async with self.write() as session:
            return await session.run_sync(work, *args, **kwargs)

    async def run_read(
        self, work: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`work(session, …)` with a synchronous ORM session, in one read transaction (one
        snapshot), run in one pass; on SQLite on a reader thread (sqlite_units.py)."""
        if self._units is not None:

            def unit(session: Session) -> T:
                return work(session, *args, **kwargs)

            return await self._units.read(_in_read_session, self._units.engine, unit)
        async with self.read() as session:
            return await session.run_sync(work, *args, **kwargs)

    async def insert(self, *objects: Base) -> None:
        """A write, as `write()`'s, that only inserts these new rows (`core_insert.insert_rows`),
        in this order, on a Core connection, with no ORM session around it."""
        if self._units is not None:
            await self._units.write(_insert_on, self._units.write_engine, objects)
            return
        async with self._write_engine.connect() as connection:
            await connection.run_sync(_insert_in_transaction, objects)

    async def dispose(self) -> None:
        if self._units is not None:
            await asyncio.to_thread(self._units.dispose)
        await self.engine.dispose()


def _due_at_once(row: Mapping[str, Any]) -> bool:
    """An outbox row's values: due when it was made (or not known to be later)."""
    due, made = row.get("due_at"), row.get("created_at")
    return due is None or made is None or due <= made


def _all_rows(
    connection: Connection, statement: Executable, params: Mapping[str, Any] | None
) -> Sequence[Row[Any]]:
    return connection.execute(statement, params).all()


def _rows_on(
    engine: Engine, statement: Executable, params: Mapping[str, Any] | None
) -> Sequence[Row[Any]]:
    with engine.connect() as connection:
        return connection.execute(statement, params).all()


def _insert_on(engine: Engine, objects: tuple[Base, ...]) -> None:
    with engine.begin() as connection:
        insert_rows(connection, objects)


def _in_session(
    engine: Engine,
    unit: Callable[[Session], T],
    lease_due_at_once: Callable[[Session], tuple[HandOff, list[Any], int] | None],
) -> T:
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            done = unit(session)
            handed = lease_due_at_once(session)
        _start_handed(handed)
        return done


def _start_handed(handed: tuple[HandOff, list[Any], int] | None) -> None:
    if handed is not None:
        taker, items, lease = handed
        taker.take(items, lease)


def _in_read_session(engine: Engine, unit: Callable[[Session], T]) -> T:
    # The transaction begins with the first statement and is rolled back on close.
    with Session(engine, expire_on_commit=False) as session:
        return unit(session)


def _insert_in_transaction(connection: Connection, objects: tuple[Base, ...]) -> None:
    with connection.begin():
        insert_rows(connection, objects)


def _configure_sqlite(sync_engine: Engine, lock_timeout_ms: int) -> None:
    """The connections' settings and BEGIN, for the aiosqlite engine and the `sqlite3` one."""

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode is not None:  # None: a single statement (`Database.rows`), SQLite's autocommit
            conn.exec_driver_sql(f"BEGIN {mode}")


def _reset_only_a_transaction(sync_engine: Engine) -> None:
    # No rollback on return to the pool when no transaction is open (SQLAlchemy's "reset"
    # event, as its pool documentation shows): a session's close has already rolled its
    # transaction back, and a single statement (`rows`) never began one.
    @event.listens_for(sync_engine, "reset")
    def _on_reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
        driver = getattr(dbapi_connection, "driver_connection", dbapi_connection)
        if state.asyncio_safe and driver.in_transaction:
            dbapi_connection.rollback()


def _postgresql_settings(url: str, lock_timeout_ms: int) -> dict[str, Any]:
    """Connect arguments giving each session the lock timeout, as the URL's driver takes
    them (asyncpg by default; psycopg when the URL names it)."""
    if make_url(url).get_driver_name() == "asyncpg":
        return {"server_settings": {"lock_timeout": str(lock_timeout_ms)}}
    return {"options": f"-c lock_timeout={lock_timeout_ms}"}
