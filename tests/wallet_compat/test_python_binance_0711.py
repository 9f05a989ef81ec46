"""The unmodified python-binance 0.7.11 `Client` against the sandbox's Wallet API.

Only the client's URL class attributes are pointed at the sandbox (through `monkeypatch`, so
nothing leaks between tests); everything else — sorting and signing the parameters without
URL-encoding them, wapi parameters in the URL even for POST, `X-MBX-APIKEY`, the timestamp
offset measured from `/api/v3/time` when constructed, reading any non-2xx answer as
`{"code","msg"}` — is the library's own (NOTES.md "Wallet").

The sandbox here runs on a running clock: python-binance signs with real time plus the
offset it measured once, which a frozen clock leaves behind after a second.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from binance.client import Client
from binance.exceptions import BinanceAPIException, BinanceWithdrawException

from sandbox_harness import Sandbox

URL_ATTRIBUTES = {
    "API_URL": "/api",
    "WITHDRAW_API_URL": "/wapi",
    "MARGIN_API_URL": "/sapi",
    "WEBSITE_URL": "",
    "FUTURES_URL": "/fapi",
    "FUTURES_DATA_URL": "/futures/data",
    "FUTURES_COIN_URL": "/dapi",
    "FUTURES_COIN_DATA_URL": "/futures/data",
    "OPTIONS_URL": "/vapi",
    "OPTIONS_TESTNET_URL": "/vapi",
}
EVM_ADDRESS = "0x6915f16f8791d0a1cc2bf47c13a6b2a92000504b"
XRP_ADDRESS = "rEb8TK3gBgk5auZkwc6sHnwrGVJH8DuaLh"
ETH_CONFIRMATION_MS = 12 * 12_000  # chain/networks.py: 12 confirmations of 12 s

_serial = itertools.count(1)


@dataclass
class Account:
    user_id: str
    email: str
    api_key: str
    secret_key: str


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox("pybinance", clock_start_ms=None)


def new_account(box: Sandbox, *, master: Account | None = None, **balances: str) -> Account:
    n = next(_serial)
    email = f"py+sub{n}@example.com" if master else f"pybinance{n}@example.com"
    fields: dict[str, Any] = {"email": email}
    if master is not None:
        fields["masterUserId"] = master.user_id
    user_id = box.create_user(**fields)
    for asset, amount in balances.items():
        box.credit(user_id, asset, amount)
    r = box.admin.post("/sandbox/v1/api-keys", json={"userId": user_id})
    assert r.status_code in (200, 201), r.text
    keys = r.json()
    return Account(user_id, email, keys["apiKey"], keys["secretKey"])


@pytest.fixture
def account(box: Sandbox) -> Account:
    return new_account(box, BTC="1", ETH="2", USDT="1000", BNB="1")


@pytest.fixture
def make_client(
    box: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[Account], Client]]:
    for name, path in URL_ATTRIBUTES.items():
        assert hasattr(Client, name), name
        monkeypatch.setattr(Client, name, box.url + path)
    made: list[Client] = []

    def make(account: Account) -> Client:
        client = Client(account.api_key, account.secret_key)
        made.append(client)
        return client

    yield make
    for client in made:
        client.session.close()


@pytest.fixture
def client(make_client: Callable[[Account], Client], account: Account) -> Client:
    return make_client(account)


# --- what the constructor calls, and the other public endpoints ---------------------------------


def test_construction_pings_and_measures_the_server_time(box: Sandbox, client: Client) -> None:
    assert client.ping() == {}
    server = client.get_server_time()["serverTime"]
    now = box.now()
    assert abs(server - now) < 5_000
    # The offset the library measured puts its timestamps on the sandbox clock.
    assert abs(time.time() * 1000 + client.timestamp_offset - now) < 5_000


def test_get_exchange_info_and_symbol_info(client: Client) -> None:
    info = client.get_exchange_info()
    assert {"rateLimitType", "interval", "intervalNum", "limit"} <= set(info["rateLimits"][0])
    symbol = client.get_symbol_info("ETHBTC")
    assert symbol is not None
    assert (symbol["baseAsset"], symbol["quoteAsset"]) == ("ETH", "BTC")


def test_get_system_status(client: Client) -> None:
    assert client.get_system_status() == {"status": 0, "msg": "normal"}


# --- account ----------------------------------------------------------------------------------


def test_get_account_status(client: Client) -> None:
    status = client.get_account_status()
    assert status["success"] is True
    assert isinstance(status["msg"], str)


def test_get_account_api_trading_status(client: Client) -> None:
    status = client.get_account_api_trading_status()
    assert status["success"] is True
    assert status["status"]["isLocked"] is False


def test_get_trade_fee(client: Client) -> None:
    fees = client.get_trade_fee(symbol="ETHBTC")
    assert fees["success"] is True
    assert [f["symbol"] for f in fees["tradeFee"]] == ["ETHBTC"]
    assert {"maker", "taker"} <= set(fees["tradeFee"][0])
    assert len(client.get_trade_fee()["tradeFee"]) > 1


def test_get_asset_details(client: Client) -> None:
    details = client.get_asset_details()
    assert details["success"] is True
    btc = details["assetDetail"]["BTC"]
    assert {"minWithdrawAmount", "depositStatus", "withdrawFee", "withdrawStatus"} <= set(btc)


# --- deposits and withdrawals -------------------------------------------------------------------


def test_get_deposit_address(client: Client) -> None:
    eth = client.get_deposit_address(asset="ETH")
    assert (eth["success"], eth["asset"]) == (True, "ETH")
    assert eth["address"].startswith("0x")
    assert client.get_deposit_address(asset="ETH")["address"] == eth["address"]
    xrp = client.get_deposit_address(asset="XRP")
    assert xrp["addressTag"]


def test_get_deposit_history_shows_a_chain_deposit(
    box: Sandbox, client: Client, account: Account
) -> None:
    address = client.get_deposit_address(asset="ETH")["address"]
    r = box.admin.post(
        "/sandbox/v1/chain/transfers",
        json={"network": "ETH", "address": address, "asset": "ETH", "amount": "0.25"},
    )
    assert r.status_code == 201, r.text
    tx_hash = r.json()["txHash"]

    [pending] = client.get_deposit_history(asset="ETH")["depositList"]
    assert (pending["txId"], pending["status"], pending["address"]) == (tx_hash, 0, address)

    box.advance(ETH_CONFIRMATION_MS + 1_000)
    [transfer] = box.admin.get("/sandbox/v1/chain/transfers", params={"txHash": tx_hash}).json()
    assert transfer["creditedAt"]
    # Signed with real time while the sandbox clock is now ahead of it.
    history = client.get_deposit_history(asset="ETH", status=1)
    assert history["success"] is True
    [credited] = history["depositList"]
    assert (credited["txId"], credited["status"]) == (tx_hash, 1)
    assert Decimal(str(credited["amount"])) == Decimal("0.25")
    assert box.balance(account.user_id, "ETH") == Decimal("2.25")


def test_withdraw_then_find_it_in_the_history(
    box: Sandbox, client: Client, account: Account
) -> None:
    result = client.withdraw(asset="ETH", address=EVM_ADDRESS, amount=Decimal("0.5"))
    assert (result["success"], result["msg"]) == (True, "success")
    withdrawal_id = result["id"]

    history = client.get_withdraw_history(asset="ETH")
    assert history["success"] is True
    [entry] = history["withdrawList"]
    assert (entry["id"], entry["address"], entry["asset"]) == (withdrawal_id, EVM_ADDRESS, "ETH")
    assert Decimal(str(entry["amount"])) == Decimal("0.5")
    fee = Decimal(str(entry["transactionFee"]))
    assert box.balance(account.user_id, "ETH") == Decimal(2) - Decimal("0.5") - fee

    assert client.get_withdraw_history_id(withdrawal_id)["id"] == withdrawal_id


def test_withdraw_with_an_address_tag_and_a_recv_window(
    box: Sandbox, make_client: Callable[[Account], Client]
) -> None:
    account = new_account(box, XRP="100")
    client = make_client(account)
    # Sorted and signed by the library: address, addressTag, amount, asset, name, recvWindow.
    result = client.withdraw(
        asset="XRP", address=XRP_ADDRESS, addressTag="12345", amount=25, recvWindow=60_000
    )
    [entry] = client.get_withdraw_history(asset="XRP", recvWindow=60_000)["withdrawList"]
    assert (entry["id"], entry["addressTag"]) == (result["id"], "12345")
    fee = Decimal(str(entry["transactionFee"]))
    assert box.balance(account.user_id, "XRP") == Decimal(75) - fee


def test_a_refused_withdrawal_raises_the_librarys_withdraw_exception(client: Client) -> None:
    with pytest.raises(BinanceWithdrawException) as caught:
        client.withdraw(asset="ETH", address=EVM_ADDRESS, amount="1000")
    assert caught.value.message == "Insufficient ETH balance for 1000 plus the fee 0.0012."


# --- dust -----------------------------------------------------------------------------------------


def test_transfer_dust_then_get_dust_log(box: Sandbox, make_client: Callable[..., Client]) -> None:
    account = new_account(box, ETH="0.0001")
    client = make_client(account)
    assert client.get_dust_log()["results"]["total"] == 0

    result = client.transfer_dust(asset="ETH")
    [item] = result["transferResult"]
    assert (item["fromAsset"], item["amount"]) == ("ETH", "0.00010000")
    assert box.balance(account.user_id, "ETH") == 0
    assert box.balance(account.user_id, "BNB") == Decimal(result["totalTransfered"])

    log = client.get_dust_log()
    assert log["success"] is True
    [row] = log["results"]["rows"]
    assert row["tran_id"] == item["tranId"]
    assert row["logs"][0]["fromAsset"] == "ETH"


# --- sub-accounts ---------------------------------------------------------------------------


def test_sub_account_list_transfer_history_and_assets(
    box: Sandbox, client: Client, account: Account
) -> None:
    sub = new_account(box, master=account)

    listed = client.get_sub_account_list()
    assert listed["success"] is True
    assert [s["email"] for s in listed["subAccounts"]] == [sub.email]
    assert listed["subAccounts"][0]["status"] == "enabled"
    by_email = client.get_sub_account_list(email=sub.email, status="enabled")["subAccounts"]
    assert [s["email"] for s in by_email] == [sub.email]

    # python-binance does not URL-encode: the `+` of the email arrives raw.
    moved = client.create_sub_account_transfer(
        fromEmail=account.email, toEmail=sub.email, asset="USDT", amount="12.5"
    )
    assert moved["success"] is True
    assert moved["txnId"]
    assert box.balance(sub.user_id, "USDT") == Decimal("12.5")
    assert box.balance(account.user_id, "USDT") == Decimal("987.5")

    history = client.get_sub_account_transfer_history(email=sub.email)
    assert history["success"] is True
    [transfer] = history["transfers"]
    assert (transfer["from"], transfer["to"], transfer["asset"]) == (
        account.email,
        sub.email,
        "USDT",
    )
    assert Decimal(str(transfer["qty"])) == Decimal("12.5")

    assets = client.get_sub_account_assets(email=sub.email)
    assert assets["success"] is True
    usdt = [b for b in assets["balances"] if b["asset"] == "USDT"]
    assert [Decimal(str(b["free"])) for b in usdt] == [Decimal("12.5")]


# --- dividends ------------------------------------------------------------------------------------


def test_get_asset_dividend_history(box: Sandbox, client: Client, account: Account) -> None:
    r = box.admin.post(
        "/sandbox/v1/dividends",
        json={"userId": account.user_id, "asset": "BNB", "amount": "0.125", "info": "BNB airdrop"},
    )
    assert r.status_code in (200, 201), r.text

    history = client.get_asset_dividend_history(asset="BNB")
    assert history["total"] == 1
    [row] = history["rows"]
    assert (row["asset"], row["amount"], row["enInfo"]) == ("BNB", "0.12500000", "BNB airdrop")
    assert box.balance(account.user_id, "BNB") == Decimal("1.125")


# --- errors as the library reads them -------------------------------------------------------------


def test_a_wrong_secret_is_a_wapi_error_with_the_code_in_msg(
    box: Sandbox, make_client: Callable[[Account], Client], account: Account
) -> None:
    wrong = Account(account.user_id, account.email, account.api_key, "x" * 64)
    client = make_client(wrong)
    with pytest.raises(BinanceWithdrawException) as caught:
        client.get_account_status()
    assert caught.value.message == (
        '{"code":-1022,"msg":"Signature for this request is not valid."}'
    )


def test_a_wrong_secret_on_sapi_is_an_api_exception(
    make_client: Callable[[Account], Client], account: Account
) -> None:
    wrong = Account(account.user_id, account.email, account.api_key, "x" * 64)
    with pytest.raises(BinanceAPIException) as caught:
        make_client(wrong).get_asset_dividend_history()
    assert (caught.value.status_code, caught.value.code) == (400, -1022)
    assert caught.value.message == "Signature for this request is not valid."


def test_an_unknown_key_is_rejected(make_client: Callable[[Account], Client]) -> None:
    stranger = Account("0", "x@example.com", "A" * 64, "B" * 64)
    with pytest.raises(BinanceAPIException) as caught:
        make_client(stranger).transfer_dust(asset="ETH")
    assert (caught.value.status_code, caught.value.code) == (401, -2015)
