"""SQLAlchemy's aiosqlite adapter with one thread hop per statement.

aiosqlite runs every call on the connection's own thread, and each call is a thread hop: a
wake-up of that thread, then a hand-back to the event loop. SQLAlchemy's adapter makes four
for a statement (open a cursor, execute, fetch the rows, close the cursor). This cursor makes
one: the statement is executed, its rows fetched and its cursor closed in a single call on the
connection's thread, and what SQLAlchemy asks of the cursor afterwards (description, rows,
rowcount, lastrowid) is answered from what that call returned.

A transaction's `BEGIN` is not a call of its own either: `begin_on_next_statement` keeps it,
and the transaction's first statement sends it first, in the same call. (A `BEGIN` that fails
stays pending; a commit or rollback with no transaction open on the connection is SQLite's
no-op, so it is not sent.)

An *inline* connection (`one_hop_dbapi(inline_lock_timeout_ms=…)`, the write connection of
`Database.write`) makes no hop at all: it runs each statement right on the event loop's
thread, where a SQLite write of a few rows takes microseconds, less than one hop. It never
waits inside SQLite (its busy timeout is 0, or the whole process would stop): a `BEGIN` that
another process's write lock refuses is tried again, asleep on the loop, until the lock
timeout; and once `BEGIN IMMEDIATE` holds the write lock, a WAL database refuses nothing
else of the transaction.

It is passed to `create_async_engine(..., module=...)`, SQLAlchemy's documented way to give a
dialect another DBAPI module; everything else (errors, transactions, isolation level, the
aiosqlite connection itself) is SQLAlchemy's and aiosqlite's own.
"""

from __future__ import annotations

import asyncio
import collections
import sqlite3
import time
from collections.abc import Sequence
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy import Connection
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

from binance_sandbox.storage.inserts import PlainInsert
from binance_sandbox.storage.models import Base

Outcome = tuple[Any, list[Any], int, int | None]


def _execute(
    connection: sqlite3.Connection, begin: str | None, operation: str, parameters: Any
) -> Outcome:
    """On the connection's thread: begin the transaction if one is pending, run one statement
    and collect everything it answers."""
    if begin is not None:
        connection.execute(begin)
    cursor = connection.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _executemany(
    connection: sqlite3.Connection, begin: str | None, operation: str, seq: Sequence[Any]
) -> Outcome:
    if begin is not None:
        connection.execute(begin)
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, seq)
        return None, [], cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A client-side cursor whose statement costs one call on the connection's thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")
    # Nothing to close on the driver: its cursor is closed in the same call that used it.
    _awaitable_cursor_close = False

    def __init__(self, adapt_connection: Any) -> None:
        # Not the base class's: it opens an aiosqlite cursor (a hop) that is never needed.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _run(self, run: Any, operation: Any, parameters: Any) -> None:
        connection: OneHopConnection = self._adapt_connection  # type: ignore[assignment]
        driver: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        if connection.inline is not None:
            await connection.begin_pending()
            outcome = run(driver._conn, None, operation, parameters)
        else:
            outcome = await self._run_on_thread(connection, driver, run, operation, parameters)
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)

    async def _run_on_thread(
        self,
        connection: OneHopConnection,
        driver: aiosqlite.Connection,
        run: Any,
        operation: Any,
        parameters: Any,
    ) -> Outcome:
        async with connection._execute_mutex:
            begin = connection.pending_begin
            try:
                # aiosqlite's own queue to its thread, as SQLAlchemy's adapter uses it.
                outcome: Outcome = await driver._execute(  # type: ignore[no-untyped-call]
                    partial(run, driver._conn, begin, operation, parameters)
                )
            finally:
                if begin is not None and driver.in_transaction:
                    connection.pending_begin = None
        return outcome

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._run(_execute, operation, parameters)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        await self._run(_executemany, operation, seq_of_parameters)

    def nextset(self) -> None:
        """SQLite answers one result set per statement: there is never a next one (DBAPI:
        `None` when there are no more sets)."""
        return None


class Inline:
    """How an inline connection waits for another process's write lock: never inside SQLite,
    on the event loop's thread; asleep between tries, up to `lock_timeout_ms`."""

    def __init__(self, lock_timeout_ms: int) -> None:
        self.lock_timeout_s = lock_timeout_ms / 1000

    async def begin(self, connection: sqlite3.Connection, statement: str) -> None:
        deadline = time.monotonic() + self.lock_timeout_s
        pause = 0.001
        while True:
            try:
                connection.execute(statement)
                return
            except sqlite3.OperationalError as error:
                # SQLITE_BUSY: "database is locked".
                if "locked" not in str(error) or time.monotonic() + pause > deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)


# The savepoint of `OneHopConnection.insert_plain`.
SAVEPOINT = "bsx_insert"


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("inline", "pending_begin")
    _cursor_cls = OneHopCursor

    def __init__(self, dbapi: Any, connection: Any, inline: Inline | None = None) -> None:
        super().__init__(dbapi, connection)
        # The BEGIN statement the next statement sends first (`begin_on_next_statement`).
        self.pending_begin: str | None = None
        self.inline = inline

    def begin_on_next_statement(self, statement: str) -> None:
        self.pending_begin = statement

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The `sqlite3` connection under aiosqlite's (for an inline connection: to be used
        right on the event loop's thread)."""
        conn: sqlite3.Connection = self._connection._conn
        return conn

    async def begin_pending(self) -> None:
        """An inline connection's pending BEGIN, sent now (waiting for another process's
        write lock as `Inline.begin` does)."""
        assert self.inline is not None
        begin = self.pending_begin
        if begin is not None:
            await self.inline.begin(self.sqlite, begin)
            self.pending_begin = None

    async def insert_plain(self, rows: Sequence[tuple[PlainInsert, Base]]) -> None:
        """These rows inserted (`PlainInserts`), in this order, as one savepoint of the
        transaction, by an inline connection's `sqlite3` connection itself. Any error rolls
        back to the savepoint; SQLite's is raised as SQLAlchemy raises it (`IntegrityError`
        for a duplicate key, `OperationalError` for a lock not had in time). A generated key
        is set on its object, as `insert_rows` does."""
        statement, values = self.pending_begin, ()
        opened = False
        sqlite = self.sqlite
        try:
            await self.begin_pending()
            statement = f"SAVEPOINT {SAVEPOINT}"
            sqlite.execute(statement)
            opened = True
            for plan, obj in rows:
                statement, values = plan.sql, plan.values(obj)
                cursor = sqlite.execute(statement, values)
                if plan.key is not None:
                    setattr(obj, plan.key, cursor.lastrowid)
                cursor.close()
            statement, values = f"RELEASE SAVEPOINT {SAVEPOINT}", ()
            sqlite.execute(statement)
        except BaseException as error:
            if opened and sqlite.in_transaction:  # not when SQLite rolled it all back
                sqlite.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}")
                sqlite.execute(f"RELEASE SAVEPOINT {SAVEPOINT}")
            if isinstance(error, sqlite3.Error):
                raise DBAPIError.instance(statement, values, error, sqlite3.Error) from error
            raise

    def cursor(self, server_side: bool = False) -> Any:
        if server_side and self.pending_begin is not None:
            # A server-side cursor (`stream()`) is aiosqlite's own: the BEGIN goes first, alone.
            try:
                await_(self._connection.execute(self.pending_begin))
            except Exception as error:
                self._handle_exception(error)
            self.pending_begin = None
        return super().cursor(server_side)

    def _in_transaction(self) -> bool:
        driver = self._connection
        return bool(driver._connection and driver.in_transaction)

    def rollback(self) -> None:
        self.pending_begin = None
        if self._in_transaction():
            if self.inline is None:
                super().rollback()
            else:
                self._inline(self._connection._conn.rollback)

    def commit(self) -> None:
        self.pending_begin = None
        if self._in_transaction():
            if self.inline is None:
                super().commit()
            else:
                self._inline(self._connection._conn.commit)

    def _inline(self, call: Any) -> None:
        try:
            call()
        except Exception as error:
            self._handle_exception(error)


class OneHopDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite DBAPI module of SQLAlchemy, handing out `OneHopConnection`s."""

    def __init__(self, aiosqlite: Any, sqlite: Any, inline: Inline | None = None) -> None:
        super().__init__(aiosqlite, sqlite)
        self.inline = inline

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        if self.inline is not None:
            # Used on the event loop's thread, not only on the one that opens it.
            kw["check_same_thread"] = False
        connection = self.aiosqlite.connect(*arg, **kw)
        # As SQLAlchemy's own: the connection's thread must not keep the process alive.
        connection._thread.daemon = True
        return OneHopConnection(self, await_(connection), self.inline)


def one_hop_dbapi(*, inline_lock_timeout_ms: int | None = None) -> OneHopDBAPI:
    """The DBAPI module; with `inline_lock_timeout_ms`, one of inline connections."""
    inline = None if inline_lock_timeout_ms is None else Inline(inline_lock_timeout_ms)
    return OneHopDBAPI(aiosqlite, sqlite3, inline)


class InlineDialect(SQLiteDialect_aiosqlite):
    """SQLAlchemy's aiosqlite dialect for the inline connection, whose every write is a
    savepoint (`storage.db._GroupCommit`): it sends its savepoint statements as plain SQL.
    SQLAlchemy's own savepoint clauses are never cached (each savepoint has a name of its
    own), so each was compiled anew, which cost more than the statements of a small write.
    The SQL is the same (`visit_savepoint` and its siblings in SQLAlchemy's compiler)."""

    supports_statement_cache = True  # the parent's statements, compiled and cached the same

    def do_savepoint(self, connection: Connection, name: str) -> None:
        connection.exec_driver_sql(f"SAVEPOINT {self._savepoint(name)}")

    def do_rollback_to_savepoint(self, connection: Connection, name: str) -> None:
        connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {self._savepoint(name)}")

    def do_release_savepoint(self, connection: Connection, name: str) -> None:
        connection.exec_driver_sql(f"RELEASE SAVEPOINT {self._savepoint(name)}")

    def _savepoint(self, name: str) -> str:
        formatted: str = self.identifier_preparer.format_savepoint(None, name)  # type: ignore[no-untyped-call]
        return formatted


# `sqlite+bsx_inline://`: SQLAlchemy's documented way to name a dialect of one's own.
INLINE_DRIVER = "sqlite+bsx_inline"
registry.register("sqlite.bsx_inline", __name__, "InlineDialect")
