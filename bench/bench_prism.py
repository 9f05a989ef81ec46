"""Binance Pay against a peer: the same create-order and query loads sent to the sandbox and
to Stoplight Prism (`prism mock`) serving the OpenAPI part of `spec/pay-openapi.txt`. Prism
answers each request from the document's schemas after validating it: it checks no
signature, keeps no state and writes nothing, so it is the floor of what a mock of this API
costs. Run by hand:

    uv run python bench/bench_prism.py [--database postgresql://…] [--requests 1000] [--rounds 5] [--concurrency 16] [--spec …/pay-openapi.txt]

Both servers are warmed up first (every kind of request, Node's JIT included); then each
round sends every row's batch to the sandbox and then to Prism, A B A B, so that a slow
minute of the machine falls on both. Per row it prints the medians over the rounds of each
server's throughput, CPU milliseconds per request (the process's user and system time, all
threads, from `/proc/<pid>/stat`) and p99, and the median of the per-round ratios. The rows:
`v3/order/create` in the document's shape (`totalFee`, `tradeType`), `v2/order` (which the
document lacks: Prism's side of that row is its `v3/order/create`), and `v2/order/query`
by `merchantTradeNo`. Each request is signed as it is sent. Prism runs with its defaults (one
process, request logging on; its log goes nowhere), as does the sandbox (request log and
per-request log line on).

Prism is installed with npm, once, into ~/.cache/binance-sandbox/prism (outside the
repository); the OpenAPI document is cut out of the text file into a temporary directory
on each run. Needs Node.js and npm.
"""

from __future__ import annotations

import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from bench_cpu import cpu_seconds
from bench_pay import envelope_ok, merchant_keys, signed
from bench_pay import order as pay_order
from common import Reply, Request, Result, Server, database_url, run, run_async, serve, stop

from binance_sandbox.serving import free_port

PRISM_VERSION = "5.16.0"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT.parent / "shared" / "spec" / "pay-openapi.txt"


def prism_binary() -> Path:
    """`prism`, installed with npm into the user's cache directory the first time."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    home = cache / "binance-sandbox" / "prism"
    binary = home / "node_modules" / ".bin" / "prism"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("bench_prism needs Node.js and npm (to install @stoplight/prism-cli)")
    home.mkdir(parents=True, exist_ok=True)
    print(f"installing @stoplight/prism-cli@{PRISM_VERSION} into {home}", flush=True)
    subprocess.run(
        [
            npm,
            "install",
            "--prefix",
            str(home),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            f"@stoplight/prism-cli@{PRISM_VERSION}",
        ],
        check=True,
    )
    return binary


def openapi_document(spec: Path, directory: Path) -> Path:
    """The YAML document inside the text file: from its `openapi:` line to the end."""
    lines = spec.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("openapi:")), None)
    if start is None:
        sys.exit(f"{spec} holds no OpenAPI document (no line starting with 'openapi:')")
    document = directory / "binance-pay-openapi.yml"
    document.write_text("\n".join(lines[start:]) + "\n", encoding="utf-8")
    return document


def start_prism(binary: Path, document: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "mock", "-h", "127.0.0.1", "-p", str(port), str(document)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            sys.exit(f"prism mock exited ({process.returncode}) before answering")
        try:
            answer = httpx.post(
                url + "/binancepay/openapi/v2/order/query",
                json={"merchantTradeNo": "probe"},
                headers={"BinancePay-Certificate-SN": "probe"},
                timeout=5,
            )
            if answer.status_code == 200:
                return url, process
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            stop(process)
            sys.exit("prism mock did not answer within 90 s")
        time.sleep(0.3)


def order(trade_no: str) -> dict[str, object]:
    """`v3/order/create` as the OpenAPI document describes it."""
    return {
        "merchantTradeNo": trade_no,
        "totalFee": "25",
        "currency": "USDT",
        "tradeType": "WEB",
        "productName": "Credit",
    }


def prism_ok(response: Reply) -> bool:
    return response.status_code == 200


@dataclass
class Row:
    """One endpoint: what each server did in each round."""

    name: str
    ours: list[tuple[Result, float]] = field(default_factory=list)  # (result, CPU ms/request)
    prism: list[tuple[Result, float]] = field(default_factory=list)

    def median(self, of: Callable[[tuple[Result, float], tuple[Result, float]], float]) -> float:
        return statistics.median(of(a, b) for a, b in zip(self.ours, self.prism, strict=True))


# (row name, our path, our body, Prism's path, Prism's body): `v2/order` has no operation in
# the OpenAPI document, so Prism's side of its row is the document's create, `v3/order/create`.
LOADS: tuple[tuple[str, str, Callable[[str], object], str, Callable[[str], object]], ...] = (
    ("v3/order/create", "/v3/order/create", order, "/v3/order/create", order),
    ("v2/order (create)", "/v2/order", pay_order, "/v3/order/create", order),
    (
        "v2/order/query",
        "/v2/order/query",
        lambda t: {"merchantTradeNo": t},
        "/v2/order/query",
        lambda t: {"merchantTradeNo": t},
    ),
)


async def batch(
    url: str,
    pid: int,
    name: str,
    load: list[Request],
    concurrency: int,
    ok: Callable[[Reply], bool],
) -> tuple[Result, float]:
    """One measured batch: its result and the server's CPU milliseconds per request."""
    before = cpu_seconds(pid)
    result = await run(url, name, load, concurrency, ok)
    spent = cpu_seconds(pid) - before
    if result.errors:
        raise SystemExit(f"{name}: {result.errors} errors, e.g. {result.error_samples}")
    return result, spent * 1000 / len(load)


async def bench(
    ours: Server, prism: tuple[str, int], n: int, concurrency: int, rounds: int
) -> list[Row]:
    _merchant, key, secret = await merchant_keys(ours.url)
    prism_url, prism_pid = prism
    made = itertools.count()
    rows = [Row(name) for name, *_ in LOADS]

    def loads(index: int, size: int) -> tuple[list[Request], list[Request]]:
        _name, path, body, prism_path, prism_body = LOADS[index]
        # Queries ask for orders the creates of the warm-up made (`w0` …).
        tags = [f"w{i % 200}" if "query" in path else f"r{next(made)}" for i in range(size)]
        return (
            [signed(key, secret, path, body(t)) for t in tags],
            [signed(key, secret, prism_path, prism_body(t)) for t in tags],
        )

    # Warm-up, never measured: both servers take every kind of request (Node's JIT included),
    # and the orders the queries ask for exist.
    setup = [signed(key, secret, "/v2/order", pay_order(f"w{i}")) for i in range(200)]
    await run(ours.url, "setup", setup, concurrency, envelope_ok)
    for index in range(len(LOADS)):
        mine, theirs = loads(index, 500)
        await run(ours.url, "warm-up", mine, concurrency, envelope_ok)
        await run(prism_url, "warm-up", theirs, concurrency, prism_ok)
    # Rounds alternate, A B A B …: a slow minute of the machine falls on both.
    for _round in range(rounds):
        for index, row in enumerate(rows):
            mine, theirs = loads(index, n)
            row.ours.append(
                await batch(ours.url, ours.pid, row.name, mine, concurrency, envelope_ok)
            )
            row.prism.append(
                await batch(prism_url, prism_pid, row.name, theirs, concurrency, prism_ok)
            )
    return rows


def print_table(database: str, n: int, concurrency: int, rounds: int, rows: list[Row]) -> None:
    print("\n== Binance Pay: the sandbox against Stoplight Prism (mock of pay-openapi.txt)")
    print(
        f"database: {database.split(':')[0]}   requests: {n} a batch   rounds: {rounds}   "
        f"concurrency: {concurrency}   (medians over the rounds; ratios per round, then median)"
    )
    print(
        f"{'endpoint':<20}{'ours req/s':>11}{'Prism':>8}{'thru ×':>8}"
        f"{'ours CPU ms':>12}{'Prism':>8}{'CPU ×':>7}{'ours p99':>10}{'Prism p99':>10}"
    )
    for row in rows:
        print(
            f"{row.name:<20}"
            f"{statistics.median(r.rps for r, _ in row.ours):>11.0f}"
            f"{statistics.median(r.rps for r, _ in row.prism):>8.0f}"
            f"{row.median(lambda a, b: a[0].rps / b[0].rps):>8.2f}"
            f"{statistics.median(c for _, c in row.ours):>12.3f}"
            f"{statistics.median(c for _, c in row.prism):>8.3f}"
            f"{row.median(lambda a, b: b[1] / a[1]):>7.2f}"
            f"{statistics.median(r.pct(0.99) for r, _ in row.ours):>10.1f}"
            f"{statistics.median(r.pct(0.99) for r, _ in row.prism):>10.1f}"
        )
    print("thru × = our throughput / Prism's;  CPU × = Prism's CPU per request / ours (above 1: we")
    print("spend less);  p99 in ms")
    sys.stdout.flush()


def main() -> None:
    import common

    options = common.parser(__doc__, requests=1000)
    options.add_argument("--rounds", type=int, default=5)
    options.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="pay-openapi.txt")
    args = options.parse_args()
    if not args.spec.exists():
        sys.exit(f"{args.spec} not found (give --spec …/pay-openapi.txt)")
    binary = prism_binary()
    with tempfile.TemporaryDirectory(prefix="bsx-prism-") as tmp:
        prism, process = start_prism(binary, openapi_document(args.spec, Path(tmp)))
        try:
            with database_url(args.database) as database:
                ours = serve(database)
                try:
                    rows = run_async(
                        bench(
                            ours,
                            (prism, process.pid),
                            args.requests,
                            args.concurrency,
                            args.rounds,
                        )
                    )
                finally:
                    stop(ours.process)
        finally:
            stop(process)
    print_table(database, args.requests, args.concurrency, args.rounds, rows)


if __name__ == "__main__":
    main()
