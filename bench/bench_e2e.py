"""End to end: how long a flow takes from the partner's first call to its webhook arriving at
the partner's receiver, p50/p99 over many flows. Run by hand:

    uv run python bench/bench_e2e.py [--database postgresql://…] [--flows 200] [--concurrency 4]
        [--separate-worker]

- **Connect Prime buy**: `quote/execute` → the platform calls the merchant kit's Check
  Transaction → the order fills → the signed `prime_order_event` (FILLED) is delivered to the
  merchant kit (`binance-sandbox merchant serve`, which verifies and stores it). Untimed
  before each flow: the quote, and the user's fiat moved to Binance's account at the kit
  (guide §6 step 5).
- **Binance Pay order**: `v2/order` (create, untimed) → the payer pays it (control API
  `POST /sandbox/v1/pay/orders/{prepayId}/pay`, the call the hosted checkout's Pay button
  makes) → the signed `PAY_SUCCESS` webhook is delivered. The merchant kit speaks Connect
  only, so the receiver here is a small Pay merchant endpoint (this file, `pay-receiver`) that
  verifies each webhook with the SDK's `AsyncPayWebhookVerifier`.

Each row is preceded by 10 untimed flows (a warm-up). Everything runs in its own process
on loopback: the sandbox (`serve`, with its delivery
worker; with `--separate-worker`, `serve --no-worker` and a `binance-sandbox worker` process
of its own, as a scaled-out deployment runs), the receiver, and this load. A flow's time ends
when the receiver stored the webhook (its wall clock, the same machine's); the load polls the
receiver for it in the meantime.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from bench_pay import envelope_ok as pay_ok
from bench_pay import merchant_keys, order
from bench_pay import signed as pay_signed
from bench_prime import envelope_ok as prime_ok
from bench_prime import signed as prime_signed
from common import (
    Connection,
    Result,
    admin_client,
    database_url,
    parser,
    run_async,
    serve,
    start,
    stop,
    wait_healthy,
)
from cryptography.hazmat.primitives.asymmetric import rsa

from binance_sandbox.serving import free_port
from binance_sandbox.signing import generate_private_key, public_key_to_der_b64

KIT_TOKEN = "bench-kit-token"
PRIME = "/papi/v1/ramp/connect/prime"
POLL_S = 0.02
# Flows run untimed first: every process (a separate worker too) has started and warmed up.
WARMUP = 10


# -- the Pay merchant's webhook endpoint (a process of its own) --------------------------------


def pay_receiver(port: int, sandbox: str, api_key: str, secret: str) -> None:
    """Verify and keep each Pay webhook; `GET /received/{bizIdStr}/{bizStatus}` answers when
    it arrived (epoch seconds), 404 until then."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from binance_sandbox.client import AsyncPayClient, AsyncPayWebhookVerifier

    client = AsyncPayClient(sandbox, api_key, secret)
    verifier = AsyncPayWebhookVerifier(client)
    received: dict[tuple[str, str], float] = {}

    async def hook(request: Request) -> Response:
        event = await verifier.verify(await request.body(), dict(request.headers))
        received.setdefault((str(event.biz_id_str), str(event.biz_status)), time.time())
        return JSONResponse({"returnCode": "SUCCESS", "returnMessage": None})

    async def lookup(request: Request) -> Response:
        at = received.get((request.path_params["biz_id"], request.path_params["status"]))
        return JSONResponse({"at": at}, status_code=200 if at is not None else 404)

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    app = Starlette(
        routes=[
            Route("/hook", hook, methods=["POST"]),
            Route("/received/{biz_id}/{status}", lookup),
            Route("/healthz", health),
        ]
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


# -- flows ------------------------------------------------------------------------------------


async def flows(
    name: str, n: int, concurrency: int, flow: Callable[[int], Awaitable[float]]
) -> Result:
    """Run WARMUP flows untimed, then `n` flows, `concurrency` at a time; each returns its
    own duration in ms."""
    await _flows(name, range(n, n + WARMUP), concurrency, flow)
    return await _flows(name, range(n), concurrency, flow)


async def _flows(
    name: str, indexes: range, concurrency: int, flow: Callable[[int], Awaitable[float]]
) -> Result:
    n = len(indexes)
    latencies: list[float] = []
    samples: list[str] = []
    errors = 0
    queue = list(reversed(indexes))

    async def worker() -> None:
        nonlocal errors
        while queue:
            i = queue.pop()
            try:
                latencies.append(await flow(i))
            except Exception as exc:  # a failed flow is counted and shown, the run goes on
                errors += 1
                if len(samples) < 3:
                    samples.append(f"{type(exc).__name__}: {exc}")

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(name, n, time.perf_counter() - began, latencies, errors, samples)


async def wait_for(probe: Callable[[], Awaitable[float | None]], what: str) -> float:
    deadline = time.monotonic() + 60
    while True:
        found = await probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within 60 s")
        await asyncio.sleep(POLL_S)


async def prime_buys(url: str, n: int, concurrency: int, tmp: Path) -> Result:
    key = generate_private_key(1024)
    async with admin_client(url) as admin:
        partner = (
            await admin.post(
                "/sandbox/v1/partners",
                json={"name": "bench", "rsaPublicKey": public_key_to_der_b64(key.public_key())},
            )
        ).json()
        cid = partner["clientId"]
        user = (await admin.post("/sandbox/v1/users", json={"partnerClientId": cid})).json()[
            "userId"
        ]
        port = free_port()
        kit_url = f"http://127.0.0.1:{port}"
        kit = start(
            [
                "merchant",
                "serve",
                "--port",
                str(port),
                "--database",
                f"sqlite+aiosqlite:///{tmp / 'kit.db'}",
                "--api-token",
                KIT_TOKEN,
                "--webhook-public-key",
                partner["webhookPublicKey"],
                "--client-id",
                cid,
                "--log-level",
                "warning",
            ]
        )
        try:
            wait_healthy(kit_url, kit)
            (
                await admin.patch(
                    f"/sandbox/v1/partners/{cid}",
                    json={
                        "webhookUrl": f"{kit_url}/webhooks/binance-connect",
                        "merchantApiBaseUrl": kit_url,
                        "merchantApiToken": KIT_TOKEN,
                    },
                )
            ).raise_for_status()
            return await _prime_buys(url, kit_url, cid, partner, key, user, n, concurrency)
        finally:
            stop(kit)


async def _prime_buys(
    url: str,
    kit_url: str,
    cid: str,
    partner: dict[str, str],
    key: rsa.RSAPrivateKey,
    user: str,
    n: int,
    concurrency: int,
) -> Result:
    token = partner["signAccessToken"]
    async with httpx.AsyncClient(base_url=kit_url, timeout=30) as kit:
        funded = await kit.post(
            f"/merchant/v1/users/{user}/fiat/credit", json={"currency": "EUR", "amount": "10000000"}
        )
        funded.raise_for_status()

        async def buy(i: int) -> float:
            connection = Connection(url)
            try:
                quote = await connection.request(
                    *prime_signed(
                        cid,
                        token,
                        key,
                        PRIME + "/quote",
                        {
                            "userId": user,
                            "fiatCurrency": "EUR",
                            "cryptoCurrency": "BTC",
                            "direction": "BUY",
                            "amount": 100,
                            "amountType": 1,
                        },
                    )
                )
                quote_id = quote.json()["data"]["quoteId"]
                client_order_id = f"e2e-{i}"
                moved = await kit.post(
                    "/merchant/v1/fiat-transfers",
                    json={
                        "clientOrderId": client_order_id,
                        "userId": user,
                        "fiatCurrency": "EUR",
                        "amount": "100",
                    },
                )
                moved.raise_for_status()
                execute = prime_signed(
                    cid,
                    token,
                    key,
                    PRIME + "/quote/execute",
                    {"quoteId": quote_id, "clientOrderId": client_order_id},
                )
                began = time.time()
                executed = await connection.request(*execute)
                if not prime_ok(executed):
                    raise RuntimeError(f"execute: {executed.text[:200]}")
                order_id = executed.json()["data"]["orderId"]
            finally:
                await connection.close()

            async def filled() -> float | None:
                events = (
                    await kit.get("/merchant/v1/webhooks", params={"orderId": order_id})
                ).json()["data"]
                for event in events:
                    if event["status"] == "FILLED":
                        return float(event["receivedAt"]) / 1000
                    if event["status"] == "FAILED":
                        raise RuntimeError(f"order {order_id} FAILED")
                return None

            return (await wait_for(filled, f"FILLED webhook for {order_id}") - began) * 1000

        return await flows("Prime buy: execute → webhook", n, concurrency, buy)


async def pay_orders(url: str, n: int, concurrency: int) -> Result:
    port = free_port()
    receiver_url = f"http://127.0.0.1:{port}"
    _merchant, key, secret = await merchant_keys(url, webhook_url=f"{receiver_url}/hook")
    receiver = subprocess_receiver(port, url, key, secret)
    try:
        wait_healthy(receiver_url, receiver)
        async with admin_client(url) as admin, httpx.AsyncClient(base_url=receiver_url) as hooks:
            payer = (await admin.post("/sandbox/v1/users", json={})).json()["userId"]
            credit = {"userId": payer, "asset": "USDT", "amount": "10000000"}
            (await admin.post("/sandbox/v1/balances/credit", json=credit)).raise_for_status()

            async def pay(i: int) -> float:
                create = pay_signed(key, secret, "/v2/order", order(f"e2e{i}"))
                connection = Connection(url)
                try:
                    created = await connection.request(*create())
                finally:
                    await connection.close()
                if not pay_ok(created):
                    raise RuntimeError(f"create: {created.text[:200]}")
                prepay_id = created.json()["data"]["prepayId"]
                began = time.time()
                paid = await admin.post(
                    f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": payer}
                )
                if paid.status_code != 200:
                    raise RuntimeError(f"pay: {paid.text[:200]}")

                async def delivered() -> float | None:
                    answer = await hooks.get(f"/received/{prepay_id}/PAY_SUCCESS")
                    return float(answer.json()["at"]) if answer.status_code == 200 else None

                return (await wait_for(delivered, f"PAY_SUCCESS for {prepay_id}") - began) * 1000

            return await flows("Pay order: pay → webhook", n, concurrency, pay)
    finally:
        stop(receiver)


def subprocess_receiver(
    port: int, sandbox: str, api_key: str, secret: str
) -> subprocess.Popen[bytes]:
    """`pay_receiver` in a process of its own (this file, run as `pay-receiver`)."""
    return subprocess.Popen(
        [sys.executable, __file__, "pay-receiver", str(port), sandbox, api_key, secret],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def print_table(database: str, concurrency: int, separate: bool, results: list[Result]) -> None:
    print("\n== End to end: the partner's call → webhook delivered to the partner's receiver")
    worker = "separate process" if separate else "in the API process"
    print(f"database: {database.split(':')[0]}   flows at a time: {concurrency}   worker: {worker}")
    print(
        f"{'flow':<32}{'flows':>7}{'flows/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}"
    )
    for r in results:
        worst = max(r.latencies_ms, default=0.0)
        print(
            f"{r.name:<32}{r.requests:>7}{r.rps:>9.1f}{r.pct(0.5):>9.1f}{r.pct(0.99):>9.1f}"
            f"{worst:>9.1f}{r.errors:>8}"
        )
    for r in results:
        for sample in r.error_samples:
            print(f"  {r.name} error: {sample}")
    sys.stdout.flush()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "pay-receiver":
        port, sandbox, api_key, secret = sys.argv[2:6]
        pay_receiver(int(port), sandbox, api_key, secret)
        return
    options = parser(__doc__, requests=None, concurrency=4)
    options.add_argument("--flows", type=int, default=200)
    options.add_argument(
        "--separate-worker",
        action="store_true",
        help="serve --no-worker, and the delivery worker as a process of its own",
    )
    args = options.parse_args()
    with tempfile.TemporaryDirectory(prefix="bsx-e2e-") as tmp, database_url(args.database) as db:
        server = serve(db, worker=not args.separate_worker)
        # Started once the server has migrated the database.
        worker = start(["worker", "--database", db]) if args.separate_worker else None
        try:
            results = run_async(_both(server.url, args.flows, args.concurrency, Path(tmp)))
        finally:
            if worker is not None:
                stop(worker)
            stop(server.process)
    print_table(db, args.concurrency, args.separate_worker, results)


async def _both(url: str, n: int, concurrency: int, tmp: Path) -> list[Result]:
    return [
        await prime_buys(url, n, concurrency, tmp),
        await pay_orders(url, n, concurrency),
    ]


if __name__ == "__main__":
    main()
