"""What every benchmark here shares: `binance-sandbox` processes on free loopback ports, a
closed-loop load of requests, and a table of ratios against a bare endpoint (`GET /healthz`:
no auth, no database) measured on the same server in the same run.

The load comes from a small HTTP/1.1 keep-alive client written on asyncio streams (with
uvloop when it is installed, as it is with `uvicorn[standard]`). A general-purpose client such
as httpx spends several times the server's own time on each request; on a machine of a few
cores the client and the server share, so a heavy client would measure itself. Every row of a
table comes from the same client, so the ratios compare the server's paths, not the client.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from binance_sandbox.serving import free_port

ADMIN = "bench-admin"
Prepared = tuple[str, str, bytes, dict[str, str]]  # method, path, body, headers
# A request, or how to build it at send time (for signatures with a short time window).
Request = Prepared | Callable[[], Prepared]
T = TypeVar("T")


# -- the load client ------------------------------------------------------------------------


@dataclass
class Reply:
    """An HTTP answer, with the attributes of httpx's Response that the checks use."""

    status_code: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)


class Connection:
    """One keep-alive HTTP/1.1 connection: a request, then its answer, and again."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._reader, self._writer
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        if body or method not in ("GET", "HEAD"):
            head.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        answer_headers: dict[str, str] = {}
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                answer_headers[name.strip().lower()] = value.strip()
        if answer_headers.get("transfer-encoding", "").lower() == "chunked":
            content = await _read_chunked(reader)
        elif "content-length" in answer_headers:
            content = await reader.readexactly(int(answer_headers["content-length"]))
        elif method == "HEAD" or status in (204, 304):
            content = b""
        else:  # delimited by the end of the connection
            content = await reader.read()
            answer_headers["connection"] = "close"
        if answer_headers.get("connection", "").lower() == "close":
            await self.close()
        return Reply(status, answer_headers, content)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers are sent to this client
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """Run the load's event loop, on uvloop when it is installed."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


# -- results --------------------------------------------------------------------------------


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
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def run(
    url: str | Sequence[str],
    name: str,
    requests: Sequence[Request],
    concurrency: int,
    ok: Callable[[Reply], bool],
) -> Result:
    """Send `requests` over `concurrency` connections, each sending its next request as soon
    as the last one was answered (a closed loop). With several URLs the connections are
    spread over them in turn, and so is the load."""
    urls = [url] if isinstance(url, str) else list(url)
    latencies: list[float] = []
    samples: list[str] = []
    errors = 0
    queue = list(reversed(requests))
    connections = [Connection(urls[i % len(urls)]) for i in range(concurrency)]

    async def worker(connection: Connection) -> None:
        nonlocal errors
        while queue:
            item = queue.pop()
            method, path, body, headers = item() if callable(item) else item
            began = time.perf_counter()
            try:
                response = await connection.request(method, path, body, headers)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                await connection.close()
                latencies.append((time.perf_counter() - began) * 1000)
                errors += 1
                if len(samples) < 3:
                    samples.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append((time.perf_counter() - began) * 1000)
            if not ok(response):
                errors += 1
                if len(samples) < 3:
                    samples.append(f"HTTP {response.status_code} {response.text[:200]}")

    try:
        began = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in connections))
        seconds = time.perf_counter() - began
    finally:
        for c in connections:
            await c.close()
    return Result(name, len(requests), seconds, latencies, errors, samples)


async def collect(
    url: str, requests: Sequence[Request], take: Callable[[Reply], T], concurrency: int = 8
) -> list[T]:
    """Setup, never timed: send `requests` and keep what `take` reads from each answer, in
    the order of the requests."""
    answers: list[T | None] = [None] * len(requests)
    connections = [Connection(url) for _ in range(concurrency)]

    async def worker(first: int, connection: Connection) -> None:
        for i in range(first, len(requests), concurrency):
            item = requests[i]
            method, path, body, headers = item() if callable(item) else item
            reply = await connection.request(method, path, body, headers)
            try:
                answers[i] = take(reply)
            except (KeyError, TypeError, ValueError) as exc:
                raise RuntimeError(f"setup request {path} failed: {reply.text[:300]}") from exc
        await connection.close()

    await asyncio.gather(*(worker(i, c) for i, c in enumerate(connections)))
    return [a for a in answers if a is not None]


def healthz(n: int) -> list[Request]:
    return [("GET", "/healthz", b"", {})] * n


def status_200(response: Reply) -> bool:
    return response.status_code == 200


async def bare(url: str | Sequence[str], n: int, concurrency: int) -> Result:
    """The bare endpoint, after a warm-up: what the same stack answers with no work."""
    await run(url, "warm-up", healthz(max(200, n // 5)), concurrency, status_200)
    return await run(url, "bare GET /healthz", healthz(n), concurrency, status_200)


def report(
    database: str, n: int, concurrency: int, results: list[Result], title: str | None = None
) -> None:
    """The table: the first row is the bare endpoint, and every ratio is against it."""
    base = results[0].rps
    if title:
        print(f"\n== {title}")
    print(f"database: {database.split(':')[0]}   requests: {n} each   concurrency: {concurrency}")
    print(f"{'endpoint':<34}{'req/s':>9}{'ratio':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for r in results:
        row = f"{r.name:<34}{r.rps:>9.0f}{r.rps / base if base else 0:>8.2f}"
        print(f"{row}{r.pct(0.5):>9.1f}{r.pct(0.99):>9.1f}{r.errors:>8}")
    for r in results:
        for sample in r.error_samples:
            print(f"  {r.name} error: {sample}")
    sys.stdout.flush()


# -- processes ------------------------------------------------------------------------------


def wait_healthy(url: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited ({process.returncode})")
        try:
            if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer /healthz in {seconds:.0f} s")
        time.sleep(0.2)


def start(args: Sequence[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """`python -m binance_sandbox <args>` in its own process, quiet."""
    return subprocess.Popen(
        [sys.executable, "-m", "binance_sandbox", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid


def serve(database: str, *, worker: bool = True, env: dict[str, str] | None = None) -> Server:
    """`binance-sandbox serve` on a free port, once it answers."""
    port = free_port()
    args = ["serve", "--port", str(port), "--database", database, "--admin-token", ADMIN]
    process = start([*args, "--worker" if worker else "--no-worker"], env)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
    except BaseException:
        stop(process)
        raise
    return Server(url, process)


@contextlib.contextmanager
def database_url(database: str | None) -> Iterator[str]:
    """`None`: a new SQLite file in a temporary directory. `postgresql://…/name`: a new, empty
    database on that server, dropped afterwards, so that every run starts clean. Anything else
    is used as given."""
    if database is None:
        with tempfile.TemporaryDirectory(prefix="bsx-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    if not database.startswith(("postgresql://", "postgres://")):
        yield database
        return
    import psycopg

    admin_url = database.rsplit("/", 1)[0] + "/postgres"
    name = f"bsx_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{database.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def sandbox_server(
    database: str | None, *, env: dict[str, str] | None = None
) -> Iterator[tuple[str, str]]:
    """`binance-sandbox serve` (with its worker) on a fresh database; yields (base URL,
    database URL)."""
    with database_url(database) as url_db:
        server = serve(url_db, env=env)
        try:
            yield server.url, url_db
        finally:
            stop(server.process)


def rss_mib(pid: int) -> float:
    """Resident memory of a process (VmRSS in /proc/<pid>/status), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def admin_client(url: str) -> httpx.AsyncClient:
    """The control API (setup only, never timed)."""
    return httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=60)


def parser(
    description: str | None, requests: int | None, concurrency: int = 16
) -> argparse.ArgumentParser:
    """The options every bench takes (`--requests` unless `requests` is None)."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database",
        default=None,
        help="postgresql://host/any: a fresh database on that server (default: SQLite file)",
    )
    if requests is not None:
        parser.add_argument("--requests", type=int, default=requests, help="per endpoint")
    parser.add_argument("--concurrency", type=int, default=concurrency)
    return parser
