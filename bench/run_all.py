"""Every benchmark here, one after the other, each printing its tables as it finishes. Run by
hand (never in CI):

    uv run python bench/run_all.py [--quick] [--database postgresql://postgres@127.0.0.1:5432/postgres] [--skip prism,scale]

Each bench runs in its own process, as `python bench/<name>.py`, so that one bench's servers
and memory are gone before the next starts. `--database` gives the per-family benches and
the end-to-end one a PostgreSQL server (each run makes a fresh database there); the scale-out
bench always measures both SQLite and PostgreSQL. `--quick` sends fewer requests (a smoke
run; the numbers are noisier).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ("prime", "pay", "wallet", "deposit", "cpu", "prism", "e2e", "scale")


def command(name: str, args: argparse.Namespace) -> list[str]:
    cmd = [sys.executable, str(HERE / f"bench_{name}.py")]
    if name == "e2e":
        cmd += ["--flows", "50" if args.quick else "200"]
    elif name == "prism":
        cmd += ["--requests", "300" if args.quick else "1000"]
    else:
        cmd += ["--requests", "500" if args.quick else "2000"]
    if args.database and name != "scale":
        cmd += ["--database", args.database]
    if name == "scale" and args.database:
        cmd += ["--postgres", args.database]
    return cmd


def main() -> None:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument("--database", default=None, help="postgresql://… (default: SQLite)")
    options.add_argument("--quick", action="store_true", help="fewer requests")
    options.add_argument("--skip", default="", help=f"comma-separated, of {', '.join(BENCHES)}")
    args = options.parse_args()
    skipped = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = skipped - set(BENCHES)
    if unknown:
        sys.exit(f"unknown bench: {', '.join(sorted(unknown))}")
    failed = []
    for name in BENCHES:
        if name in skipped:
            continue
        began = time.monotonic()
        print(f"\n#### bench_{name}.py", flush=True)
        result = subprocess.run(command(name, args), cwd=HERE, check=False)
        print(f"#### bench_{name}.py: exit {result.returncode} in {time.monotonic() - began:.0f} s")
        if result.returncode != 0:
            failed.append(name)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
