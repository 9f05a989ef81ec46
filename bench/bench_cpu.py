"""Server CPU per request on the signed reads and on Pay create, against the bare endpoint on
the same server.

Requests per second on a small machine move with whatever else runs on it (the load client
shares the cores); the CPU time the server process spends per request (all its threads, from
`/proc/<pid>/stat`) moves much less, so this is the number to compare two versions of the code
by. Run by hand:

    uv run python bench/bench_cpu.py [--requests 3000] [--rounds 3] [--database postgresql://…]

It prints, per request kind, the server's CPU milliseconds per request (the median of the
rounds) and `bare / it`: the share of the bare endpoint's throughput it would reach if the
server's CPU were the only limit.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable

from bench_wallet import UNLIMITED
from common import Reply, Request, database_url, parser, run, run_async, serve, stop
from profile_reads import LOADS, Load

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User and system time of the process, all threads, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def cpu_ms(
    url: str,
    pid: int,
    load: Callable[[int], list[Request]],
    ok: Callable[[Reply], bool],
    requests: int,
    concurrency: int = 16,
) -> float:
    """The server's CPU milliseconds per request over one batch, after a warm-up."""
    batch = load(requests)
    await run(url, "warm-up", load(200), concurrency, ok)
    before = cpu_seconds(pid)
    result = await run(url, "measured", batch, concurrency, ok)
    spent = cpu_seconds(pid) - before
    if result.errors:
        raise SystemExit(f"{url}: {result.errors} errors, e.g. {result.error_samples}")
    return spent * 1000 / requests


async def measure(
    url: str, pid: int, requests: int, rounds: int, concurrency: int
) -> dict[str, list[float]]:
    loads: dict[str, Load] = {name: await make(url) for name, make in LOADS.items()}
    samples: dict[str, list[float]] = {name: [] for name in loads}
    for _ in range(rounds):
        for name, (load, ok) in loads.items():
            samples[name].append(await cpu_ms(url, pid, load, ok, requests, concurrency))
    return samples


def main() -> None:
    options = parser(__doc__ or "", requests=3000, concurrency=16)
    options.add_argument("--rounds", type=int, default=3)
    args = options.parse_args()
    with database_url(args.database) as database:
        server = serve(database, env=UNLIMITED)
        try:
            samples = run_async(
                measure(server.url, server.pid, args.requests, args.rounds, args.concurrency)
            )
        finally:
            stop(server.process)
    bare = statistics.median(samples["healthz"])
    print(f"{'request':<24}{'server CPU ms/request':>24}{'bare / it':>14}")
    for name, values in samples.items():
        cpu = statistics.median(values)
        print(f"{name:<24}{cpu:>24.3f}{bare / cpu:>14.2f}")


if __name__ == "__main__":
    main()
