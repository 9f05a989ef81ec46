"""Profile the server on a signed read: py-spy samples the `binance-sandbox serve` process while
this one sends it the load, and writes a flame graph (SVG) or speedscope file. Run by hand:

    python3 -m uv run --with py-spy python bench/profile_reads.py pay-query [--seconds 15] [--out pay.svg]

Reads: `pay-query` (Binance Pay `v2/order/query`), `wapi-deposit-history` (wapi
`depositHistory.html`), `prime-transaction` (Connect Prime `transaction`, the order query), and
`healthz` (the bare endpoint, for comparison); and one write, `pay-create` (Binance Pay
`v2/order`, a new order each request). py-spy is not a dependency of the project:
`--with py-spy` brings it for the one run (attaching to a process may need root, or
`kernel.yama.ptrace_scope=0`).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import shutil
import sys
from collections.abc import Callable

from bench_pay import envelope_ok as pay_ok
from bench_pay import merchant_keys, order
from bench_pay import signed as pay_signed
from bench_prime import PREFIX, partner_and_user
from bench_prime import envelope_ok as prime_ok
from bench_prime import signed as prime_signed
from bench_wallet import UNLIMITED, user_with_key, wapi_ok
from bench_wallet import signed as wapi_signed
from common import (
    Reply,
    Request,
    collect,
    database_url,
    healthz,
    run,
    run_async,
    serve,
    status_200,
    stop,
)

from binance_sandbox.signing import generate_private_key

Load = tuple[Callable[[int], list[Request]], Callable[[Reply], bool]]


async def pay_query(url: str) -> Load:
    _merchant, key, secret = await merchant_keys(url)
    creates = [pay_signed(key, secret, "/v2/order", order(f"p{i}")) for i in range(100)]
    await run(url, "setup", creates, 8, pay_ok)

    def load(n: int) -> list[Request]:
        return [
            pay_signed(key, secret, "/v2/order/query", {"merchantTradeNo": f"p{i % 100}"})
            for i in range(n)
        ]

    return load, pay_ok


async def pay_create(url: str) -> Load:
    """A write, for comparison: each request a new order (`v2/order`)."""
    _merchant, key, secret = await merchant_keys(url)
    made = itertools.count()

    def load(n: int) -> list[Request]:
        return [pay_signed(key, secret, "/v2/order", order(f"c{next(made)}")) for _ in range(n)]

    return load, pay_ok


async def wapi_deposit_history(url: str) -> Load:
    api_key, secret = await user_with_key(url, deposits=12)

    def load(n: int) -> list[Request]:
        path = "/wapi/v3/depositHistory.html"
        return [wapi_signed(api_key, secret, "GET", path, "asset=ETH") for _ in range(n)]

    return load, wapi_ok


async def prime_transaction(url: str) -> Load:
    key = generate_private_key(1024)
    cid, token, user = await partner_and_user(url, key)
    quote = {
        "userId": user,
        "fiatCurrency": "EUR",
        "cryptoCurrency": "BTC",
        "direction": "BUY",
        "amount": 100,
        "amountType": 1,
    }
    quotes = [prime_signed(cid, token, key, PREFIX + "/quote", quote) for _ in range(50)]
    ids = await collect(url, quotes, lambda r: str(r.json()["data"]["quoteId"]))
    executes = [
        prime_signed(
            cid, token, key, PREFIX + "/quote/execute", {"quoteId": q, "clientOrderId": f"o{i}"}
        )
        for i, q in enumerate(ids)
    ]
    await collect(url, executes, lambda r: str(r.json()["data"]["orderId"]))

    def load(n: int) -> list[Request]:
        # Signed now: the window is 60 s, longer than a profile.
        return [
            prime_signed(cid, token, key, PREFIX + "/transaction", {"clientOrderId": f"o{i % 50}"})
            for i in range(n)
        ]

    return load, prime_ok


async def bare(_url: str) -> Load:
    return healthz, status_200


LOADS = {
    "pay-query": pay_query,
    "pay-create": pay_create,
    "wapi-deposit-history": wapi_deposit_history,
    "prime-transaction": prime_transaction,
    "healthz": bare,
}


# py-spy's output format by the file's extension: a flame graph (SVG) by default.
FORMATS = {"json": ["-f", "speedscope"], "txt": ["-f", "raw"]}


async def profile(
    url: str, pid: int, read: str, seconds: int, out: str, spy: str, rate: int
) -> None:
    make, ok = await LOADS[read](url)
    await run(url, "warm-up", make(300), 16, ok)
    recorder = await asyncio.create_subprocess_exec(
        spy,
        "record",
        # Only the thread holding the GIL: its CPU, not the waits of the event loop and the
        # database threads for each other.
        "--gil",
        "--rate",
        str(rate),
        "-p",
        str(pid),
        "-d",
        str(seconds),
        "-o",
        out,
        *FORMATS.get(out.rsplit(".", 1)[-1], []),
    )
    await asyncio.sleep(1)  # py-spy attaches
    done = 0
    while recorder.returncode is None:
        result = await run(url, read, make(500), 16, ok)
        done += result.requests
        if result.errors:
            print(f"errors: {result.error_samples}")
    await recorder.wait()
    print(f"{done} requests during the profile; written to {out}")


def main() -> None:
    options = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    options.add_argument("read", choices=sorted(LOADS))
    options.add_argument("--seconds", type=int, default=15)
    options.add_argument(
        "--out",
        default=None,
        help="file.svg (flame graph), file.json (speedscope) or file.txt (collapsed stacks)",
    )
    options.add_argument("--rate", type=int, default=100, help="samples per second")
    options.add_argument("--database", default=None, help="postgresql://… (default: SQLite)")
    args = options.parse_args()
    spy = shutil.which("py-spy")
    if spy is None:
        sys.exit("py-spy is not on PATH: python3 -m uv run --with py-spy python bench/…")
    out = args.out or f"profile-{args.read}.svg"
    with database_url(args.database) as database:
        server = serve(database, env=UNLIMITED)
        try:
            run_async(profile(server.url, server.pid, args.read, args.seconds, out, spy, args.rate))
        finally:
            stop(server.process)


if __name__ == "__main__":
    main()
