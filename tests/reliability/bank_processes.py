"""The platform under test as real processes: `binance-sandbox serve --no-worker` (the API)
and `binance-sandbox worker` (delivery) on one database, killed with SIGKILL and started
again on the same port."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
import psycopg

from binance_sandbox.serving import free_port

ADMIN_TOKEN = "bank-admin-token"
# 2026-01-01T00:00:00Z: the sandbox clock starts frozen here and only the test moves it.
START_MS = 1_767_225_600_000
HEALTHY_TIMEOUT_S = 90.0


@dataclass
class TestDatabase:
    url: str  # as the platform takes it: sqlite:///… or postgresql://…
    drop: Callable[[], None]

    @property
    def kind(self) -> str:
        return "sqlite" if self.url.startswith("sqlite") else "postgresql"

    @property
    def sync_url(self) -> str:
        """For the checks, which read the database directly (pysqlite or psycopg)."""
        if self.url.startswith("postgresql://"):
            return "postgresql+psycopg://" + self.url.split("://", 1)[1]
        return self.url


def fresh_database(spec: str, workdir: Path, seed: int) -> TestDatabase:
    """`sqlite` (a new file in `workdir`), `sqlite:///path` (must not exist yet), or a
    PostgreSQL URL: a new database is created on that server and dropped by `drop()`."""
    if spec in ("", "sqlite"):
        path = workdir / f"bank-{seed}-{uuid.uuid4().hex[:6]}.db"
        return TestDatabase(f"sqlite:///{path}", lambda: None)
    if spec.startswith("sqlite:///"):
        if Path(spec.removeprefix("sqlite:///")).exists():
            raise ValueError(f"{spec} exists; the bank test needs an empty database")
        return TestDatabase(spec, lambda: None)
    for prefix in ("postgresql+psycopg://", "postgres://", "postgresql://"):
        if spec.startswith(prefix):
            admin = "postgresql://" + spec.removeprefix(prefix)
            break
    else:
        raise ValueError(f"unknown database {spec!r}: sqlite, sqlite:///file or postgresql://…")
    name = f"bsx_bank_{seed}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return TestDatabase(f"{admin.rsplit('/', 1)[0]}/{name}", drop)


def platform_env(database_url: str, seed: int) -> dict[str, str]:
    """The environment of both processes: nothing inherited from `BSX_*`, a short worker
    lease (a killed worker's items are taken over within seconds) and Wallet API weights
    high enough that the clients never meet the rate limit (not what this test is about)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BSX_")}
    env.update(
        {
            "BSX_DATABASE_URL": database_url,
            "BSX_ADMIN_TOKEN": ADMIN_TOKEN,
            "BSX_SEED": str(seed),
            "BSX_CLOCK_START_MS": str(START_MS),
            "BSX_WORKER_POLL_MS": "50",
            "BSX_WORKER_LEASE_MS": "5000",
            "BSX_WALLET_IP_WEIGHT_PER_MINUTE": "100000000",
            "BSX_WALLET_KEY_WEIGHT_PER_MINUTE": "100000000",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


LAUNCH = Path(__file__).with_name("bank_launch.py")


@dataclass
class Managed:
    """One role (api or worker): its current process, a warm standby to replace it, how often
    it started, and the exits nobody asked for. `args` follow `binance-sandbox`."""

    role: str
    args: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    standby: subprocess.Popen[bytes] | None = None
    starts: int = 0
    kills: int = 0
    spawned: int = 0
    unexpected_exits: list[str] = field(default_factory=list)
    _log: IO[bytes] | None = None

    def _ready_file(self, spawned: int) -> Path:
        return self.log_path.with_name(f"{self.role}-standby-{spawned}.ready")

    def _spawn(self) -> subprocess.Popen[bytes]:
        if self._log is None:
            self._log = self.log_path.open("ab")
        self.spawned += 1
        return subprocess.Popen(
            [sys.executable, str(LAUNCH), str(self._ready_file(self.spawned)), *self.args],
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def prepare(self) -> None:
        """Have a standby importing now, for the next start."""
        if self.standby is not None and self.standby.poll() is not None:
            self._close(self.standby)  # it died: a new one
            self.standby = None
        if self.standby is None:
            self.standby = self._spawn()

    @property
    def standby_ready(self) -> bool:
        """Whether the standby has done its imports (and would start at once)."""
        return (
            self.standby is not None
            and self.standby.poll() is None
            and self._ready_file(self.spawned).exists()
        )

    def start(self) -> None:
        self.prepare()
        assert self.standby is not None and self._log is not None
        process, self.standby = self.standby, None
        self._ready_file(self.spawned).unlink(missing_ok=True)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        self._log.write(f"\n==== {stamp} start {self.starts + 1} of {self.role}\n".encode())
        self._log.flush()
        assert process.stdin is not None
        try:
            process.stdin.write(b"go\n")
            process.stdin.flush()
        except BrokenPipeError:  # the standby died: start one cold
            process = self._spawn()
            assert process.stdin is not None
            process.stdin.write(b"go\n")
            process.stdin.flush()
        self.process = process
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL: no shutdown of any kind, as in a crash or an OOM kill."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.kills += 1
            if self._log is not None:
                stamp = time.strftime("%Y-%m-%d %H:%M:%S")
                self._log.write(f"\n==== {stamp} killed {self.role} (SIGKILL)\n".encode())
                self._log.flush()
        self._forget()

    @staticmethod
    def _close(process: subprocess.Popen[bytes]) -> None:
        if process.stdin is not None:
            process.stdin.close()

    def _forget(self) -> None:
        if self.process is not None:
            self._close(self.process)
        self.process = None

    def check_exit(self) -> None:
        """Note an exit the test did not cause (a crash), once."""
        if self.process is not None and self.process.poll() is not None:
            code = self.process.returncode
            self.unexpected_exits.append(f"{self.role} exited by itself with code {code}")
            self._forget()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        for process in (self.process, self.standby):
            if process is None or process.poll() is not None:
                continue
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._forget()
        if self.standby is not None:
            self._close(self.standby)
            self._ready_file(self.spawned).unlink(missing_ok=True)
        self.standby = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class Platform:
    """The API process on a fixed loopback port and one worker process."""

    def __init__(self, database_url: str, seed: int, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = platform_env(database_url, seed)
        self.api = Managed(
            "api",
            [
                "serve",
                "--no-worker",
                "--port",
                str(self.port),
                "--database",
                database_url,
                "--admin-token",
                ADMIN_TOKEN,
                "--seed",
                str(seed),
            ],
            env,
            workdir / "api.log",
        )
        self.worker = Managed(
            "worker", ["worker", "--database", database_url], env, workdir / "worker.log"
        )

    async def start_api(self) -> None:
        self.api.start()
        await self.wait_healthy()

    async def wait_healthy(self) -> None:
        deadline = time.monotonic() + HEALTHY_TIMEOUT_S
        async with httpx.AsyncClient(timeout=2.0) as http:
            while True:
                if not self.api.running:
                    raise RuntimeError(
                        f"the API process exited while starting:\n{self.api.log_tail()}"
                    )
                try:
                    if (await http.get(self.url + "/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the API did not answer /healthz in {HEALTHY_TIMEOUT_S:.0f} s:\n"
                        f"{self.api.log_tail()}"
                    )
                await asyncio.sleep(0.1)

    async def start(self) -> None:
        """Both at once on the new database, as a deployment starts them: one creates the
        schema, the other waits for it."""
        self.worker.start()
        await self.start_api()

    def prepare(self) -> None:
        """Warm standbys for both roles (after a start, once the CPU is free again)."""
        self.api.prepare()
        self.worker.prepare()

    def check_exits(self) -> None:
        self.api.check_exit()
        self.worker.check_exit()

    def stop(self) -> None:
        self.api.stop()
        self.worker.stop()

    @property
    def unexpected_exits(self) -> list[str]:
        return self.api.unexpected_exits + self.worker.unexpected_exits
