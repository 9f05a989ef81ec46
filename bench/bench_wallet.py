"""Wallet API throughput: signed `GET /wapi/v3/depositHistory.html` and
`POST /wapi/v3/withdraw.html` requests per second, with p50/p99 latency, as a ratio against a
bare endpoint (`GET /healthz`) on the same server, in the same run. Run by hand:

    uv run python bench/bench_wallet.py [--database postgresql://…] [--requests 2000] [--concurrency 16]

The user has a dozen deposits on the simulated chain, so `depositHistory` lists something.
Each request is signed as it is sent (HMAC-SHA256 over the query string and body). The
server's request-weight limits are raised for the run (`BSX_WALLET_*_WEIGHT_PER_MINUTE`):
counting still happens on every request, refusing does not.
"""

from __future__ import annotations

import hashlib
import hmac
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

UNLIMITED = {
    "BSX_WALLET_IP_WEIGHT_PER_MINUTE": "1000000000",
    "BSX_WALLET_KEY_WEIGHT_PER_MINUTE": "1000000000",
}
# Somebody else's Ethereum address: a withdrawal there leaves the sandbox.
OUTSIDE = "0x6915f16f8791d0a1cc2bf47c13a6b2a92000504b"


def signed(
    api_key: str, secret: str, method: str, path: str, params: str
) -> Callable[[], Prepared]:
    """A SIGNED wapi request, signed when it is sent. GET carries the parameters in the query
    string; POST in a form body, as python-binance sends them."""

    def build() -> Prepared:
        total = f"{params}&recvWindow=60000&timestamp={int(time.time() * 1000)}"
        signature = hmac.new(secret.encode(), total.encode(), hashlib.sha256).hexdigest()
        query = f"{total}&signature={signature}"
        headers = {"X-MBX-APIKEY": api_key}
        if method == "GET":
            return method, f"{path}?{query}", b"", headers
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return method, path, query.encode(), headers

    return build


def wapi_ok(response: Reply) -> bool:
    return response.status_code == 200 and response.json().get("success") is True


async def user_with_key(url: str, deposits: int) -> tuple[str, str]:
    """A user with an API key, ETH to withdraw, and `deposits` deposits in its history."""
    async with admin_client(url) as admin:
        user = (await admin.post("/sandbox/v1/users", json={})).json()["userId"]
        key = (await admin.post("/sandbox/v1/api-keys", json={"userId": user})).json()
        credit = {"userId": user, "asset": "ETH", "amount": "100000"}
        (await admin.post("/sandbox/v1/balances/credit", json=credit)).raise_for_status()
        address = (
            await admin.get(
                f"/sandbox/v1/users/{user}/deposit-address",
                params={"coin": "ETH", "network": "ETH"},
            )
        ).json()["address"]
        for i in range(deposits):
            transfer = {"network": "ETH", "address": address, "asset": "ETH", "amount": f"1.{i}"}
            (await admin.post("/sandbox/v1/chain/transfers", json=transfer)).raise_for_status()
    return key["apiKey"], key["secretKey"]


async def bench(url: str, n: int, concurrency: int) -> list[Result]:
    api_key, secret = await user_with_key(url, deposits=12)
    base = await bare(url, n, concurrency)
    history = await run(
        url,
        "signed depositHistory.html",
        [
            signed(api_key, secret, "GET", "/wapi/v3/depositHistory.html", "asset=ETH")
            for _ in range(n)
        ],
        concurrency,
        wapi_ok,
    )
    withdraw = await run(
        url,
        "signed withdraw.html",
        [
            signed(
                api_key,
                secret,
                "POST",
                "/wapi/v3/withdraw.html",
                f"asset=ETH&network=ETH&address={OUTSIDE}&amount=0.01&name=bench{i}",
            )
            for i in range(n)
        ],
        concurrency,
        wapi_ok,
    )
    return [base, history, withdraw]


def main() -> None:
    args = parser(__doc__, requests=2000).parse_args()
    with sandbox_server(args.database, env=UNLIMITED) as (url, database):
        results = run_async(bench(url, args.requests, args.concurrency))
    report(database, args.requests, args.concurrency, results, "Wallet API (wapi v3)")


if __name__ == "__main__":
    main()
