"""Alembic environment: run with a connection handed in by `binance_sandbox.storage.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from binance_sandbox.storage.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # `alembic` run by hand: build a connection from the URL.
    from sqlalchemy import create_engine

    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///dev.db")
    connection = engine.connect()

if connection.dialect.name == "postgresql":
    # Several processes may start at once; one migrates, the others wait.
    connection.execute(text("SELECT pg_advisory_xact_lock(7316001)"))
elif connection.dialect.name == "sqlite" and config.attributes.get("connection") is not None:
    # The same on SQLite (in `migrate.upgrade`'s transaction, which has not yet begun on the
    # file): take the write lock before reading the schema's version, so that the others wait
    # (busy timeout) and then find it up to date.
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is not None and not dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
