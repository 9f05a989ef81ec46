"""The simulated chains: stable deposit addresses that match each network's pattern, transfers
credited after confirmations on the sandbox clock, dust and unknown addresses not credited."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from binance_sandbox.chain.networks import COINS, network_for


def address(sandbox: Any, user: str, coin: str, network: str | None = None) -> dict[str, Any]:
    params = {"coin": coin} | ({"network": network} if network else {})
    r = sandbox.admin.get(f"/sandbox/v1/users/{user}/deposit-address", params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def send(sandbox: Any, **body: Any) -> dict[str, Any]:
    r = sandbox.admin.post("/sandbox/v1/chain/transfers", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.mark.parametrize(
    ("coin", "network"), [(c, n.network) for c, nets in COINS.items() for n in nets]
)
def test_addresses_match_the_network_and_are_stable(sandbox: Any, coin: str, network: str) -> None:
    user = sandbox.create_user()
    first = address(sandbox, user, coin, network)
    net = network_for(coin, network)
    assert re.match(net.address_regex, first["address"]), first
    assert (first["addressTag"] is not None) == net.needs_memo
    assert address(sandbox, user, coin, network) == first
    other = address(sandbox, sandbox.create_user(), coin, network)
    assert (other["address"], other["addressTag"]) != (first["address"], first["addressTag"])


def test_a_transfer_is_credited_after_its_confirmations(sandbox: Any) -> None:
    user = sandbox.create_user()
    to = address(sandbox, user, "ETH")
    sent = send(sandbox, network="ETH", address=to["address"], asset="ETH", amount="0.5")
    assert (sent["status"], sent["userId"], sent["confirmationsNeeded"]) == ("PENDING", user, 12)
    assert re.match(r"^0x[0-9a-f]{64}$", sent["txHash"])
    sandbox.advance(12 * 12_000 - 1)
    assert sandbox.balance(user, "ETH") == 0
    sandbox.advance(1)
    assert sandbox.balance(user, "ETH") == Decimal("0.5")
    [row] = sandbox.admin.get(
        "/sandbox/v1/chain/transfers", params={"txHash": sent["txHash"]}
    ).json()
    assert row["status"] == "CREDITED" and row["creditedAt"] == sent["confirmAt"]
    sandbox.audit()


def test_xrp_needs_the_tag_and_dust_is_not_credited(sandbox: Any) -> None:
    user = sandbox.create_user()
    to = address(sandbox, user, "XRP")
    wrong_tag = send(
        sandbox, network="XRP", address=to["address"], addressTag="1", asset="XRP", amount="10"
    )
    right = send(
        sandbox,
        network="XRP",
        address=to["address"],
        addressTag=to["addressTag"],
        asset="XRP",
        amount="10",
    )
    dust = send(
        sandbox,
        network="XRP",
        address=to["address"],
        addressTag=to["addressTag"],
        asset="XRP",
        amount="0.0001",
    )
    sandbox.advance(4_000)
    assert sandbox.balance(user, "XRP") == 10
    rows = {
        r["txHash"]: r["status"]
        for r in sandbox.admin.get(
            "/sandbox/v1/chain/transfers", params={"address": to["address"]}
        ).json()
    }
    assert (
        rows[wrong_tag["txHash"]] == "UNCLAIMED"
        and rows[right["txHash"]] == "CREDITED"
        and rows[dust["txHash"]] == "DUST"
    )
    assert sandbox.balance(user, "XRP") == 10
    sandbox.audit()


def test_bad_transfers_are_refused(sandbox: Any) -> None:
    for body, message in [
        (
            {"network": "ETH", "address": "nope", "asset": "ETH", "amount": "1"},
            "nope is not a valid ETH address.",
        ),
        (
            {"network": "TRX", "address": "0x" + "a" * 40, "asset": "ETH", "amount": "1"},
            "Network TRX is not supported for ETH.",
        ),
        (
            {"network": "BTC", "address": "bc1q" + "a" * 38, "asset": "DOGE", "amount": "1"},
            "Unsupported coin DOGE.",
        ),
        (
            {"network": "ETH", "address": "0x" + "a" * 40, "asset": "ETH", "amount": "0"},
            "amount must be greater than 0.",
        ),
        (
            {"network": "ETH", "address": "0x" + "a" * 40, "asset": "ETH", "amount": "0.123456789"},
            "amount: more than 8 decimal places",
        ),
    ]:
        r = sandbox.admin.post("/sandbox/v1/chain/transfers", json=body)
        assert (r.status_code, r.json()["error"]["message"]) == (400, message)
    r = sandbox.admin.get("/sandbox/v1/users/1/deposit-address", params={"coin": "ETH"})
    assert r.status_code == 404
