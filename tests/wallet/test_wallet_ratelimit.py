"""Rate limits (spec "LIMITS"): request weight per sandbox minute per IP and per API key,
`X-MBX-USED-WEIGHT-1M`, 429 with `Retry-After`, then 418 bans that grow from 2 minutes to
3 days; in-process, and shared through Redis by several server processes. The sandbox clock
is moved, never slept on."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from wallet_support import Signed, body_of, create_key

from sandbox_harness import Sandbox

REDIS_URL = os.environ.get("BSX_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LIMITS = {
    "wallet_ip_weight_per_minute": 10,
    "wallet_key_weight_per_minute": 4,
    "wallet_429s_before_ban": 2,
}
MINUTE, HOUR, DAY = 60_000, 3_600_000, 86_400_000
LADDER_MS = [2 * MINUTE, 10 * MINUTE, 30 * MINUTE, 2 * HOUR, 6 * HOUR, DAY, 3 * DAY, 3 * DAY]
TOO_MUCH = (
    "Too much request weight used; current limit is 10 request weight per 1 MINUTE. "
    "Please use the websocket for live updates to avoid polling the API."
)


def fresh_start(box: Sandbox) -> int:
    """Past every ban and offense of earlier tests, at the start of a minute."""
    now = box.advance(7 * DAY)
    return box.advance(MINUTE - now % MINUTE)


def ping(http: httpx.Client) -> httpx.Response:
    return http.get("/api/v3/ping")


def banned_until(r: httpx.Response) -> int:
    data = body_of(r)
    assert r.status_code == 418 and data["code"] == -1003, r.text
    prefix = "Way too much request weight used; IP banned until "
    assert data["msg"].startswith(prefix), data
    assert data["msg"].endswith(". Please use the websocket for live updates to avoid bans.")
    return int(data["msg"][len(prefix) :].split(".")[0])


@pytest.fixture(scope="module")
def limited(make_sandbox: Any) -> Sandbox:
    box: Sandbox = make_sandbox("wallet-limits", **LIMITS)
    return box


@pytest.fixture(scope="module")
def client(limited: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=limited.url, timeout=30) as http:
        yield http


def test_weight_is_counted_per_minute_and_429_says_when_to_retry(
    limited: Sandbox, client: httpx.Client
) -> None:
    start = fresh_start(limited)
    for used in range(1, 11):
        r = ping(client)
        assert r.status_code == 200
        assert r.headers["X-MBX-USED-WEIGHT-1M"] == r.headers["X-MBX-USED-WEIGHT"] == str(used)
    r = ping(client)
    assert (r.status_code, body_of(r)) == (429, {"code": -1003, "msg": TOO_MUCH})
    assert r.headers["Retry-After"] == "60" and r.headers["X-MBX-USED-WEIGHT-1M"] == "11"
    limited.advance(45_000)
    # Every family answers a rate limit alike: {code, msg} with 429.
    r = client.get("/wapi/v3/systemStatus.html")
    assert (r.status_code, body_of(r)["code"]) == (429, -1003)
    assert r.headers["Retry-After"] == "15" and r.headers["X-MBX-USED-WEIGHT-1M"] == "12"
    limited.advance(15_000)
    assert limited.now() == start + MINUTE
    r = ping(client)
    assert r.status_code == 200 and r.headers["X-MBX-USED-WEIGHT-1M"] == "1"


def test_weight_per_api_key(limited: Sandbox, client: httpx.Client) -> None:
    fresh_start(limited)
    first = Signed(client, limited, create_key(limited, limited.create_user()))
    second = Signed(client, limited, create_key(limited, limited.create_user()))
    for _ in range(4):
        assert first.wapi_ok("GET", "accountStatus.html")["success"] is True
    r = first.request("GET", "/wapi/v3/accountStatus.html")
    assert r.status_code == 429, r.text
    assert body_of(r) == {
        "code": -1003,
        "msg": "Too much request weight used; current limit of this API key is 4 request "
        "weight per 1 MINUTE.",
    }
    assert r.headers["X-MBX-USED-WEIGHT-1M"] == "5"
    # The IP has weight left: another key, and unsigned calls, still pass.
    r = second.request("GET", "/wapi/v3/accountStatus.html")
    assert r.status_code == 200 and r.headers["X-MBX-USED-WEIGHT-1M"] == "6"
    assert ping(client).status_code == 200


def test_an_ip_that_keeps_going_after_429_is_banned(limited: Sandbox, client: httpx.Client) -> None:
    start = fresh_start(limited)
    for _ in range(10):
        assert ping(client).status_code == 200
    assert [ping(client).status_code for _ in range(2)] == [429, 429]
    r = ping(client)
    assert banned_until(r) == start + 2 * MINUTE
    assert r.headers["Retry-After"] == "120"
    # Banned: every family, signed or not, answers 418 until the ban ends.
    signed = Signed(client, limited, create_key(limited, limited.create_user()))
    r = signed.request("GET", "/wapi/v3/accountStatus.html")
    assert r.status_code == 418 and banned_until(r) == start + 2 * MINUTE
    limited.advance(MINUTE)
    r = client.get("/sapi/v1/asset/assetDividend")
    assert r.status_code == 418 and r.headers["Retry-After"] == "60"
    limited.advance(MINUTE - 1)
    assert ping(client).status_code == 418
    limited.advance(1)
    assert ping(client).status_code == 200
    assert signed.wapi_ok("GET", "accountStatus.html")["success"] is True


def test_bans_grow_for_repeat_offenders_up_to_three_days(
    limited: Sandbox, client: httpx.Client
) -> None:
    now = fresh_start(limited)
    for expected in LADDER_MS:
        for _ in range(12):
            ping(client)
        r = ping(client)
        assert banned_until(r) - now == expected, LADDER_MS.index(expected)
        assert r.headers["Retry-After"] == str(expected // 1000)
        limited.advance(expected)
        now = limited.advance(MINUTE - limited.now() % MINUTE)
    # Three days after the last ban ended without another, an IP starts again at 2 minutes.
    now = limited.advance(3 * DAY + MINUTE)
    for _ in range(12):
        ping(client)
    assert banned_until(ping(client)) - now == 2 * MINUTE


def redis_up() -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", 6379)) == 0


@pytest.fixture(scope="module")
def shared(make_sandbox: Any) -> tuple[Sandbox, Sandbox]:
    if not redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is required in CI")
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"bsx-test:{uuid.uuid4().hex}:"
    settings = {**LIMITS, "redis_url": REDIS_URL, "wallet_rate_limit_prefix": prefix}
    return make_sandbox("wallet-redis-a", **settings), make_sandbox("wallet-redis-b", **settings)


def test_processes_sharing_redis_share_weight_and_bans(shared: tuple[Sandbox, Sandbox]) -> None:
    first, second = shared
    # Both servers' clocks at the same minute (each test server has its own database).
    for box in shared:
        now = box.advance(DAY)
        box.advance(MINUTE - now % MINUTE)
    assert first.now() == second.now()
    start = first.now()
    with httpx.Client(base_url=first.url) as a, httpx.Client(base_url=second.url) as b:
        for used in range(1, 11):
            r = ping(a if used % 2 else b)
            assert r.status_code == 200 and r.headers["X-MBX-USED-WEIGHT-1M"] == str(used)
        assert ping(b).status_code == 429
        assert ping(a).status_code == 429
        r = ping(b)
        assert banned_until(r) == start + 2 * MINUTE
        assert ping(a).status_code == 418
        for box in shared:
            box.advance(2 * MINUTE)
        assert ping(a).status_code == 200 and ping(b).status_code == 200
