"""What every benchmark here shares: a `binance-sandbox serve` process on a free loopback
port, a closed-loop load of pre-built requests, and a table of ratios against a bare
endpoint measured in the same run."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from binance_sandbox.serving import free_port

ADMIN = "bench-admin"
Prepared = tuple[str, str, bytes, dict[str, str]]  # method, path, body, headers
# A request, or how to build it at send time (for signatures with a short time window).
Request = Prepared | Callable[[], Prepared]


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    error_samples: list[str]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


@contextlib.contextmanager
def sandbox_server(database: str | None) -> Iterator[tuple[str, str]]:
    """Start `binance-sandbox serve`; yields (base URL, database URL)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        url_db = database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "binance_sandbox",
                "serve",
                "--port",
                str(port),
                "--database",
                url_db,
                "--admin-token",
                ADMIN,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(url + "/healthz")
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            yield url, url_db
        finally:
            server.terminate()
            server.wait()


async def run(
    url: str,
    name: str,
    requests: list[Request],
    concurrency: int,
    ok: Callable[[httpx.Response], bool],
) -> Result:
    latencies: list[float] = []
    samples: list[str] = []
    errors = 0
    queue = list(reversed(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as http:

        async def worker() -> None:
            nonlocal errors
            while queue:
                item = queue.pop()
                method, path, body, headers = item() if callable(item) else item
                began = time.perf_counter()
                response = await http.request(method, path, content=body, headers=headers)
                latencies.append((time.perf_counter() - began) * 1000)
                if not ok(response):
                    errors += 1
                    if len(samples) < 3:
                        samples.append(response.text[:200])

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - began
    return Result(name, len(requests), seconds, latencies, errors, samples)


async def bare(url: str, n: int, concurrency: int) -> Result:
    await run(
        url,
        "warm-up",
        [("GET", "/healthz", b"", {})] * 200,
        concurrency,
        lambda r: r.status_code == 200,
    )
    return await run(
        url,
        "bare GET /healthz",
        [("GET", "/healthz", b"", {})] * n,
        concurrency,
        lambda r: r.status_code == 200,
    )


def report(database: str, n: int, concurrency: int, results: list[Result]) -> None:
    base = results[0].rps
    print(f"database: {database.split(':')[0]}   requests: {n} each   concurrency: {concurrency}")
    print(f"{'endpoint':<26}{'req/s':>9}{'ratio':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for r in results:
        row = f"{r.name:<26}{r.rps:>9.0f}{r.rps / base:>8.2f}"
        print(f"{row}{r.pct(0.5):>9.1f}{r.pct(0.99):>9.1f}{r.errors:>8}")
    for r in results:
        for sample in r.error_samples:
            print(f"  {r.name} error: {sample}")
