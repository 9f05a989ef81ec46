"""Suspended networks (`/sandbox/v1/networks`): withdrawals and deposits of a coin on a network
switched off are refused by the Wallet API (wapi: `{"success": false, "msg": …}`), Connect Deposit refuses sessions on it, the
coin lists show it; switched on again, everything works; nothing moves on a refusal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from binance_sandbox.client import ConnectDepositClient, WalletClient
from binance_sandbox.client.errors import IllegalParameters
from binance_sandbox.client.wallet_errors import WalletError
from sandbox_harness import PartnerCreds, Sandbox

FRIEND = "0x" + "c" * 40


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox("switches")


@pytest.fixture(scope="module")
def partner(box: Sandbox) -> PartnerCreds:
    return box.create_partner(name="Switch Bank")


@pytest.fixture
def user(box: Sandbox, partner: PartnerCreds) -> str:
    user = box.create_user(partner)
    box.credit(user, "ETH", "1")
    return user


@pytest.fixture
def wallet(box: Sandbox, user: str) -> Iterator[WalletClient]:
    key = box.admin.post("/sandbox/v1/api-keys", json={"userId": user}).json()
    with WalletClient(box.url, key["apiKey"], key["secretKey"]) as client:
        yield client


@pytest.fixture
def deposit(box: Sandbox, partner: PartnerCreds) -> Iterator[ConnectDepositClient]:
    with ConnectDepositClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    ) as client:
        yield client


def switch(box: Sandbox, coin: str, network: str, **flags: object) -> dict[str, object]:
    r = box.admin.patch(f"/sandbox/v1/networks/{coin}/{network}", json=flags)
    assert r.status_code == 200, r.text
    return dict(r.json())


def eth_on_eth(deposit: ConnectDepositClient) -> tuple[bool, bool]:
    eth = next(c for c in deposit.crypto_networks() if c.crypto_currency == "ETH")
    net = next(n for n in eth.networks if n.network == "ETH")
    return net.withdraw_enable, net.deposit_enable


def test_withdrawals_switched_off_answer_4019_until_switched_on(
    box: Sandbox, user: str, wallet: WalletClient, deposit: ConnectDepositClient
) -> None:
    state = switch(box, "ETH", "ETH", withdrawEnable=False)
    assert state == {
        "coin": "ETH",
        "network": "ETH",
        "withdrawEnable": False,
        "depositEnable": True,
        "switched": True,
    }
    try:
        with pytest.raises(WalletError) as refused:
            wallet.withdraw("ETH", FRIEND, Decimal("0.1"), network="ETH")
        # wapi answers {"success": false, "msg": …}: the text, no code.
        assert "suspended" in str(refused.value)
        assert box.balance(user, "ETH") == 1  # nothing held
        assert wallet.asset_detail()["ETH"].withdraw_status is False
        assert eth_on_eth(deposit) == (False, True)
    finally:
        switch(box, "ETH", "ETH", withdrawEnable=True)
    assert wallet.withdraw("ETH", FRIEND, Decimal("0.1"), network="ETH").id
    assert wallet.asset_detail()["ETH"].withdraw_status is True
    box.audit()


def test_deposits_switched_off_refuse_addresses_and_deposit_sessions(
    box: Sandbox, user: str, wallet: WalletClient, deposit: ConnectDepositClient
) -> None:
    switch(box, "ETH", "ETH", depositEnable=False)
    try:
        with pytest.raises(WalletError) as refused:
            wallet.deposit_address("ETH")
        assert "suspended" in str(refused.value)
        detail = wallet.asset_detail()["ETH"]
        assert detail.deposit_status is False and detail.deposit_tip == "Deposit Suspended"
        with pytest.raises(IllegalParameters, match="suspended"):
            deposit.initiate_deposit(
                "switch-off-1", user_id=user, crypto_currency="ETH", networks=["ETH"]
            )
        assert eth_on_eth(deposit) == (True, False)
        listed = box.admin.get("/sandbox/v1/networks").json()
        assert {"coin": "ETH", "network": "ETH", "withdrawEnable": True,
                "depositEnable": False, "switched": True} in listed  # fmt: skip
        assert all(not n["switched"] for n in listed if n["coin"] != "ETH")
    finally:
        switch(box, "ETH", "ETH", depositEnable=True)
    assert wallet.deposit_address("ETH").address.startswith("0x")
    link = deposit.initiate_deposit(
        "switch-on-1", user_id=user, crypto_currency="ETH", networks=["ETH"]
    )
    assert link.link
    box.audit()


def test_bad_switches_are_refused(box: Sandbox) -> None:
    r = box.admin.patch("/sandbox/v1/networks/ETH/NOPE", json={"withdrawEnable": False})
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
    r = box.admin.patch("/sandbox/v1/networks/ETH/ETH", json={"withdrawEnable": "no"})
    assert r.status_code == 400
    r = box.admin.patch("/sandbox/v1/networks/ETH/ETH", json={"bogus": True})
    assert r.status_code == 400
    r = box.admin.patch("/sandbox/v1/networks/ETH/ETH", content=b"[")
    assert r.status_code == 400
    listed = box.admin.get("/sandbox/v1/networks").json()
    assert not any(n["switched"] for n in listed)


def test_reset_switches_every_network_back_on(make_sandbox: Callable[..., Sandbox]) -> None:
    own = make_sandbox("switches-reset")
    switch(own, "BTC", "BTC", withdrawEnable=False, depositEnable=False)
    assert own.admin.post("/sandbox/v1/reset", json={}).status_code == 200
    assert not any(n["switched"] for n in own.admin.get("/sandbox/v1/networks").json())
