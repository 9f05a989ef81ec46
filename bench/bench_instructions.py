"""Instructions the server executes per request, counted by valgrind's callgrind: the same
number for the same code and load on any run, where CPU time moves by a third between runs on
a shared machine. For comparing two versions of the code, a change at a time. Run by hand
(needs valgrind: `apt-get install valgrind`):

    uv run python bench/bench_instructions.py [--requests 2000] [--loads pay-query,healthz]

The server (`binance-sandbox serve --no-worker`) runs under callgrind with instrumentation
off until the load's warm-up is done, then on for exactly the measured requests. Under
callgrind it runs some fifty times slower, so what it does by the wall clock would weigh
fifty times more per request than it does at full speed: the clock, fault rules and
credentials it reads again every half second or so, and the request log it writes every
second. For this run the server's monotonic clock runs `--slow` times slower (default 50),
and the request log is written per 1000 entries, as at full speed; everything else is the
server as users run it. Loads are those of `profile_reads.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_floor import floor_queries
from bench_pay import envelope_ok
from bench_wallet import UNLIMITED
from common import ADMIN, healthz, parser, run, run_async, status_200, stop, wait_healthy
from profile_reads import LOADS, Load

from binance_sandbox.serving import free_port

HERE = Path(__file__).resolve().parent


def serve_slowed(slow: float, args: list[str]) -> None:
    """`binance-sandbox serve`, its monotonic clock `slow` times slower and its request log
    written per 1000 entries."""
    real_monotonic = time.monotonic
    time.monotonic = lambda: real_monotonic() / slow

    import binance_sandbox.app as app_module
    from binance_sandbox.cli import app
    from binance_sandbox.platform import Platform

    async def flush_per_thousand(platform: Platform, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=0.05)
            if len(platform.request_log.pending) >= 1000:
                await platform.flush_request_log()

    app_module._flush_request_log = flush_per_thousand
    sys.argv = ["binance-sandbox", "serve", *args]
    app()


def callgrind_total(prefix: str) -> int:
    total = 0
    for path in Path(prefix).parent.glob(Path(prefix).name + "*"):
        for line in path.read_text().splitlines():
            if line.startswith("totals:"):
                total += int(line.split()[1])
    return total


async def instrument(pid: int, state: str) -> None:
    control = await asyncio.create_subprocess_exec(
        "callgrind_control",
        "-i",
        state,
        str(pid),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if await control.wait() != 0:
        raise SystemExit(f"callgrind_control -i {state} failed")


# The raw ASGI app of `bench_floor.py`: the floor of a signed read on the same uvicorn.
FLOOR_LOADS: dict[str, Load] = {
    "floor-query": (floor_queries, envelope_ok),
    "floor-healthz": (healthz, status_200),
}


async def drive(url: str, pid: int, load: str, requests: int) -> None:
    make, ok = FLOOR_LOADS[load] if load in FLOOR_LOADS else await LOADS[load](url)
    await run(url, "warm-up", make(200), 16, ok)
    await instrument(pid, "on")
    await asyncio.sleep(2)  # callgrind takes the command at its next check
    result = await run(url, load, make(requests), 16, ok)
    await instrument(pid, "off")
    if result.errors:
        raise SystemExit(f"{load}: {result.errors} errors, e.g. {result.error_samples}")


def count(load: str, requests: int, slow: float) -> int:
    with tempfile.TemporaryDirectory(prefix="bsx-instr-") as tmp:
        port = free_port()
        out = str(Path(tmp) / "callgrind.out")
        if load in FLOOR_LOADS:
            server = [str(HERE / "bench_floor.py"), "serve-floor", str(port), f"{tmp}/floor.db"]
        else:
            server = [__file__, "serve-slowed", str(slow), "--port", str(port)]
            server += ["--database", f"sqlite:///{tmp}/bench.db", "--admin-token", ADMIN]
            server += ["--no-worker"]
        process = subprocess.Popen(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                *server,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **UNLIMITED, "PYTHONHASHSEED": "0"},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, process, seconds=600)
            run_async(drive(url, process.pid, load, requests))
        finally:
            stop(process)
        return callgrind_total(out) // requests


def main(argv: list[str]) -> None:
    if argv[:1] == ["serve-slowed"]:
        serve_slowed(float(argv[1]), argv[2:])
        return
    options = parser(__doc__, requests=2000)
    options.add_argument(
        "--loads", default="pay-query,healthz", help=", ".join([*LOADS, *FLOOR_LOADS])
    )
    options.add_argument("--slow", type=float, default=50.0)
    args = options.parse_args(argv)
    counts: dict[str, Any] = {}
    for load in args.loads.split(","):
        counts[load] = count(load, args.requests, args.slow)
        print(f"{load:<24}{counts[load]:>12,} instructions / request", flush=True)
    if "healthz" in counts:
        for load, instructions in counts.items():
            print(f"{load:<24} bare / it {counts['healthz'] / instructions:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
