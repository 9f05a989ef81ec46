"""The floor of a signed read on this server stack: how close to the bare endpoint a Pay order
query can come at all.

A raw ASGI app on the same uvicorn (httptools, uvloop, one process) answers `GET /healthz` and
a signed `v2/order/query` with only the work no implementation can skip: the headers read,
the HMAC-SHA512 over `timestamp\\nnonce\\nbody\\n` compared, the timestamp window and the nonce
checked, the body parsed, one indexed `sqlite3` read and the answer's JSON. No framework, no
validation model, no request log, log line, metrics or fault hook. The sandbox serves the same
requests. For each server this prints the CPU milliseconds per request (as `bench_cpu.py`) and
`bare / query`, the share of its own bare endpoint's throughput the query reaches. Run by
hand:

    uv run python bench/bench_floor.py [--requests 3000] [--rounds 5]
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench_cpu import cpu_ms
from bench_pay import envelope_ok
from bench_pay import signed as pay_signed
from bench_wallet import UNLIMITED
from common import (
    Reply,
    Request,
    database_url,
    healthz,
    parser,
    run_async,
    serve,
    status_200,
    stop,
    wait_healthy,
)
from profile_reads import pay_query

from binance_sandbox.serving import free_port

KEY, SECRET, MERCHANT = "floorkey", "floor-secret", "100001"
WINDOW_MS = 5_000
Message = MutableMapping[str, Any]
Loads = dict[str, tuple[Callable[[int], list[Request]], Callable[[Reply], bool]]]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def make_app(path: str) -> Callable[[Message, Receive, Send], Awaitable[None]]:
    """The raw app, over a SQLite file with 100 orders `p0`…`p99`."""
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE IF NOT EXISTS orders (merchant_id TEXT, merchant_trade_no TEXT, "
        "prepay_id TEXT, transaction_id TEXT, status TEXT, currency TEXT, order_amount TEXT, "
        "pass_through_info TEXT, transact_time INTEGER, create_time INTEGER, "
        "PRIMARY KEY (merchant_id, merchant_trade_no))"
    )
    db.executemany(
        "INSERT OR IGNORE INTO orders VALUES (?, ?, ?, NULL, 'INITIAL', 'USDT', '25', NULL, "
        "NULL, 1700000000000)",
        [(MERCHANT, f"p{i}", str(10**17 + i)) for i in range(100)],
    )
    db.commit()
    seen: dict[str, float] = {}
    secret = SECRET.encode()

    async def answer(send: Send, status: int, body: bytes) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def app(scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["path"] == "/healthz":
            await answer(send, 200, b'{"status":"ok"}')
            return
        body = (await receive())["body"]
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        timestamp, nonce = headers["binancepay-timestamp"], headers["binancepay-nonce"]
        payload = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
        expected = hmac.new(secret, payload, hashlib.sha512).hexdigest().upper()
        now = time.time()
        fresh = abs(now * 1000 - int(timestamp)) <= WINDOW_MS
        if (
            headers["binancepay-certificate-sn"] != KEY
            or not hmac.compare_digest(expected, headers["binancepay-signature"])
            or not fresh
            or seen.get(nonce, 0) > now
        ):
            await answer(send, 400, b'{"status":"FAIL","code":"400002"}')
            return
        seen[nonce] = now + 2 * WINDOW_MS / 1000
        trade_no = json.loads(body, parse_float=Decimal)["merchantTradeNo"]
        row = db.execute(
            "SELECT prepay_id, transaction_id, status, currency, order_amount, "
            "pass_through_info, transact_time, create_time FROM orders "
            "WHERE merchant_id = ? AND merchant_trade_no = ?",
            (MERCHANT, trade_no),
        ).fetchone()
        data = {
            "merchantId": int(MERCHANT),
            "prepayId": row[0],
            "transactionId": row[1],
            "merchantTradeNo": trade_no,
            "status": row[2],
            "orderStatus": row[2],
            "currency": row[3],
            "orderAmount": row[4],
            "totalFee": row[4],
            "openUserId": None,
            "passThroughInfo": row[5],
            "commission": "0",
            "transactTime": row[6],
            "createTime": row[7],
            "paymentInfo": None,
            "payerInfo": None,
        }
        envelope = {"status": "SUCCESS", "code": "000000", "data": data, "errorMessage": ""}
        await answer(send, 200, json.dumps(envelope, separators=(",", ":")).encode())

    return app


def serve_floor(port: int, path: str) -> None:
    import uvicorn

    uvicorn.run(make_app(path), host="127.0.0.1", port=port, log_level="warning")


def floor_queries(n: int) -> list[Request]:
    return [
        pay_signed(KEY, SECRET, "/v2/order/query", {"merchantTradeNo": f"p{i % 100}"})
        for i in range(n)
    ]


async def measure(
    floor: tuple[str, int], sandbox: tuple[str, int], requests: int, rounds: int
) -> dict[str, dict[str, float]]:
    """Both servers, each round measuring the four rows one after the other: on a shared
    machine a slow minute then weighs on all four alike."""
    sandbox_query, sandbox_ok = await pay_query(sandbox[0])
    rows: dict[str, Loads] = {
        FLOOR: {"bare": (healthz, status_200), "query": (floor_queries, envelope_ok)},
        SANDBOX: {"bare": (healthz, status_200), "query": (sandbox_query, sandbox_ok)},
    }
    servers = {FLOOR: floor, SANDBOX: sandbox}
    samples: dict[str, dict[str, list[float]]] = {name: {"bare": [], "query": []} for name in rows}
    for _ in range(rounds):
        for name, loads in rows.items():
            url, pid = servers[name]
            for row, (load, ok) in loads.items():
                samples[name][row].append(await cpu_ms(url, pid, load, ok, requests))
    return {
        name: {row: statistics.median(values) for row, values in by_row.items()}
        for name, by_row in samples.items()
    }


FLOOR, SANDBOX = "raw ASGI app (the floor)", "binance-sandbox"


def main() -> None:
    if sys.argv[1:2] == ["serve-floor"]:
        serve_floor(int(sys.argv[2]), sys.argv[3])
        return
    options = parser(__doc__, requests=3000)
    options.add_argument("--rounds", type=int, default=5)
    args = options.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="bsx-floor-") as tmp,
        database_url(args.database) as database,
    ):
        port = free_port()
        floor = subprocess.Popen(
            [sys.executable, __file__, "serve-floor", str(port), str(Path(tmp) / "floor.db")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=os.environ.copy(),
        )
        floor_url = f"http://127.0.0.1:{port}"
        server = None
        try:
            wait_healthy(floor_url, floor)
            server = serve(database, env=UNLIMITED)
            results = run_async(
                measure(
                    (floor_url, floor.pid),
                    (server.url, server.pid),
                    args.requests,
                    args.rounds,
                )
            )
        finally:
            stop(floor)
            if server is not None:
                stop(server.process)
    print(f"{'server (CPU ms / request)':<28}{'bare':>10}{'query':>10}{'bare / query':>14}")
    for name, cpu in results.items():
        ratio = cpu["bare"] / cpu["query"]
        print(f"{name:<28}{cpu['bare']:>10.3f}{cpu['query']:>10.3f}{ratio:>14.2f}")
    floor_against_ours = results[SANDBOX]["bare"] / results[FLOOR]["query"]
    print(f"the floor's query against the sandbox's bare endpoint: {floor_against_ours:.2f}")


if __name__ == "__main__":
    main()
