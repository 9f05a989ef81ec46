"""Withdraw, withdraw and deposit history, deposit address (wapi v3) over the chain core: the
ledger is debited amount + fee at once, the withdrawal moves 0 → 2 → 4 (txId) → 6 on the
sandbox clock, and deposits show pending then credited."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from wallet_support import Signed

from binance_sandbox.chain.networks import network_for

EXTERNAL_ETH = "0x6915f16f8791d0a1cc2bf47c13a6b2a92000504b"


def withdrawals(signed: Signed, **params: Any) -> list[dict[str, Any]]:
    return list(signed.wapi_ok("GET", "withdrawHistory.html", params)["withdrawList"])


def deposits(signed: Signed, **params: Any) -> list[dict[str, Any]]:
    return list(signed.wapi_ok("GET", "depositHistory.html", params)["depositList"])


def test_a_withdrawal_moves_through_its_statuses_on_the_clock(signed: Signed) -> None:
    box, user = signed.box, signed.key.user_id
    box.credit(user, "ETH", "2")
    applied = box.now()
    out = signed.wapi_ok(
        "POST",
        "withdraw.html",
        {"asset": "ETH", "address": EXTERNAL_ETH, "amount": "0.5", "name": "cold wallet"},
    )
    assert set(out) == {"msg", "success", "id"} and out["msg"] == "success"
    assert re.fullmatch(r"[0-9a-f]{32}", out["id"])
    assert box.balance(user, "ETH") == Decimal("1.4988")
    [w] = withdrawals(signed)
    assert w == {
        "id": out["id"],
        "amount": Decimal("0.5"),
        "transactionFee": Decimal("0.0012"),
        "address": EXTERNAL_ETH,
        "asset": "ETH",
        "applyTime": applied,
        "status": 0,
    }
    # Each step is due 5 s after the one before, on the sandbox clock.
    box.advance(4_999)
    assert withdrawals(signed)[0]["status"] == 0
    box.advance(1)
    assert withdrawals(signed)[0]["status"] == 2  # awaiting approval
    box.advance(5_000)
    [sent] = withdrawals(signed)
    assert sent["status"] == 4  # processing
    assert re.fullmatch(r"0x[0-9a-f]{64}", sent["txId"])
    assert list(sent) == [
        "id",
        "amount",
        "transactionFee",
        "address",
        "txId",
        "asset",
        "applyTime",
        "status",
    ]
    box.advance(network_for("ETH").confirm_ms - 1)
    assert withdrawals(signed, status=6) == []
    box.advance(1)
    [done] = withdrawals(signed, status=6)
    assert done["txId"] == sent["txId"] and done["id"] == out["id"]
    assert withdrawals(signed, status=4) == []
    assert box.balance(user, "ETH") == Decimal("1.4988")
    box.audit()


def test_withdraw_history_filters(signed: Signed) -> None:
    box, user = signed.box, signed.key.user_id
    box.credit(user, "ETH", "1")
    box.credit(user, "USDT", "100")
    first = box.now()
    signed.wapi_ok(
        "POST", "withdraw.html", {"asset": "ETH", "address": EXTERNAL_ETH, "amount": "0.1"}
    )
    box.advance(1)
    tron = "T" + "1" * 33
    w = signed.wapi_ok(
        "POST",
        "withdraw.html",
        {"asset": "USDT", "address": tron, "amount": "20", "network": "TRX"},
    )
    usdt = withdrawals(signed, asset="USDT")
    assert [(x["id"], x["transactionFee"]) for x in usdt] == [(w["id"], Decimal(1))]
    assert [x["asset"] for x in withdrawals(signed)] == ["ETH", "USDT"]
    assert [x["asset"] for x in withdrawals(signed, startTime=first + 1)] == ["USDT"]
    assert [x["asset"] for x in withdrawals(signed, endTime=first)] == ["ETH"]
    assert withdrawals(signed, status=1) == []
    bsc = signed.wapi_ok(
        "POST",
        "withdraw.html",
        {"asset": "USDT", "address": EXTERNAL_ETH, "amount": "10", "network": "BSC"},
    )
    assert [x["transactionFee"] for x in withdrawals(signed, asset="USDT")][-1] == Decimal("0.29")
    assert bsc["success"] is True
    assert box.balance(user, "USDT") == Decimal(100) - Decimal(21) - Decimal("10.29")
    invalid = {"code": -1130, "msg": "Data sent for parameter 'status' is not valid."}
    assert signed.wapi_filter_error("GET", "withdrawHistory.html", {"status": 7}) == invalid
    assert (
        signed.wapi_filter_error("GET", "withdrawHistory.html", {"startTime": "yesterday"})["code"]
        == -1100
    )


@pytest.mark.parametrize(
    ("params", "msg"),
    [
        ({"address": "0x123", "amount": "1"}, "0x123 is not a valid ETH address."),
        ({"amount": "0.001"}, "The minimum withdrawal of ETH on ETH is 0.005."),
        ({"amount": "10"}, "Insufficient ETH balance for 10 plus the fee 0.0012."),
        ({"amount": "0.123456789"}, "Precision is over the maximum defined for this asset."),
        ({"amount": "0"}, "The withdrawal amount must be greater than 0."),
        ({"asset": "DOGE"}, "Unsupported coin DOGE."),
        ({"network": "SOL"}, "Network SOL is not supported for ETH."),
        ({"amount": "99999999"}, "The maximum withdrawal of ETH on ETH is 9999999."),
    ],
)
def test_withdraw_refusals(signed: Signed, params: dict[str, str], msg: str) -> None:
    box, user = signed.box, signed.key.user_id
    box.credit(user, "ETH", "1")
    request = {"asset": "ETH", "address": EXTERNAL_ETH, "amount": "0.5", **params}
    assert signed.wapi_fail("POST", "withdraw.html", request) == msg
    assert box.balance(user, "ETH") == Decimal(1)
    assert withdrawals(signed) == []


def test_withdraw_parameters(signed: Signed) -> None:
    assert signed.wapi_filter_error("POST", "withdraw.html", {"asset": "ETH", "amount": "1"}) == {
        "code": -1102,
        "msg": "Mandatory parameter 'address' was not sent, was empty/null, or malformed.",
    }
    assert signed.wapi_filter_error(
        "POST", "withdraw.html", {"asset": "ETH", "address": EXTERNAL_ETH, "amount": "1e3"}
    ) == {
        "code": -1100,
        "msg": "Illegal characters found in parameter 'amount'; legal range is "
        "'^([0-9]{1,20})(\\.[0-9]{1,20})?$'.",
    }
    assert signed.wapi_filter_error("POST", "withdraw.html", {"asset": "E-TH"})["code"] == -1100


def test_withdraw_to_a_sandbox_user_arrives_as_their_deposit(signer: Any) -> None:
    sender, receiver = signer(), signer()
    box = sender.box
    box.credit(sender.key.user_id, "XRP", "100")
    to = receiver.wapi_ok("GET", "depositAddress.html", {"asset": "XRP"})
    assert re.fullmatch(r"[0-9]{9}", to["addressTag"])
    out = sender.wapi_ok(
        "POST",
        "withdraw.html",
        {"asset": "XRP", "address": to["address"], "addressTag": to["addressTag"], "amount": "30"},
    )
    [w] = withdrawals(sender)
    assert w["addressTag"] == to["addressTag"] and w["id"] == out["id"]
    box.advance(10_000)  # 0 → 2 → 4: sent, and on chain at the receiver
    assert withdrawals(sender, status=4)
    [d] = deposits(receiver)
    assert d["status"] == 0 and d["txId"] == withdrawals(sender)[0]["txId"]
    assert d["addressTag"] == to["addressTag"] and d["amount"] == Decimal(30)
    box.advance(network_for("XRP").confirm_ms)
    assert deposits(receiver, status=1)
    assert box.balance(receiver.key.user_id, "XRP") == Decimal(30)
    assert box.balance(sender.key.user_id, "XRP") == Decimal("69.75")
    box.audit()


def test_deposit_address_is_stable_per_asset(signed: Signed) -> None:
    eth = signed.wapi_ok("GET", "depositAddress.html", {"asset": "ETH"})
    assert list(eth) == ["address", "success", "addressTag", "asset"]
    assert eth["asset"] == "ETH" and eth["addressTag"] == ""
    assert re.fullmatch(network_for("ETH").address_regex, eth["address"])
    assert signed.wapi_ok("GET", "depositAddress.html", {"asset": "eth", "status": "true"}) == eth
    bnb = signed.wapi_ok("GET", "depositAddress.html", {"asset": "BNB"})
    assert bnb["address"] != eth["address"]
    assert signed.wapi_fail("GET", "depositAddress.html", {"asset": "DOGE"}) == (
        "Unsupported coin DOGE."
    )
    assert signed.wapi_filter_error("GET", "depositAddress.html")["code"] == -1102
    assert signed.wapi_filter_error(
        "GET", "depositAddress.html", {"asset": "ETH", "status": "maybe"}
    ) == {
        "code": -1100,
        "msg": "Illegal characters found in parameter 'status'; legal range is '^(true|false)$'.",
    }


def test_deposit_history_pending_then_credited(signed: Signed) -> None:
    box, user = signed.box, signed.key.user_id
    to = signed.wapi_ok("GET", "depositAddress.html", {"asset": "ETH"})["address"]
    sent_at = box.now()
    r = box.admin.post(
        "/sandbox/v1/chain/transfers",
        json={"network": "ETH", "address": to, "asset": "ETH", "amount": "0.04670582"},
    )
    assert r.status_code == 201, r.text
    tx = r.json()["txHash"]
    box.advance(1)
    r = box.admin.post(
        "/sandbox/v1/chain/transfers",
        json={"network": "ETH", "address": to, "asset": "ETH", "amount": "1"},
    )
    [first, second] = deposits(signed)
    assert first == {
        "insertTime": sent_at,
        "amount": Decimal("0.04670582"),
        "asset": "ETH",
        "address": to,
        "txId": tx,
        "status": 0,
    }
    assert second["amount"] == 1
    assert deposits(signed, status=1) == [] and len(deposits(signed, status=0)) == 2
    assert deposits(signed, status=6) == []
    assert deposits(signed, asset="BTC") == []
    assert [d["txId"] for d in deposits(signed, endTime=sent_at)] == [tx]
    assert [d["amount"] for d in deposits(signed, startTime=sent_at + 1)] == [1]
    box.advance(network_for("ETH").confirm_ms)
    assert len(deposits(signed, status=1)) == 2
    assert box.balance(user, "ETH") == Decimal("1.04670582")
    invalid = {"code": -1130, "msg": "Data sent for parameter 'status' is not valid."}
    assert signed.wapi_filter_error("GET", "depositHistory.html", {"status": 2}) == invalid
    box.audit()
