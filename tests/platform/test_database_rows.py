"""`Database.rows`: one statement outside a transaction, on the engine the suite runs on; the
pooled connection it used still gives the next transaction its all-or-nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from binance_sandbox.config import Settings
from binance_sandbox.storage.db import Database
from sandbox_harness import create_database


def test_rows_then_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    url, drop = create_database(tmp_path, "rows")
    url = Settings(database_url=url).database_url  # the async driver's URL

    async def main() -> list[str]:
        # One connection: the transaction below reuses the one `rows` used.
        db = Database(url, pool_size=1)
        try:
            async with db.write() as s:
                await s.execute(text("CREATE TABLE t (v VARCHAR(8) NOT NULL)"))
                await s.execute(text("INSERT INTO t (v) VALUES ('a')"))
            assert [tuple(r) for r in await db.rows(text("SELECT v FROM t"))] == [("a",)]
            with pytest.raises(RuntimeError):
                async with db.write() as s:
                    await s.execute(text("INSERT INTO t (v) VALUES ('b')"))
                    raise RuntimeError("abandon")
            return [r[0] for r in await db.rows(text("SELECT v FROM t ORDER BY v"))]
        finally:
            await db.dispose()

    try:
        assert asyncio.run(main()) == ["a"]
    finally:
        drop()
