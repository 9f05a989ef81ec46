"""The kit's database: engine creation, SQLite tuning, and dialect-specific upserts.

SQLite write transactions start with BEGIN IMMEDIATE, so two requests racing for the same
business key queue on the database lock instead of failing with SQLITE_BUSY half-way; on
PostgreSQL the same races are settled by unique constraints, row locks and ON CONFLICT.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_MS = 15_000

Row = TypeVar("Row")


def normalize_database_url(url: str) -> str:
    """Pick the async driver for a plain URL: aiosqlite for SQLite, psycopg for PostgreSQL."""
    if "://" not in url:
        return f"sqlite+aiosqlite:///{url}"
    parsed = make_url(url)
    if parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str) -> AsyncEngine:
    url = normalize_database_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    engine = create_async_engine(url)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that BEGIN IMMEDIATE (below) is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # As the sandbox's own database: in WAL mode a commit survives the process being
        # killed without waiting for the disk; only the machine failing can lose the last ones.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def upsert(session: AsyncSession, entity: type[Any]) -> Any:
    """An INSERT supporting ON CONFLICT for the session's database (SQLite or PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(entity)
    return sqlite.insert(entity)


async def create_once(
    sessions: async_sessionmaker[AsyncSession],
    find: Callable[[AsyncSession], Awaitable[Row | None]],
    create: Callable[[AsyncSession], Awaitable[Row]],
) -> Row:
    """The record `find` reads, else the one `create` adds, in one transaction.

    Idempotent on a business key that is unique by constraint: when a concurrent call with
    the same key commits first, the insert fails and the record that call made is returned.
    """
    try:
        async with sessions.begin() as session:
            existing = await find(session)
            if existing is not None:
                return existing
            return await create(session)
    except IntegrityError:
        async with sessions.begin() as session:
            existing = await find(session)
        if existing is None:
            raise
        return existing
