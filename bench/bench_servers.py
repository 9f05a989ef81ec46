"""The same app under two ASGI servers: uvicorn (what `binance-sandbox serve` runs) and
granian, side by side on the Pay rows of `bench_prism.py`. Run by hand; granian is not a
dependency of the project, `--with granian` brings it for the one run:

    python3 -m uv run --with granian python bench/bench_servers.py [--requests 1000] [--rounds 3] [--database …]

Both servers run one process of the app (granian: one worker, its asyncio loop), on their own
fresh database, with the embedded worker, the request log and its log line on, as users run
them. After a warm-up, every round sends each row's batch to uvicorn and then to granian
(A B A B …). Per row: the medians over the rounds of req/s, server CPU ms per request (the
server's process and its children, from `/proc`) and p99, and the median of the per-round
ratios granian / uvicorn.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from bench_cpu import cpu_seconds
from bench_pay import envelope_ok, merchant_keys, order, signed
from common import (
    ADMIN,
    Request,
    Result,
    Server,
    database_url,
    parser,
    run,
    run_async,
    serve,
    stop,
    wait_healthy,
)

from binance_sandbox.serving import free_port


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and of every process below it."""
    total = cpu_seconds(pid)
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        for child in children.read_text().split():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                total += tree_cpu_seconds(int(child))
    return total


@contextlib.contextmanager
def granian_server(database: str) -> Iterator[Server]:
    granian = shutil.which("granian")
    if granian is None:
        sys.exit("bench_servers needs granian: python3 -m uv run --with granian python …")
    port = free_port()
    env = {**os.environ, "BSX_DATABASE_URL": database, "BSX_ADMIN_TOKEN": ADMIN}
    process = subprocess.Popen(
        [
            granian,
            *("--interface", "asgi", "--host", "127.0.0.1", "--port", str(port)),
            *("--workers", "1", "--loop", "asyncio", "--log-level", "warning"),
            "binance_sandbox.asgi:app",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    try:
        wait_healthy(server.url, process)
        yield server
    finally:
        stop(process)


ROWS: tuple[tuple[str, str, Callable[[str], object]], ...] = (
    ("v2/order (create)", "/v2/order", order),
    ("v2/order/query", "/v2/order/query", lambda t: {"merchantTradeNo": t}),
)


async def batch(server: Server, load: list[Request], concurrency: int) -> tuple[Result, float]:
    before = tree_cpu_seconds(server.pid)
    result = await run(server.url, "batch", load, concurrency, envelope_ok)
    spent = tree_cpu_seconds(server.pid) - before
    if result.errors:
        raise SystemExit(f"{server.url}: {result.errors} errors, e.g. {result.error_samples}")
    return result, spent * 1000 / len(load)


async def bench(
    servers: dict[str, Server], n: int, concurrency: int, rounds: int
) -> dict[str, dict[str, list[tuple[Result, float]]]]:
    keys = {name: await merchant_keys(s.url) for name, s in servers.items()}
    made = itertools.count()

    def load(name: str, path: str, body: Callable[[str], object], size: int) -> list[Request]:
        _merchant, key, secret = keys[name]
        tags = [f"w{i % 200}" if "query" in path else f"r{next(made)}" for i in range(size)]
        return [signed(key, secret, path, body(t)) for t in tags]

    for name, server in servers.items():
        # The orders the queries ask for (`w0` …).
        _merchant, key, secret = keys[name]
        setup = [signed(key, secret, "/v2/order", order(f"w{i}")) for i in range(200)]
        made_orders = await run(server.url, "setup", setup, concurrency, envelope_ok)
        if made_orders.errors:
            raise SystemExit(f"{name}: setup failed, e.g. {made_orders.error_samples}")
        for _row, path, body in ROWS:
            await run(server.url, "warm-up", load(name, path, body, 500), concurrency, envelope_ok)
    samples: dict[str, dict[str, list[tuple[Result, float]]]] = {
        row: {name: [] for name in servers} for row, _p, _b in ROWS
    }
    for _round in range(rounds):
        for row, path, body in ROWS:
            for name, server in servers.items():
                samples[row][name].append(
                    await batch(server, load(name, path, body, n), concurrency)
                )
    return samples


def main() -> None:
    options = parser(__doc__, requests=1000)
    options.add_argument("--rounds", type=int, default=3)
    args = options.parse_args()
    with database_url(args.database) as first, database_url(args.database) as second:
        uvicorn = serve(first)
        try:
            with granian_server(second) as granian:
                samples = run_async(
                    bench(
                        {"uvicorn": uvicorn, "granian": granian},
                        args.requests,
                        args.concurrency,
                        args.rounds,
                    )
                )
        finally:
            stop(uvicorn.process)
    print(f"\n== uvicorn and granian, the same app ({first.split(':')[0]}, {args.rounds} rounds)")
    print(
        f"{'row':<20}{'server':<9}{'req/s':>8}{'CPU ms':>8}{'p99':>7}{'thru g/u':>10}{'CPU u/g':>9}"
    )
    for row, by_server in samples.items():
        u, g = by_server["uvicorn"], by_server["granian"]
        for name, values in by_server.items():
            print(
                f"{row:<20}{name:<9}{statistics.median(r.rps for r, _ in values):>8.0f}"
                f"{statistics.median(c for _, c in values):>8.3f}"
                f"{statistics.median(r.pct(0.99) for r, _ in values):>7.1f}",
                end="",
            )
            if name == "granian":
                thru = statistics.median(b[0].rps / a[0].rps for a, b in zip(u, g, strict=True))
                cpu = statistics.median(a[1] / b[1] for a, b in zip(u, g, strict=True))
                print(f"{thru:>10.2f}{cpu:>9.2f}")
            else:
                print()


if __name__ == "__main__":
    main()
