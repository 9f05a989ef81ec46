"""Test clocks: a tenant on a test clock lives on that clock's time; advancing one settles its
tenants' events only, and no other clock moves (docs/testing.md)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from binance_sandbox.client import ConnectPrimeClient, PayClient, WalletClient
from binance_sandbox.client.errors import QuoteExpired
from sandbox_harness import Sandbox, pay_order

EXTERNAL_ETH = "0x6915f16f8791d0a1cc2bf47c13a6b2a92000504b"


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox("test-clocks")


@pytest.fixture
def clients() -> Iterator[list[Any]]:
    opened: list[Any] = []
    yield opened
    for client in opened:
        client.close()


def new_clock(box: Sandbox, **body: Any) -> dict[str, Any]:
    r = box.admin.post("/sandbox/v1/test-clocks", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def advance_clock(box: Sandbox, clock_id: str, ms: int) -> dict[str, Any]:
    r = box.admin.post(f"/sandbox/v1/test-clocks/{clock_id}/advance", json={"ms": ms})
    assert r.status_code == 200, r.text
    return dict(r.json())


def prime_client(box: Sandbox, clients: list[Any], **fields: Any) -> tuple[Any, ConnectPrimeClient]:
    partner = box.create_partner(**fields)
    client = ConnectPrimeClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    )
    clients.append(client)
    return partner, client


def buy_quote(client: ConnectPrimeClient, user: str) -> Any:
    return client.quote(
        user,
        fiat_currency="EUR",
        crypto_currency="BTC",
        direction="BUY",
        amount=Decimal("100"),
        amount_type=1,
    )


def test_two_partners_on_two_clocks(box: Sandbox, clients: list[Any]) -> None:
    start = box.now()
    first = new_clock(box, name="suite A")
    second = new_clock(box, nowMs=start + 1_000_000, name="suite B")
    assert first["nowMs"] == start and first["status"] == "ready" and first["name"] == "suite A"

    a, prime_a = prime_client(box, clients, testClockId=first["id"])
    b, prime_b = prime_client(box, clients, testClockId=second["id"])
    assert a.raw["testClockId"] == first["id"]
    user_a, user_b = box.create_user(a), box.create_user(b)
    quote_a, quote_b = buy_quote(prime_a, user_a), buy_quote(prime_b, user_b)
    # Each quote is made on its partner's clock.
    assert quote_a.expired_at - first["nowMs"] == quote_b.expired_at - second["nowMs"]
    assert quote_b.expired_at > quote_a.expired_at + 900_000

    moved = advance_clock(box, first["id"], 120_000)
    assert moved["nowMs"] == first["nowMs"] + 120_000 and moved["status"] == "ready"
    assert box.now() == start  # the global clock stays where it was
    r = box.admin.get(f"/sandbox/v1/test-clocks/{second['id']}")
    assert r.json()["nowMs"] == second["nowMs"]

    with pytest.raises(QuoteExpired):
        prime_a.execute_quote(quote_a.quote_id, "a-" + secrets.token_hex(4))
    order = prime_b.execute_quote(quote_b.quote_id, "b-" + secrets.token_hex(4))
    assert order.order_id
    # B's order lives on B's clock: its first check ran at once, on that clock.
    detail = box.order(order.order_id)
    assert detail["createTime"] == second["nowMs"]


def test_a_tenants_deadlines_and_webhooks_follow_its_clock(
    box: Sandbox, clients: list[Any]
) -> None:
    clock = new_clock(box)
    r = box.admin.post(
        "/sandbox/v1/merchants", json={"name": "Clocked", "testClockId": clock["id"]}
    )
    assert r.status_code == 201, r.text
    merchant = r.json()
    pay = PayClient(box.url, merchant["apiKey"], merchant["apiSecret"])
    clients.append(pay)
    order = pay_order(pay, expire_ms=60_000)
    # The global clock moving on does nothing to an order on a test clock.
    box.advance(3_600_000)
    assert pay.query_order(prepay_id=order.prepay_id).status.value == "INITIAL"
    moved = advance_clock(box, clock["id"], 60_000)
    assert moved["ran"] >= 1
    assert pay.query_order(prepay_id=order.prepay_id).status.value == "EXPIRED"


def test_a_users_withdrawal_runs_on_its_clock(box: Sandbox, clients: list[Any]) -> None:
    clock = new_clock(box)
    r = box.admin.post("/sandbox/v1/users", json={"testClockId": clock["id"]})
    assert r.status_code == 201, r.text
    user = r.json()["userId"]
    assert r.json()["testClockId"] == clock["id"]
    box.credit(user, "ETH", "1")
    r = box.admin.post("/sandbox/v1/api-keys", json={"userId": user})
    key = r.json()
    wallet = WalletClient(box.url, key["apiKey"], key["secretKey"])
    clients.append(wallet)
    out = wallet.withdraw(asset="ETH", address=EXTERNAL_ETH, amount=Decimal("0.1"))
    [w] = wallet.withdraw_history(asset="ETH")
    assert (w.id, w.status, w.apply_time) == (out.id, 0, clock["nowMs"])
    box.advance(7_200_000)
    assert [w.status for w in wallet.withdraw_history(asset="ETH")] == [0]
    advance_clock(box, clock["id"], 7_200_000)
    assert [w.status for w in wallet.withdraw_history(asset="ETH")] == [6]


def test_test_clock_lifecycle_and_errors(box: Sandbox) -> None:
    clock = new_clock(box, name="short-lived")
    assert clock["id"] in [c["id"] for c in box.admin.get("/sandbox/v1/test-clocks").json()]
    partner = box.create_partner(testClockId=clock["id"])
    r = box.admin.delete(f"/sandbox/v1/test-clocks/{clock['id']}")
    assert r.status_code == 409, r.text
    assert partner.client_id  # in use by the partner
    unused = new_clock(box)
    r = box.admin.delete(f"/sandbox/v1/test-clocks/{unused['id']}")
    assert r.status_code == 200, r.text
    assert box.admin.get(f"/sandbox/v1/test-clocks/{unused['id']}").status_code == 404

    for body in ({"ms": 1, "nowMs": 2}, {}, {"ms": -5}, {"nowMs": clock["nowMs"] - 1}):
        r = box.admin.post(f"/sandbox/v1/test-clocks/{clock['id']}/advance", json=body)
        assert r.status_code == 400, (body, r.text)
    assert (
        box.admin.post("/sandbox/v1/test-clocks/clock_nope/advance", json={"ms": 1}).status_code
        == 404
    )
    r = box.admin.post(
        "/sandbox/v1/partners",
        json={
            "name": "x",
            "rsaPublicKey": partner.raw["webhookPublicKey"],
            "testClockId": "clock_nope",
        },
    )
    assert r.status_code == 400, r.text
