"""Apply the schema migrations (on every start; a no-op when up to date)."""

from __future__ import annotations

import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import OperationalError

MIGRATIONS = Path(__file__).with_name("migrations")


def sync_url(url: str) -> str:
    """The URL for Alembic, which migrates synchronously: pysqlite, or psycopg."""
    return url.replace("sqlite+aiosqlite://", "sqlite://").replace(
        "postgresql+asyncpg://", "postgresql+psycopg://"
    )


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", sync_url(url))
    return cfg


def use_wal(engine: Engine, attempts: int = 200) -> None:
    """Put a SQLite file in WAL mode (it stays so). While another process is writing to the
    file, SQLite refuses the switch at once ("database is locked") instead of waiting out its
    busy timeout: processes starting together on a new file try again until one switched it."""
    for attempt in range(attempts):
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            return
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05)


def upgrade(url: str) -> None:
    cfg = alembic_config(url)
    sqlite = url.startswith("sqlite")
    # SQLite: wait up to a minute for another process's migration (see migrations/env.py).
    engine = create_engine(sync_url(url), connect_args={"timeout": 60} if sqlite else {})
    try:
        if sqlite:
            use_wal(engine)
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
    finally:
        engine.dispose()
