"""The bank test by hand: many concurrent clients move money through every API family while
the API process and the delivery worker are killed with SIGKILL and started again; then the
invariants are checked (docs/reliability.md).

    python scripts/bank.py --seed 7 --duration 300 --database sqlite --clients 16 --kills 5
    python scripts/bank.py --seed 7 --database postgresql://postgres@127.0.0.1:5432/test

Exits 0 when every invariant held, 1 with the seed and the first violated invariant when not.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The engine lives with the CI version of the test (tests/reliability/test_bank.py).
sys.path.insert(0, str(ROOT / "tests" / "reliability"))

from bank_engine import BankConfig, run_bank  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1, help="fixes the plan of the run")
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load")
    parser.add_argument(
        "--database",
        default="sqlite",
        help="sqlite (a new file), sqlite:///new.db, or postgresql://… (a new database is "
        "created on that server and dropped afterwards)",
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--kills", type=int, default=5, help="kill -9 events during the load")
    parser.add_argument("--users", type=int, default=8, help="end users sharing the money")
    parser.add_argument("--workdir", type=Path, help="where the logs (and SQLite file) go")
    parser.add_argument("--keep", action="store_true", help="keep database and logs on success")
    args = parser.parse_args(argv)
    report = run_bank(
        BankConfig(
            seed=args.seed,
            duration_s=args.duration,
            database=args.database,
            clients=args.clients,
            kills=args.kills,
            users=args.users,
            drain_timeout_s=max(120.0, args.duration),
            workdir=args.workdir,
            keep=args.keep,
        )
    )
    print(report.summary())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
