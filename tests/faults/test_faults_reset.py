"""Reset: one partner's data only, or the whole sandbox; the ledger audit stays clean."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from faults_support import add_fault, buy_quote, faults

from binance_sandbox.client import ConnectPrimeClient, WalletClient
from sandbox_harness import PartnerCreds, Sandbox


def _order(box: Sandbox, partner: PartnerCreds, user: str, client_order_id: str) -> str:
    with ConnectPrimeClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    ) as prime:
        quote = buy_quote(prime, user)
        return prime.execute_quote(quote.quote_id, client_order_id).order_id


def _orders(box: Sandbox, partner: PartnerCreds) -> list[str]:
    r = box.admin.get("/sandbox/v1/prime/orders", params={"partnerClientId": partner.client_id})
    return [o["orderId"] for o in r.json()]


def _address(box: Sandbox, user: str) -> str:
    r = box.admin.get(f"/sandbox/v1/users/{user}/deposit-address", params={"coin": "ETH"})
    assert r.status_code == 200, r.text
    return str(r.json()["address"])


def _wallet(box: Sandbox, user: str) -> WalletClient:
    key = box.admin.post("/sandbox/v1/api-keys", json={"userId": user}).json()
    return WalletClient(box.url, key["apiKey"], key["secretKey"])


def test_reset_one_partner_then_everything(make_sandbox: Callable[..., Sandbox]) -> None:
    box = make_sandbox("reset")
    a, b = box.create_partner(name="A"), box.create_partner(name="B")
    user_a, user_b = box.create_user(a), box.create_user(b)
    box.credit(user_a, "USDT", "50")
    order_a = _order(box, a, user_a, "a-1")
    order_b = _order(box, b, user_b, "b-1")
    box.settle()
    assert box.order(order_a)["status"] == "FILLED"
    assert box.order(order_b)["status"] == "FILLED"
    add_fault(
        box,
        family="connect",
        scope={"partnerClientId": a.client_id},
        action={"type": "latency", "ms": 1},
    )
    # On-chain activity of both partners' users: A's user withdraws to B's user (still on its
    # way when A is reset) and has a chain deposit waiting for confirmations.
    box.credit(user_a, "ETH", "1")
    to_b = _address(box, user_b)
    with _wallet(box, user_a) as wallet:
        withdrawal = wallet.withdraw("ETH", to_b, Decimal("0.5")).id
    pending = box.admin.post(
        "/sandbox/v1/chain/transfers",
        json={"network": "ETH", "address": _address(box, user_a), "asset": "ETH", "amount": "0.2"},
    ).json()["txHash"]

    r = box.admin.post("/sandbox/v1/reset", json={"partnerClientId": a.client_id})
    assert r.status_code == 200, r.text
    assert r.json()["orders"] == 1 and r.json()["users"] == 1
    assert _orders(box, a) == [] and _orders(box, b) == [order_b]
    assert box.admin.post(f"/sandbox/v1/withdrawals/{withdrawal}/cancel").status_code == 404
    assert box.admin.get("/sandbox/v1/chain/transfers", params={"txHash": pending}).json() == []
    # Its jobs are gone: moving the clock sends and credits nothing.
    box.advance(4 * 3_600_000)
    assert box.balance(user_b, "ETH") == 0
    assert box.audit()["totalsConserved"]
    users = box.admin.get("/sandbox/v1/users").json()
    assert {u["userId"] for u in users} == {user_b}
    assert faults(box) == []
    assert box.balance(user_b, "BTC") > 0
    box.audit()
    # The partner itself stays and starts again from nothing.
    fresh = box.create_user(a)
    assert box.order(_order(box, a, fresh, "a-1"))["clientOrderId"] == "a-1"

    r = box.admin.post("/sandbox/v1/reset", json={})
    assert r.status_code == 200, r.text
    assert box.admin.get("/sandbox/v1/partners").json() == []
    assert box.admin.get("/sandbox/v1/users").json() == []
    report = box.audit()
    assert report["totalsConserved"]
    # And the platform works again from scratch.
    c = box.create_partner(name="C")
    order_c = _order(box, c, box.create_user(c), "c-1")
    box.settle()
    assert box.order(order_c)["status"] == "FILLED"
    box.audit()


def test_reset_of_an_unknown_partner_is_404(box: Sandbox) -> None:
    r = box.admin.post("/sandbox/v1/reset", json={"partnerClientId": "nobody-here"})
    assert r.status_code == 404
