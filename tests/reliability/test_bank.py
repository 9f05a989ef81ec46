"""The bank test, short version for CI (docs/reliability.md): concurrent clients move money
through every API family for twenty seconds while the API process and the delivery worker are
killed with SIGKILL and started again; then nothing may be lost, doubled or left unsigned.
On the suite's database: SQLite, or PostgreSQL when BSX_TEST_DATABASE_URL is set.
`BSX_BANK_SEED` picks another plan; `scripts/bank.py` runs the long version."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bank_engine import BankConfig, run_bank

from sandbox_harness import PG_URL


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_nothing_is_lost_while_processes_are_killed(tmp_path: Path) -> None:
    report = run_bank(
        BankConfig(
            seed=int(os.environ.get("BSX_BANK_SEED", "1")),
            duration_s=20.0,
            database=PG_URL or "sqlite",
            clients=6,
            kills=2,
            users=4,
            workdir=tmp_path / "bank",
        )
    )
    print(report.summary())
    assert report.ok, report.summary()
    assert report.stats["kills"] >= 2
    assert report.stats["outcomes"]["ok"] > 20
