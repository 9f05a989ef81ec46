"""Binance Pay throughput: signed `v2/order` (create) and `v2/order/query` requests per
second, as a ratio against a bare endpoint (`GET /healthz`) on the same server, in the same
run. Run by hand:

    uv run python bench/bench_pay.py [--database postgresql://…] [--requests 2000] [--concurrency 16]

Requests are signed before the clock starts (each with its own nonce: the server refuses a
repeated one), so the client's HMAC does not count against the server.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import secrets
import time

import httpx
from common import ADMIN, Prepared, Result, bare, report, run, sandbox_server

from binance_sandbox import jsonwire

BASE = "/binancepay/openapi"


def signed(key: str, secret: str, path: str, payload: object) -> Prepared:
    body = jsonwire.dumps(payload).encode()
    ts, nonce = str(int(time.time() * 1000)), secrets.token_hex(16)
    signature = hmac.new(
        secret.encode(), ts.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n", hashlib.sha512
    )
    return (
        "POST",
        BASE + path,
        body,
        {
            "Content-Type": "application/json",
            "BinancePay-Timestamp": ts,
            "BinancePay-Nonce": nonce,
            "BinancePay-Certificate-SN": key,
            "BinancePay-Signature": signature.hexdigest().upper(),
        },
    )


def envelope_ok(response: httpx.Response) -> bool:
    return response.status_code == 200 and response.json().get("status") == "SUCCESS"


def order(trade_no: str) -> dict[str, object]:
    return {
        "env": {"terminalType": "WEB"},
        "merchantTradeNo": trade_no,
        "orderAmount": 25,
        "currency": "USDT",
        "goods": {
            "goodsType": "02",
            "goodsCategory": "6000",
            "referenceGoodsId": "sku",
            "goodsName": "Credit",
        },
    }


async def bench(url: str, n: int, concurrency: int) -> list[Result]:
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {ADMIN}"}
    ) as admin:
        merchant = (await admin.post("/sandbox/v1/merchants", json={"name": "bench"})).json()
    key, secret = merchant["apiKey"], merchant["apiSecret"]
    base = await bare(url, n, concurrency)
    # The signature window is a few seconds: sign each batch just before sending it.
    creates = await run(
        url,
        "signed v2/order",
        [signed(key, secret, "/v2/order", order(f"b{i}")) for i in range(n)],
        concurrency,
        envelope_ok,
    )
    queries = await run(
        url,
        "signed v2/order/query",
        [
            signed(key, secret, "/v2/order/query", {"merchantTradeNo": f"b{i % n}"})
            for i in range(n)
        ],
        concurrency,
        envelope_ok,
    )
    return [base, creates, queries]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default=None)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with sandbox_server(args.database) as (url, database):
        results = asyncio.run(bench(url, args.requests, args.concurrency))
    report(database, args.requests, args.concurrency, results)


if __name__ == "__main__":
    main()
