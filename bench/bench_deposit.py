"""Connect Deposit throughput: the partner's poll of a session's authorization (signed
`deposit/authorization`, flow step 4b), with p50/p99 latency, as a ratio against a bare
endpoint (`GET /healthz`) on the same server, in the same run. Run by hand:

    uv run python bench/bench_deposit.py [--database postgresql://…] [--requests 2000] [--concurrency 16]

Fifty sessions are polled in turn: half of them authorized by the user (their answer lists
the deposit addresses), half still waiting. Requests are signed before the clock starts (the
window is 60 s), so the client's RSA signing does not count against the server.
"""

from __future__ import annotations

from bench_prime import envelope_ok, partner_and_user, signed
from common import (
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

from binance_sandbox.signing import generate_private_key

PREFIX = "/papi/v1/ramp/connect"
SESSIONS = 50


async def bench(url: str, n: int, concurrency: int) -> list[Result]:
    key = generate_private_key(1024)
    cid, token, user = await partner_and_user(url, key)
    sessions = [f"bench-{i}" for i in range(SESSIONS)]
    await collect(
        url,
        [
            signed(
                cid,
                token,
                key,
                PREFIX + "/deposit/initiate",
                {
                    "externalOrderId": session,
                    "userId": user,
                    "cryptoCurrency": "USDT",
                    "networks": ["TRX", "BSC"],
                },
            )
            for session in sessions
        ],
        lambda r: r.json()["data"]["link"],
    )
    async with admin_client(url) as admin:
        for session in sessions[::2]:
            answer = await admin.post(
                f"/sandbox/v1/deposits/{session}/authorize", json={"partnerClientId": cid}
            )
            answer.raise_for_status()
    base = await bare(url, n, concurrency)
    polls = await run(
        url,
        "signed deposit/authorization",
        [
            signed(
                cid,
                token,
                key,
                PREFIX + "/deposit/authorization",
                {"externalOrderId": sessions[i % SESSIONS]},
            )
            for i in range(n)
        ],
        concurrency,
        envelope_ok,
    )
    return [base, polls]


def main() -> None:
    args = parser(__doc__, requests=2000).parse_args()
    with sandbox_server(args.database) as (url, database):
        results = run_async(bench(url, args.requests, args.concurrency))
    report(database, args.requests, args.concurrency, results, "Connect Deposit")


if __name__ == "__main__":
    main()
