"""A Connect Prime order moves only along its machine: PROCESSING → FILLED or FAILED, and
a settled order stays settled (guide §7; 1230314 INVALID_ORDER_STATUS otherwise)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from binance_sandbox.client import ConnectPrimeClient
from binance_sandbox.prime.lifecycle import ORDER, STATUS_CODES, OrderStatus


def test_the_order_machine_is_the_guides() -> None:
    assert ORDER.next_states(OrderStatus.PROCESSING) == {OrderStatus.FILLED, OrderStatus.FAILED}
    assert ORDER.terminal == {OrderStatus.FILLED, OrderStatus.FAILED}
    assert {str(s): STATUS_CODES[s] for s in OrderStatus} == {
        "PROCESSING": 1,
        "FILLED": 20,
        "FAILED": 99,
    }


def test_a_settled_order_cannot_be_settled_again(make_sandbox: Any) -> None:
    # No worker in this server: an order stays PROCESSING until an operator settles it.
    box = make_sandbox("states", embedded_worker=False)
    partner = box.create_partner()
    user = box.create_user(partner)
    with ConnectPrimeClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    ) as client:

        def execute(ref: str) -> str:
            quote = client.quote(
                user,
                fiat_currency="EUR",
                crypto_currency="BTC",
                direction="BUY",
                amount=Decimal(100),
                amount_type=1,
            )
            return client.execute_quote(quote.quote_id, ref).order_id

        filled, failed = execute("states-1"), execute("states-2")
        found = client.transaction(order_id=filled)
        assert (found.status, found.status_code) == ("PROCESSING", 1)

        r = box.admin.post(f"/sandbox/v1/prime/orders/{filled}/fill")
        assert r.status_code == 200 and r.json()["status"] == "FILLED"
        r = box.admin.post(f"/sandbox/v1/prime/orders/{failed}/fail", json={})
        assert r.status_code == 200 and r.json()["status"] == "FAILED"

        for order_id, status in ((filled, "FILLED"), (failed, "FAILED")):
            for outcome in ("fill", "fail"):
                r = box.admin.post(f"/sandbox/v1/prime/orders/{order_id}/{outcome}", json={})
                assert r.status_code == 409
                assert r.json() == {
                    "error": {
                        "code": "1230314",
                        "message": f"Order {order_id} is {status}, not PROCESSING.",
                    }
                }
            found = client.transaction(order_id=order_id)
            assert found.status == status
        assert client.transaction(order_id=filled).status_code == 20
        assert client.transaction(order_id=failed).status_code == 99
    box.audit()
