"""Connect Prime throughput: signed `quote` and `quote/execute` requests per second, as a
ratio against a bare endpoint (`GET /healthz`: no auth, no database) on the same server, in
the same run. Run by hand:

    uv run python bench/bench_prime.py [--database postgresql://…] [--requests 2000] [--concurrency 16]

It starts `binance-sandbox serve` as its own process on a free loopback port; the load comes
from this process. Requests are signed before the clock starts, so the client's RSA signing
does not count against the server.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import httpx
from common import ADMIN, Prepared, Result, bare, report, run, sandbox_server

from binance_sandbox import jsonwire
from binance_sandbox.signing import generate_private_key, public_key_to_der_b64
from binance_sandbox.signing.connect import sign_connect

PREFIX = "/papi/v1/ramp/connect/prime"


def signed(client_id: str, token: str, key: object, path: str, payload: object) -> Prepared:
    body = jsonwire.dumps(payload).encode()
    ts = str(int(time.time() * 1000))
    return (
        "POST",
        PREFIX + path,
        body,
        {
            "Content-Type": "application/json",
            "X-Tesla-ClientId": client_id,
            "X-Tesla-SignAccessToken": token,
            "X-Tesla-Timestamp": ts,
            "X-Tesla-Signature": sign_connect(key, body, ts),  # type: ignore[arg-type]
        },
    )


def envelope_ok(response: httpx.Response) -> bool:
    return response.status_code == 200 and response.json().get("success") is True


async def bench(url: str, n: int, concurrency: int) -> list[Result]:
    key = generate_private_key(1024)
    async with httpx.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30
    ) as admin:
        created = await admin.post(
            "/sandbox/v1/partners",
            json={"name": "bench", "rsaPublicKey": public_key_to_der_b64(key.public_key())},
        )
        partner = created.json()
        cid, token = partner["clientId"], partner["signAccessToken"]
        user = (await admin.post("/sandbox/v1/users", json={"partnerClientId": cid})).json()[
            "userId"
        ]
    quote_body = {
        "userId": user,
        "fiatCurrency": "EUR",
        "cryptoCurrency": "BTC",
        "direction": "BUY",
        "amount": 100,
        "amountType": 1,
    }

    base = await bare(url, n, concurrency)
    quotes = await run(
        url,
        "signed quote",
        [signed(cid, token, key, "/quote", quote_body) for _ in range(n)],
        concurrency,
        envelope_ok,
    )

    # Execute needs a fresh quote each: make them first, untimed.
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        ids = []
        for start in range(0, n, 200):
            batch = [
                signed(cid, token, key, "/quote", quote_body) for _ in range(min(200, n - start))
            ]
            answers = await asyncio.gather(
                *(http.post(p, content=b, headers=h) for _m, p, b, h in batch)
            )
            ids += [a.json()["data"]["quoteId"] for a in answers]
    executes = [
        signed(cid, token, key, "/quote/execute", {"quoteId": q, "clientOrderId": f"bench-{i}"})
        for i, q in enumerate(ids)
    ]
    execute = await run(url, "signed quote/execute", executes, concurrency, envelope_ok)
    return [base, quotes, execute]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default=None)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with sandbox_server(args.database) as (url, database):
        results = asyncio.run(bench(url, args.requests, args.concurrency))
    report(database, args.requests, args.concurrency, results)


if __name__ == "__main__":
    main()
