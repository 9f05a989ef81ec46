"""Flow step 5 on the sandbox's chain: the partner sends to an authorized address, and the
user is credited after the network's confirmations (on the sandbox clock); the report of the
transaction lines up with what the chain saw. Connect Deposit itself never moves funds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from deposit_support import Signed, act, authorization, initiate, session

from sandbox_harness import Sandbox

TRX_CONFIRM_MS = 20 * 3_000  # 20 blocks of 3 s (chain.networks)
XRP_CONFIRM_MS = 1 * 4_000


def send(box: Sandbox, network: str, asset: str, amount: str, address: dict[str, Any]) -> str:
    body = {
        "network": network,
        "address": address["depositAddress"],
        "asset": asset,
        "amount": amount,
    }
    if address["addressTag"] is not None:
        body["addressTag"] = address["addressTag"]
    r = box.admin.post("/sandbox/v1/chain/transfers", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["txHash"])


def chain_status(box: Sandbox, tx_hash: str) -> str:
    (row,) = box.admin.get("/sandbox/v1/chain/transfers", params={"txHash": tx_hash}).json()
    return str(row["status"])


def test_a_transfer_to_the_authorized_address_credits_the_user(
    box: Sandbox, signed: Signed, partner: Any, user: str, order_id: str
) -> None:
    initiate(signed, order_id, user, networks=("TRX",))
    act(box, partner, order_id, "authorize")
    (address,) = authorization(signed, order_id)["depositAddresses"]

    tx_hash = send(box, "TRX", "USDT", "25.5", address)
    assert signed.ok("/deposit/report", {"externalOrderId": order_id, "txHash": tx_hash}) is None
    assert session(box, partner, order_id)["report"]["chainStatus"] == "PENDING"
    box.advance(TRX_CONFIRM_MS - 1)
    assert chain_status(box, tx_hash) == "PENDING"
    assert box.balance(user, "USDT") == 0
    box.advance(1)
    assert chain_status(box, tx_hash) == "CREDITED"
    assert box.balance(user, "USDT") == Decimal("25.5")
    assert session(box, partner, order_id)["report"]["chainStatus"] == "CREDITED"
    # The session itself is unchanged: it only coordinated the address.
    assert authorization(signed, order_id)["status"] == "AUTHORIZED"
    box.audit()


def test_xrp_is_credited_by_its_tag(
    box: Sandbox, signed: Signed, partner: Any, user: str, order_id: str
) -> None:
    initiate(signed, order_id, user, coin="XRP", networks=("XRP",))
    act(box, partner, order_id, "authorize")
    (address,) = authorization(signed, order_id)["depositAddresses"]
    tagged = send(box, "XRP", "XRP", "30", address)
    untagged = send(box, "XRP", "XRP", "5", {**address, "addressTag": None})
    box.advance(XRP_CONFIRM_MS)
    assert chain_status(box, tagged) == "CREDITED"
    assert chain_status(box, untagged) == "UNCLAIMED"  # without the tag, nobody's deposit
    assert box.balance(user, "XRP") == Decimal(30)
    box.audit()
