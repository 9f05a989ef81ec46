"""Processes that start together against one database: each gets its own boot number (it
seeds the process's ids), and one of them creates the schema while the others wait."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from binance_sandbox.config import normalize_database_url
from binance_sandbox.storage import meta
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.migrate import upgrade
from sandbox_harness import create_database

UPGRADE = "import sys; from binance_sandbox.storage.migrate import upgrade; upgrade(sys.argv[1])"


async def test_starts_at_the_same_time_get_different_boot_numbers(tmp_path: Path) -> None:
    url, drop = create_database(tmp_path, "boot")
    url = normalize_database_url(url)
    try:
        await asyncio.to_thread(upgrade, url)
        databases = [Database(url) for _ in range(4)]

        async def boot(db: Database) -> int:
            async with db.write() as session:
                return await meta.next_boot(session)

        try:
            # The first round also races to create the counter's row.
            seen = [n for _ in range(5) for n in await asyncio.gather(*map(boot, databases))]
        finally:
            for db in databases:
                await db.dispose()
        assert sorted(seen) == list(range(1, 21))
    finally:
        drop()


def test_processes_migrating_a_new_database_together_all_start(tmp_path: Path) -> None:
    url, drop = create_database(tmp_path, "migrate")
    url = normalize_database_url(url)
    try:
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", UPGRADE, url],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for _ in range(3)
        ]
        answers = [(run.wait(timeout=110), run.communicate()[0].decode()) for run in runs]
        assert [code for code, _ in answers] == [0, 0, 0], answers
    finally:
        drop()
