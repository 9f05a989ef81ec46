"""Binance Pay against a peer: the same create-order and query load sent to the sandbox and
to Stoplight Prism (`prism mock`) serving the OpenAPI part of `spec/pay-openapi.txt`. Prism
answers each request from the document's schemas after validating it: it checks no
signature, keeps no state and writes nothing, so it is the floor of what a mock of this API
costs. The table prints our throughput / Prism's. Run by hand:

    uv run python bench/bench_prism.py [--database postgresql://…] [--requests 2000] [--concurrency 16] [--spec …/pay-openapi.txt]

Both get the identical requests, each signed as it is sent: `v3/order/create` in the
document's shape (`totalFee`, `tradeType`) and `v2/order/query` by `merchantTradeNo`, the
orders the create load made. Prism runs with its defaults (one process, request logging on;
its log goes nowhere), as does the sandbox (request log and per-request log line on).

Prism is installed with npm, once, into ~/.cache/binance-sandbox/prism (outside the
repository); the OpenAPI document is cut out of the text file into a temporary directory
on each run. Needs Node.js and npm.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from bench_pay import envelope_ok, merchant_keys, signed
from common import Reply, Result, bare, run, run_async, sandbox_server, stop

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


async def bench(ours: str, prism: str, n: int, concurrency: int) -> list[tuple[Result, Result]]:
    _merchant, key, secret = await merchant_keys(ours)
    warm_up = [signed(key, secret, "/v2/order/query", {"merchantTradeNo": "none"})] * 300
    await run(prism, "warm-up", warm_up, concurrency, prism_ok)
    base = await bare(ours, n, concurrency)
    rows = []
    for name, path, body in (
        ("v3/order/create", "/v3/order/create", order),
        ("v2/order/query", "/v2/order/query", lambda t: {"merchantTradeNo": t}),
    ):
        # The same requests, one server after the other.
        load = [signed(key, secret, path, body(f"prism{i}")) for i in range(n)]
        mine = await run(ours, f"signed {name}", load, concurrency, envelope_ok)
        theirs = await run(prism, f"prism {name}", load, concurrency, prism_ok)
        rows.append((mine, theirs))
    return [(base, base), *rows]


def print_table(database: str, n: int, concurrency: int, rows: list[tuple[Result, Result]]) -> None:
    print("\n== Binance Pay: the sandbox against Stoplight Prism (mock of pay-openapi.txt)")
    print(f"database: {database.split(':')[0]}   requests: {n} each   concurrency: {concurrency}")
    base = rows[0][0].rps
    print(
        f"{'endpoint':<22}{'ours req/s':>11}{'vs bare':>9}{'p50':>7}{'p99':>7}"
        f"{'Prism req/s':>13}{'p50':>7}{'p99':>7}{'ours/Prism':>12}"
    )
    print(f"{'bare GET /healthz':<22}{base:>11.0f}{1:>9.2f}{rows[0][0].pct(0.5):>7.1f}")
    for mine, theirs in rows[1:]:
        name = mine.name.removeprefix("signed ")
        print(
            f"{name:<22}{mine.rps:>11.0f}{mine.rps / base:>9.2f}{mine.pct(0.5):>7.1f}"
            f"{mine.pct(0.99):>7.1f}{theirs.rps:>13.0f}{theirs.pct(0.5):>7.1f}"
            f"{theirs.pct(0.99):>7.1f}{mine.rps / theirs.rps:>12.2f}"
        )
    print("(latencies in ms)")
    for mine, theirs in rows[1:]:
        for r in (mine, theirs):
            if r.errors:
                print(f"  {r.name}: {r.errors} errors, e.g. {r.error_samples[0]}")
    sys.stdout.flush()


def main() -> None:
    import common

    options = common.parser(__doc__, requests=2000)
    options.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="pay-openapi.txt")
    args = options.parse_args()
    if not args.spec.exists():
        sys.exit(f"{args.spec} not found (give --spec …/pay-openapi.txt)")
    binary = prism_binary()
    with tempfile.TemporaryDirectory(prefix="bsx-prism-") as tmp:
        prism, process = start_prism(binary, openapi_document(args.spec, Path(tmp)))
        try:
            with sandbox_server(args.database) as (ours, database):
                rows = run_async(bench(ours, prism, args.requests, args.concurrency))
        finally:
            stop(process)
    print_table(database, args.requests, args.concurrency, rows)


if __name__ == "__main__":
    main()
