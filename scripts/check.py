"""The one command that checks everything: format, lint, types, and the test suite on SQLite
and on PostgreSQL. `.ci/run` calls it; so does a developer.

    python3 -m pip install uv==0.13.9 && python3 -m uv run --locked python scripts/check.py

PostgreSQL (and Redis) are used when reachable on 127.0.0.1, started when this machine has
them installed but stopped, and required when CI=true. So is Chromium (the browser tests drive
/usr/bin/chromium): installed with apt-get when missing and this runs as root. Extra arguments
go to pytest.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BSX_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = "/usr/bin/chromium"


def step(title: str, *cmd: str, env: dict[str, str] | None = None) -> None:
    print(f"\n==> {title}: {' '.join(cmd)}", flush=True)
    started = time.monotonic()
    result = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, check=False)
    print(f"<== {title}: exit {result.returncode} in {time.monotonic() - started:.1f}s", flush=True)
    if result.returncode != 0:
        sys.exit(result.returncode)


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_port(port: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_open(port):
            return True
        time.sleep(0.5)
    return False


def ensure_postgres() -> bool:
    if port_open(5432):
        return True
    versions = sorted(Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").exists() else []
    if versions and shutil.which("pg_ctlcluster"):
        print("==> starting PostgreSQL", flush=True)
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1].name, "main", "start"],
            check=False,
        )
    return wait_port(5432, 30 if versions else 0)


def ensure_redis() -> bool:
    if port_open(6379):
        return True
    if shutil.which("redis-server"):
        print("==> starting Redis", flush=True)
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            check=False,
        )
    return wait_port(6379, 10)


def ensure_chromium() -> None:
    """The browser tests (tests/hosted) drive Debian's Chromium with Playwright; Playwright's
    own browser downloads are never used. Install it when this machine can."""
    if Path(CHROMIUM).exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("==> installing Chromium for the browser tests", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run(["apt-get", "update"], env=env, check=False).returncode == 0:
            subprocess.run(["apt-get", "install", "-y", "chromium"], env=env, check=False)
    if Path(CHROMIUM).exists():
        return
    if CI:
        print(f"Chromium ({CHROMIUM}) is required in CI and could not be installed.", flush=True)
        sys.exit(1)
    print(f"\nChromium ({CHROMIUM}) is not available here: browser tests are skipped.", flush=True)


def main() -> None:
    pytest_args = sys.argv[1:]
    step("generated sync clients", sys.executable, "scripts/unasync.py", "--check")
    step("format", "ruff", "format", "--check", "src", "tests", "bench", "scripts")
    step("lint", "ruff", "check", "src", "tests", "bench", "scripts")
    step("types", "mypy")
    ensure_chromium()
    step("tests on SQLite", "pytest", *pytest_args, env={"BSX_TEST_DATABASE_URL": ""})
    if ensure_postgres():
        ensure_redis()
        step("tests on PostgreSQL", "pytest", *pytest_args, env={"BSX_TEST_DATABASE_URL": PG_URL})
    elif CI:
        print("PostgreSQL is required in CI and could not be reached or started.", flush=True)
        sys.exit(1)
    else:
        print("\nPostgreSQL is not available here: the PostgreSQL run was skipped.", flush=True)
    print("\nall checks passed", flush=True)


if __name__ == "__main__":
    main()
