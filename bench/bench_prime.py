"""Connect Prime throughput: signed `quote`, `quote/execute` and `transaction` (the order
query) requests per second, with p50/p99 latency, as a ratio against a bare endpoint
(`GET /healthz`: no auth, no database) on the same server, in the same run. Run by hand:

    uv run python bench/bench_prime.py [--database postgresql://…] [--requests 2000] [--concurrency 16]

It starts `binance-sandbox serve` as its own process on a free loopback port; the load comes
from this process. Requests are signed before the clock starts (the window is 60 s), so the
client's RSA signing does not count against the server.
"""

from __future__ import annotations

import json
import time

from common import (
    Prepared,
    Reply,
    Result,
    admin_client,
    bare,
    collect,
    parser,
    report,
    run,
    run_async,
    sandbox_server,
)
from cryptography.hazmat.primitives.asymmetric import rsa

from binance_sandbox.signing import generate_private_key, public_key_to_der_b64
from binance_sandbox.signing.connect import sign_connect

PREFIX = "/papi/v1/ramp/connect/prime"


def signed(
    client_id: str, token: str, key: rsa.RSAPrivateKey, path: str, payload: object
) -> Prepared:
    """A Connect request (guide §4): SHA256withRSA over the raw body and the timestamp."""
    # The standard library's JSON: the bench runs against older versions of the server too.
    body = json.dumps(payload, separators=(",", ":")).encode()
    ts = str(int(time.time() * 1000))
    return (
        "POST",
        path,
        body,
        {
            "Content-Type": "application/json",
            "X-Tesla-ClientId": client_id,
            "X-Tesla-SignAccessToken": token,
            "X-Tesla-Timestamp": ts,
            "X-Tesla-Signature": sign_connect(key, body, ts),
        },
    )


def envelope_ok(response: Reply) -> bool:
    return response.status_code == 200 and response.json().get("success") is True


async def partner_and_user(url: str, key: rsa.RSAPrivateKey) -> tuple[str, str, str]:
    """A partner (client id, access token) and one of its users, through the control API."""
    async with admin_client(url) as admin:
        created = await admin.post(
            "/sandbox/v1/partners",
            json={"name": "bench", "rsaPublicKey": public_key_to_der_b64(key.public_key())},
        )
        partner = created.json()
        cid, token = partner["clientId"], partner["signAccessToken"]
        user = (await admin.post("/sandbox/v1/users", json={"partnerClientId": cid})).json()
    return cid, token, user["userId"]


async def bench(url: str, n: int, concurrency: int) -> list[Result]:
    key = generate_private_key(1024)
    cid, token, user = await partner_and_user(url, key)

    def prime(path: str, payload: object) -> Prepared:
        return signed(cid, token, key, PREFIX + path, payload)

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
        [prime("/quote", quote_body) for _ in range(n)],
        concurrency,
        envelope_ok,
    )
    # Execute needs a fresh quote each: make them first, untimed.
    ids = await collect(
        url,
        [prime("/quote", quote_body) for _ in range(n)],
        lambda r: str(r.json()["data"]["quoteId"]),
    )
    executes = [
        prime("/quote/execute", {"quoteId": q, "clientOrderId": f"bench-{i}"})
        for i, q in enumerate(ids)
    ]
    execute = await run(url, "signed quote/execute", executes, concurrency, envelope_ok)
    queries = await run(
        url,
        "signed transaction (order query)",
        [prime("/transaction", {"clientOrderId": f"bench-{i % len(ids)}"}) for i in range(n)],
        concurrency,
        envelope_ok,
    )
    return [base, quotes, execute, queries]


def main() -> None:
    args = parser(__doc__, requests=2000).parse_args()
    with sandbox_server(args.database) as (url, database):
        results = run_async(bench(url, args.requests, args.concurrency))
    report(database, args.requests, args.concurrency, results, "Connect Prime")


if __name__ == "__main__":
    main()
