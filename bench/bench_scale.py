"""Scale-out: the same Binance Pay load (signed `v2/order` create and `v2/order/query`, and the
bare `GET /healthz`) on SQLite and on PostgreSQL, served by one API process and then by two,
with the load split evenly across them; the scaling ratio (two / one), and each API process's
resident memory idle and under load. Run by hand:

    uv run python bench/bench_scale.py [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--redis redis://127.0.0.1:6379/13] [--requests 2000] [--concurrency 16]

Each configuration is the scaled-out deployment (README "Storage and scale"): N ×
`binance-sandbox serve --no-worker` on their own ports and one `binance-sandbox worker`, on a
fresh database (a new SQLite file; a new PostgreSQL database, dropped afterwards), sharing
Pay nonces (and Wallet rate limits) through Redis (`BSX_REDIS_URL`) so that a replay is
refused whichever process it reaches. One process is run the same way, Redis included, so
that only the number of processes changes. Memory is VmRSS from /proc/<pid>/status: idle
after start-up, and the highest seen while the load ran (sampled every 100 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from bench_pay import envelope_ok, merchant_keys, order, signed
from common import (
    Result,
    Server,
    bare,
    database_url,
    rss_mib,
    run,
    run_async,
    serve,
    start,
    stop,
)


@dataclass
class Measured:
    database: str
    processes: int
    results: list[Result]
    idle_mib: list[float]
    load_mib: list[float] = field(default_factory=list)


@contextlib.contextmanager
def deployment(database: str, processes: int, redis: str | None) -> Iterator[list[Server]]:
    """N API processes without workers, then one delivery worker, on `database`."""
    env = {"BSX_REDIS_URL": redis} if redis else {}
    servers: list[Server] = []
    worker = None
    try:
        # One after the other: the first applies the migrations to the fresh database.
        for _ in range(processes):
            servers.append(serve(database, worker=False, env=env))
        worker = start(["worker", "--database", database], env)
        yield servers
    finally:
        if worker is not None:
            stop(worker)
        for server in servers:
            stop(server.process)


async def sample_rss(pids: list[int], peaks: list[float], done: asyncio.Event) -> None:
    while not done.is_set():
        for i, pid in enumerate(pids):
            with contextlib.suppress(OSError):
                peaks[i] = max(peaks[i], rss_mib(pid))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(done.wait(), 0.1)


async def measure(
    label: str, servers: list[Server], n: int, concurrency: int
) -> tuple[list[Result], list[float]]:
    urls = [s.url for s in servers]
    _merchant, key, secret = await merchant_keys(urls[0])
    peaks = [rss_mib(s.pid) for s in servers]
    done = asyncio.Event()
    sampler = asyncio.create_task(sample_rss([s.pid for s in servers], peaks, done))
    try:
        results = [
            await bare(urls, n, concurrency),
            await run(
                urls,
                "signed v2/order (create)",
                [signed(key, secret, "/v2/order", order(f"{label}{i}")) for i in range(n)],
                concurrency,
                envelope_ok,
            ),
            await run(
                urls,
                "signed v2/order/query",
                [
                    signed(key, secret, "/v2/order/query", {"merchantTradeNo": f"{label}{i}"})
                    for i in range(n)
                ],
                concurrency,
                envelope_ok,
            ),
        ]
    finally:
        done.set()
        await sampler
    return results, peaks


def run_configuration(
    database: str | None, processes: int, redis: str | None, n: int, concurrency: int
) -> Measured:
    with database_url(database) as url, deployment(url, processes, redis) as servers:
        idle = [rss_mib(s.pid) for s in servers]
        results, peaks = run_async(measure(f"s{processes}x", servers, n, concurrency))
        return Measured(url.split(":")[0], processes, results, idle, peaks)


def print_tables(n: int, concurrency: int, measured: list[Measured]) -> None:
    print("\n== Scale-out: one API process against two (Pay load split evenly across them)")
    print(f"requests: {n} each   concurrency: {concurrency} in all   + one separate worker")
    print(
        f"{'database':<12}{'API':>4}  {'endpoint':<26}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'errors':>7}"
    )
    for m in measured:
        for r in m.results:
            print(
                f"{m.database:<12}{m.processes:>4}  {r.name:<26}{r.rps:>8.0f}{r.pct(0.5):>8.1f}"
                f"{r.pct(0.99):>8.1f}{r.errors:>7}"
            )
    print(f"\n{'database':<12}{'endpoint':<26}{'1 proc':>8}{'2 procs':>9}{'scaling':>9}")
    by_key = {(m.database, m.processes): m for m in measured}
    for database in dict.fromkeys(m.database for m in measured):
        one, two = by_key.get((database, 1)), by_key.get((database, 2))
        if one is None or two is None:
            continue
        for a, b in zip(one.results, two.results, strict=True):
            print(f"{database:<12}{a.name:<26}{a.rps:>8.0f}{b.rps:>9.0f}{b.rps / a.rps:>9.2f}")
    print(f"\n{'database':<12}{'API':>4}  {'RSS idle MiB (each)':<24}{'RSS under load MiB (each)'}")
    for m in measured:
        idle = ", ".join(f"{v:.0f}" for v in m.idle_mib)
        load = ", ".join(f"{v:.0f}" for v in m.load_mib)
        print(f"{m.database:<12}{m.processes:>4}  {idle:<24}{load}")
    for m in measured:
        for r in m.results:
            for sample in r.error_samples:
                print(f"  {m.database}/{m.processes} {r.name} error: {sample}")
    sys.stdout.flush()


def reachable(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def main() -> None:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    options.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    options.add_argument("--no-postgres", action="store_true", help="SQLite only")
    options.add_argument("--requests", type=int, default=2000, help="per endpoint")
    options.add_argument("--concurrency", type=int, default=16)
    args = options.parse_args()
    redis = args.redis or None
    if redis:
        import redis as redis_client

        try:
            redis_client.Redis.from_url(redis).ping()
        except redis_client.RedisError:
            sys.exit(f"Redis at {redis} does not answer (give --redis '' to run without it)")
    databases: list[str | None] = [None]
    if not args.no_postgres:
        if reachable(args.postgres):
            databases.append(args.postgres)
        else:
            print(f"PostgreSQL at {args.postgres} does not answer: SQLite only")
    measured = [
        run_configuration(database, processes, redis, args.requests, args.concurrency)
        for database in databases
        for processes in (1, 2)
    ]
    print_tables(args.requests, args.concurrency, measured)


if __name__ == "__main__":
    main()
