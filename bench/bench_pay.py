"""Binance Pay throughput: signed `v2/order` (create) and `v2/order/query` requests per
second, with p50/p99 latency, as a ratio against a bare endpoint (`GET /healthz`) on the same
server, in the same run. Run by hand:

    uv run python bench/bench_pay.py [--database postgresql://…] [--requests 2000] [--concurrency 16]

Each request is signed as it is sent, with its own nonce (the server refuses a repeated one,
and the signature window is 5 s); an HMAC-SHA512 costs the client a few microseconds.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable

from common import (
    Prepared,
    Reply,
    Result,
    admin_client,
    bare,
    parser,
    report,
    run,
    run_async,
    sandbox_server,
)

BASE = "/binancepay/openapi"


def signed(key: str, secret: str, path: str, payload: object) -> Callable[[], Prepared]:
    """A Pay request, signed when it is sent: HMAC-SHA512 over timestamp, nonce and body."""
    # The standard library's JSON: the bench runs against older versions of the server too.
    body = json.dumps(payload, separators=(",", ":")).encode()

    def build() -> Prepared:
        ts, nonce = str(int(time.time() * 1000)), secrets.token_hex(16)
        payload = ts.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"
        signature = hmac.new(secret.encode(), payload, hashlib.sha512).hexdigest().upper()
        return (
            "POST",
            BASE + path,
            body,
            {
                "Content-Type": "application/json",
                "BinancePay-Timestamp": ts,
                "BinancePay-Nonce": nonce,
                "BinancePay-Certificate-SN": key,
                "BinancePay-Signature": signature,
            },
        )

    return build


def envelope_ok(response: Reply) -> bool:
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


async def merchant_keys(url: str, webhook_url: str | None = None) -> tuple[str, str, str]:
    """A Pay merchant (merchantId, API key, secret), through the control API."""
    body: dict[str, str] = {"name": "bench"}
    if webhook_url:
        body["webhookUrl"] = webhook_url
    async with admin_client(url) as admin:
        merchant = (await admin.post("/sandbox/v1/merchants", json=body)).json()
    return merchant["merchantId"], merchant["apiKey"], merchant["apiSecret"]


async def bench(url: str, n: int, concurrency: int) -> list[Result]:
    _merchant, key, secret = await merchant_keys(url)
    base = await bare(url, n, concurrency)
    creates = await run(
        url,
        "signed v2/order (create)",
        [signed(key, secret, "/v2/order", order(f"b{i}")) for i in range(n)],
        concurrency,
        envelope_ok,
    )
    queries = await run(
        url,
        "signed v2/order/query",
        [signed(key, secret, "/v2/order/query", {"merchantTradeNo": f"b{i}"}) for i in range(n)],
        concurrency,
        envelope_ok,
    )
    return [base, creates, queries]


def main() -> None:
    args = parser(__doc__, requests=2000).parse_args()
    with sandbox_server(args.database) as (url, database):
        results = run_async(bench(url, args.requests, args.concurrency))
    report(database, args.requests, args.concurrency, results, "Binance Pay")


if __name__ == "__main__":
    main()
