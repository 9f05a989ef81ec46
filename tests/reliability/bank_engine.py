"""A bank test in the spirit of Jepsen's, for binance-sandbox.

Many concurrent clients buy and sell through Connect Prime, create, pay, close and refund
Binance Pay orders, send Pay payouts, and move money through the Wallet API (sub-account
transfers, withdrawals to other users and to the outside world), while the API process and
the delivery worker are killed with SIGKILL at seeded moments and started again. Then every
process runs, the worker drains the outbox on a moving sandbox clock, and the invariants of
`bank_checks` are checked against the database, the clients' history and what the webhook
receivers got. `scripts/bank.py` runs it by hand; `test_bank.py` is CI's short version.

The seed fixes the plan: each client's operations and amounts, the kill schedule, the
partner bank's answers, and the platform's own ids. Thread and process timing still varies
from run to run, so a failure shows up again with the same seed often, not always.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from bank_checks import Violation, check, load
from bank_clients import OP_DEADLINE_S, Bank, History, World, setup_world
from bank_processes import ADMIN_TOKEN, START_MS, Platform, TestDatabase, fresh_database
from bank_receivers import Receivers
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from binance_sandbox.storage.models import Meta, OutboxItem, PayOrder, PrimeOrder

CLOCK_STEP_MS = (500, 1_500)  # each tick of the sandbox clock during the run
CLOCK_TICK_S = 0.1
# A tick settles (the API process runs what fell due, beside the worker process) but waits
# at most this long: items a killed worker holds until its lease ends must not stop the clock.
CLOCK_SETTLE_TIMEOUT_MS = 1_000
DRAIN_STEP_MS = 30_000  # the least the drain moves the clock when nothing is due
BOOT_TIMEOUT_S = 120.0
SETTLE_S = 3.0  # the least time between a restart and the next kill
STANDBY_TIMEOUT_S = 30.0  # how long a kill waits for its replacements to be imported
TAIL_S = 3.0


@dataclass
class BankConfig:
    seed: int = 1
    duration_s: float = 30.0  # how long the clients run (the faults happen in this window)
    database: str = "sqlite"  # sqlite, sqlite:///file.db or postgresql://… (a fresh db is made)
    clients: int = 8
    kills: int = 2
    users: int = 6
    drain_timeout_s: float = 120.0
    workdir: Path | None = None  # logs and the SQLite file; a temporary one by default
    keep: bool = False  # keep the database and the logs even when everything held
    log: Callable[[str], None] = print


@dataclass
class BankReport:
    config: BankConfig
    database_kind: str
    violations: list[Violation]
    stats: dict[str, Any]
    workdir: Path
    kept: bool = False
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def command(self) -> str:
        c = self.config
        return (
            f"python scripts/bank.py --seed {c.seed} --duration {c.duration_s:g} "
            f"--database {c.database} --clients {c.clients} --kills {c.kills} --users {c.users}"
        )

    def summary(self) -> str:
        s: defaultdict[str, Any] = defaultdict(int, self.stats)
        ops = ", ".join(f"{k} {v}" for k, v in sorted(dict(s["ops"] or {}).items()))
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(dict(s["outcomes"] or {}).items()))
        head = "bank test held" if self.ok else "BANK TEST FAILED"
        lines = [
            f"{head}: seed {self.config.seed}, {self.database_kind}, {self.config.clients} "
            f"clients, {s['wall_s']:.1f} s (set up {s['setup_s']:.1f} s)",
            f"  operations: {s['op_count']} ({outcomes}); {ops}",
            f"  kills: {s['kills']} (api {s['api_kills']}, worker {s['worker_kills']}); "
            f"starts: api {s['api_starts']}, worker {s['worker_starts']}",
            f"  Connect Prime orders {s['prime_orders']}, Pay orders {s['pay_orders']}; "
            f"webhooks acknowledged {s['webhooks']} (of {s['deliveries']} deliveries, "
            f"{s['answered_503']} answered 503); merchant API calls {s['merchant_calls']}",
            f"  sandbox time moved {s['sandbox_minutes']:.1f} min; drain {s['drain_s']:.1f} s; "
            f"ERROR lines in the platform's logs: {s['log_errors']}",
        ]
        if s["first_log_error"]:
            lines.append(f"    first: {s['first_log_error']}")
        if not self.ok:
            first = self.violations[0]
            lines += [
                f"  first violated invariant: {first.invariant}",
                f"    {first.detail}",
                f"  {len(self.violations)} violation(s) in all; reproduce with: {self.command()}",
            ]
            lines += [f"    - {v}" for v in self.violations[1:10]]
        if self.kept:
            lines.append(f"  logs and database kept in {self.workdir}")
        return "\n".join(lines)


def kill_plan(seed: int, duration_s: float, kills: int) -> list[tuple[float, str, float]]:
    """(seconds after the start, which processes, seconds they stay down), seeded; the
    targets take turns among api, worker and both, in a seeded order."""
    rng = random.Random(seed * 97 + 3)
    targets = ["api", "worker", "both"]
    rng.shuffle(targets)
    return [
        (
            duration_s * (i + 0.2 + rng.random() * 0.5) / kills,
            targets[i % len(targets)],
            0.1 + rng.random() * 1.0,
        )
        for i in range(kills)
    ]


class Run:
    def __init__(self, config: BankConfig, db: TestDatabase, workdir: Path) -> None:
        self.config = config
        self.db = db
        self.workdir = workdir
        self.platform = Platform(db.url, config.seed, workdir)
        self.receivers = Receivers(config.seed)
        self.history = History()
        self.problems: list[str] = []
        self.log = config.log
        self.engine = create_engine(db.sync_url)

    async def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        async with httpx.AsyncClient(
            base_url=self.platform.url,
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=30,
        ) as http:
            response = await http.request(method, "/sandbox/v1" + path, **kwargs)
            response.raise_for_status()
            return response.json()

    # -- faults ----------------------------------------------------------------------------

    def _boot(self) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(select(Meta.value).where(Meta.key == "boot")).scalar_one_or_none()
        return int(value or 0)

    async def wait_booted(self) -> None:
        """Each process start takes the next boot number, which seeds that process's ids:
        wait until the last start has taken its own (a worker has no other sign of being up),
        and note it when two starts took the same number."""
        starts = self.platform.api.starts + self.platform.worker.starts
        deadline = time.monotonic() + BOOT_TIMEOUT_S
        while (boot := await asyncio.to_thread(self._boot)) < starts:
            if time.monotonic() > deadline:
                self.problems.append(
                    f"{starts} process starts but the boot counter is {boot}: two processes "
                    "took the same boot number, hence the same id stream"
                )
                return
            await asyncio.sleep(0.1)

    async def keep_alive(self) -> None:
        """Start again what died without being killed (noting it: that is a crash)."""
        for managed in (self.platform.api, self.platform.worker):
            if managed.process is not None and not managed.running:
                managed.check_exit()
                self.problems.append(
                    f"{managed.unexpected_exits[-1]}; log:\n{managed.log_tail(30)}"
                )
                await self.restart(managed.role)
                self.platform.prepare()

    async def restart(self, role: str) -> None:
        try:
            if role == "worker":
                self.platform.worker.start()
            else:
                await self.platform.start_api()
        except RuntimeError as exc:
            self.problems.append(f"the {role} did not start again: {exc}")
            raise

    async def chaos(self, began: float, stop: asyncio.Event, planned: asyncio.Event) -> None:
        plan = kill_plan(self.config.seed, self.config.duration_s, self.config.kills)
        settled = began
        for at, target, down in plan:
            await self.wait_booted()
            roles = ["api", "worker"] if target == "both" else [target]
            standbys = [getattr(self.platform, role) for role in roles]
            # The platform serves a while between two kills, whatever the plan says, and the
            # replacements are ready to start (or the wait for them would dominate the run).
            standby_deadline = time.monotonic() + STANDBY_TIMEOUT_S
            while (
                time.monotonic() - began < at
                or time.monotonic() - settled < SETTLE_S
                or (
                    not all(m.standby_ready for m in standbys)
                    and time.monotonic() < standby_deadline
                )
            ):
                await self.keep_alive()
                await asyncio.sleep(0.05)
            self.log(f"  t={time.monotonic() - began:5.1f}s kill -9 {target}, down {down:.1f}s")
            for role in roles:
                getattr(self.platform, role).kill()
            await asyncio.sleep(down)
            for role in roles:
                await self.restart(role)
            self.log(f"  t={time.monotonic() - began:5.1f}s {target} running again")
            self.platform.prepare()
            settled = time.monotonic()
        planned.set()
        while not stop.is_set():
            await self.keep_alive()
            await asyncio.sleep(0.05)

    async def move_clock(self, stop: asyncio.Event) -> None:
        rng = random.Random(self.config.seed * 13 + 7)
        while not stop.is_set():
            with contextlib.suppress(httpx.HTTPError):
                await self.admin(
                    "POST",
                    "/clock/advance",
                    json={
                        "ms": rng.randint(*CLOCK_STEP_MS),
                        "timeoutMs": CLOCK_SETTLE_TIMEOUT_MS,
                    },
                )
            await asyncio.sleep(CLOCK_TICK_S)

    # -- after the faults ------------------------------------------------------------------

    def _outbox(self, now: int) -> tuple[int, int | None, int]:
        with self.engine.connect() as conn:
            pending = OutboxItem.status == "pending"
            count, next_due = conn.execute(
                select(func.count(), func.min(OutboxItem.due_at)).where(pending)
            ).one()
            due = conn.execute(
                select(func.count()).where(pending, OutboxItem.due_at <= now)
            ).scalar_one()
        return int(count), next_due, int(due)

    async def drain(self) -> bool:
        """Move the sandbox clock from one due item to the next until the worker has done
        everything (unpaid Pay orders expire an hour after creation, retries back off)."""
        deadline = time.monotonic() + self.config.drain_timeout_s
        while time.monotonic() < deadline:
            await self.keep_alive()
            try:
                now = int((await self.admin("GET", "/clock"))["nowMs"])
                count, next_due, due = await asyncio.to_thread(self._outbox, now)
                if count == 0:
                    return True
                if due == 0 and next_due is not None:
                    step = max(next_due - now, 0) + DRAIN_STEP_MS
                    await self.admin("POST", "/clock/advance", json={"ms": step})
                    continue
            except httpx.HTTPError:
                pass  # the API is starting again (keep_alive): ask again
            await asyncio.sleep(0.1)
        return False

    def stats(self, world: World | None) -> dict[str, Any]:
        ops = self.history.ops
        got = self.receivers.got
        with self.engine.connect() as conn:
            prime = Counter(
                dict(
                    conn.execute(
                        select(PrimeOrder.status, func.count()).group_by(PrimeOrder.status)
                    ).all()
                )
            )
            pay = Counter(
                dict(
                    conn.execute(
                        select(PayOrder.status, func.count()).group_by(PayOrder.status)
                    ).all()
                )
            )
        errors = [
            line
            for managed in (self.platform.api, self.platform.worker)
            if managed.log_path.exists()
            for line in managed.log_path.read_text(errors="replace").splitlines()
            if " ERROR " in line
        ]
        return {
            "log_errors": len(errors),
            "first_log_error": errors[0][:300] if errors else "",
            "op_count": len(ops),
            "ops": Counter(op.kind for op in ops),
            "outcomes": Counter(op.outcome for op in ops),
            "kills": self.platform.api.kills + self.platform.worker.kills,
            "api_kills": self.platform.api.kills,
            "worker_kills": self.platform.worker.kills,
            "api_starts": self.platform.api.starts,
            "worker_starts": self.platform.worker.starts,
            "prime_orders": dict(prime),
            "pay_orders": dict(pay),
            "webhooks": sum(got.prime.values()) + sum(got.pay.values()),
            "deliveries": got.deliveries,
            "answered_503": got.answered_503,
            "merchant_calls": sum(got.merchant_calls.values()),
            "users": len(world.users) if world else 0,
        }

    async def run(self) -> tuple[list[Violation], dict[str, Any]]:
        config = self.config
        started = time.monotonic()
        self.receivers.start()
        await self.platform.start()
        self.platform.prepare()  # the standbys import while the world is set up
        world = await asyncio.to_thread(
            setup_world, self.platform.url, self.receivers, config.seed, config.users
        )
        setup_s = time.monotonic() - started
        self.log(
            f"bank: seed {config.seed}, {self.db.kind}, {config.clients} clients, "
            f"{config.duration_s:g} s, {config.kills} kills; API {self.platform.url} "
            f"(set up in {setup_s:.1f} s)"
        )
        await self.wait_booted()
        bank = Bank(world, self.history)
        stop, planned = asyncio.Event(), asyncio.Event()
        began = time.monotonic()
        try:
            chaos = asyncio.create_task(self.chaos(began, stop, planned))
            clock = asyncio.create_task(self.move_clock(stop))
            customers = asyncio.gather(*(bank.customer(i, stop) for i in range(config.clients)))
            await asyncio.sleep(config.duration_s)
            if not planned.is_set():
                # A slow machine put kills late: the clients go on until the last restart,
                # and a little after, so that every kill lands under load.
                await planned.wait()
                await asyncio.sleep(TAIL_S)
            stop.set()
            await asyncio.wait_for(chaos, timeout=300)
            await clock
            await asyncio.wait_for(customers, timeout=OP_DEADLINE_S * 3)
        finally:
            await bank.aclose()
        self.log(f"  clients done after {time.monotonic() - began:.1f}s; draining the outbox")
        drain_began = time.monotonic()
        drained = await self.drain()
        await self.wait_booted()
        drain_s = time.monotonic() - drain_began
        audit = await self.admin("GET", "/ledger/audit")
        now = int((await self.admin("GET", "/clock"))["nowMs"])
        self.platform.check_exits()
        problems = list(self.problems)
        if not drained:
            problems.append(
                f"the outbox was not drained in {config.drain_timeout_s:g} s of waiting"
            )
        with self.receivers.lock:
            got = self.receivers.got
            facts = load(self.engine, world, self.history, got, audit, problems)
            violations = check(facts)
            stats = self.stats(world)
        stats.update(
            setup_s=setup_s,
            wall_s=time.monotonic() - started,
            drain_s=drain_s,
            sandbox_minutes=(now - START_MS) / 60_000,
        )
        return violations, stats


def run_bank(config: BankConfig) -> BankReport:
    """Run the bank test once; the report says what held and what did not."""
    temporary = config.workdir is None
    workdir = config.workdir or Path(tempfile.mkdtemp(prefix="bsx-bank-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = fresh_database(config.database, workdir, config.seed)
    run = Run(config, db, workdir)
    violations: list[Violation] = []
    stats: dict[str, Any] = {}
    try:
        violations, stats = asyncio.run(run.run())
    except RuntimeError as exc:
        # A process that would not start again ends the run: that is the finding.
        violations = [Violation("processes start again after every kill", str(exc))]
        with contextlib.suppress(SQLAlchemyError):
            stats = run.stats(None)
    finally:
        run.platform.stop()
        run.receivers.stop()
        run.engine.dispose()
    report = BankReport(config, db.kind, violations, stats, workdir)
    report.kept = config.keep or not report.ok
    if not report.kept:
        db.drop()
        if temporary:
            shutil.rmtree(workdir, ignore_errors=True)
    return report
