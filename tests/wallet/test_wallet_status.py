"""System status and its maintenance switch, account and API-trading status, trade fees,
asset details, asset dividends, and `/api/v3` ping, time and exchangeInfo."""

from __future__ import annotations

from decimal import Decimal

import httpx
from wallet_support import Signed, body_of

from binance_sandbox.chain.networks import COINS, network_for
from sandbox_harness import Sandbox


def test_system_status_and_the_maintenance_switch(
    box: Sandbox, http: httpx.Client, signed: Signed
) -> None:
    assert body_of(http.get("/wapi/v3/systemStatus.html")) == {"status": 0, "msg": "normal"}
    assert box.admin.get("/sandbox/v1/system-status").json() == {"status": 0, "msg": "normal"}
    r = box.admin.post("/sandbox/v1/system-status", json={"status": 1})
    assert r.json() == {"status": 1, "msg": "system maintenance"}
    try:
        assert body_of(http.get("/wapi/v3/systemStatus.html")) == {
            "status": 1,
            "msg": "system maintenance",
        }
        # Signed calls are refused: wapi in its envelope, sapi with 503.
        assert signed.wapi_fail("GET", "accountStatus.html") == "System is under maintenance."
        assert signed.sapi_fail("GET", "asset/assetDividend", 503) == {
            "code": -1001,
            "msg": "System is under maintenance.",
        }
        # What does not need a key keeps answering.
        assert body_of(http.get("/api/v3/ping")) == {}
        # Authentication still comes first.
        assert (
            signed.wapi_filter_error("GET", "accountStatus.html", signature="0" * 64)["code"]
            == -1022
        )
        box.admin.post("/sandbox/v1/system-status", json={"status": 1, "msg": "upgrade"})
        assert body_of(http.get("/wapi/v3/systemStatus.html"))["msg"] == "upgrade"
    finally:
        box.admin.post("/sandbox/v1/system-status", json={"status": 0})
    assert signed.wapi_ok("GET", "accountStatus.html") == {"msg": "Normal", "success": True}
    assert box.admin.post("/sandbox/v1/system-status", json={"status": 2}).status_code == 400


def test_account_and_api_trading_status(signed: Signed) -> None:
    box, user = signed.box, signed.key.user_id
    assert signed.wapi_ok("GET", "accountStatus.html") == {"msg": "Normal", "success": True}
    now = box.now()
    status = signed.wapi_ok("GET", "apiTradingStatus.html")
    assert status == {
        "success": True,
        "status": {
            "isLocked": False,
            "plannedRecoverTime": 0,
            "triggerCondition": {"GCR": 150, "IFER": 150, "UFR": 300},
            "indicators": {},
            "updateTime": now,
        },
    }
    message = "Order failed:Low Order fill rate! Will be reactivated after 5 minutes."
    r = box.admin.post(
        "/sandbox/v1/account-status",
        json={
            "userId": user,
            "msg": message,
            "objs": ["5"],
            "apiTradingLocked": True,
            "plannedRecoverTime": now + 300_000,
        },
    )
    assert r.status_code == 200, r.text
    assert signed.wapi_ok("GET", "accountStatus.html") == {
        "msg": message,
        "success": True,
        "objs": ["5"],
    }
    locked = signed.wapi_ok("GET", "apiTradingStatus.html")["status"]
    assert (locked["isLocked"], locked["plannedRecoverTime"]) == (True, now + 300_000)
    box.admin.post("/sandbox/v1/account-status", json={"userId": user, "apiTradingLocked": False})
    assert signed.wapi_ok("GET", "apiTradingStatus.html")["status"]["isLocked"] is False
    assert signed.wapi_ok("GET", "accountStatus.html")["msg"] == message
    r = box.admin.post("/sandbox/v1/account-status", json={"userId": "1234567"})
    assert r.status_code == 404


def test_trade_fee(signed: Signed) -> None:
    fees = signed.wapi_ok("GET", "tradeFee.html")
    assert list(fees) == ["tradeFee", "success"]
    symbols = [f["symbol"] for f in fees["tradeFee"]]
    assert symbols == sorted(symbols) and {"BTCUSDT", "ETHBTC", "BNBBTC", "XRPBNB"} <= set(symbols)
    assert "BTCETH" not in symbols and "USDTBTC" not in symbols
    assert fees["tradeFee"][0] == {
        "symbol": symbols[0],
        "maker": Decimal("0.001"),
        "taker": Decimal("0.001"),
    }
    one = signed.wapi_ok("GET", "tradeFee.html", {"symbol": "ETHBTC"})["tradeFee"]
    assert [f["symbol"] for f in one] == ["ETHBTC"]
    assert signed.wapi_fail("GET", "tradeFee.html", {"symbol": "DOGEBTC"}) == "Invalid symbol."


def test_asset_detail(signed: Signed) -> None:
    detail = signed.wapi_ok("GET", "assetDetail.html")
    assert list(detail) == ["success", "assetDetail"]
    assert sorted(detail["assetDetail"]) == sorted(COINS)
    assert detail["assetDetail"]["ETH"] == {
        "minWithdrawAmount": "0.00500000",
        "depositStatus": True,
        "withdrawFee": Decimal("0.0012"),
        "withdrawStatus": True,
    }
    usdt = detail["assetDetail"]["USDT"]
    assert usdt["withdrawFee"] == network_for("USDT").withdraw_fee == 1


def test_asset_dividends(signed: Signed) -> None:
    box, user = signed.box, signed.key.user_id
    r = box.admin.post(
        "/sandbox/v1/dividends", json={"userId": user, "asset": "BHFT", "amount": "10"}
    )
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["enInfo"] == "BHFT distribution" and first["amount"] == "10.00000000"
    box.advance(1_000)
    second = box.admin.post(
        "/sandbox/v1/dividends",
        json={"userId": user, "asset": "BNB", "amount": "0.5", "info": "BNB vault"},
    ).json()
    assert box.balance(user, "BHFT") == 10 and box.balance(user, "BNB") == Decimal("0.5")
    records = signed.get("/sapi/v1/asset/assetDividend")
    assert list(records) == ["rows", "total"]
    assert records["total"] == 2
    assert records["rows"] == [
        {
            "amount": "0.50000000",
            "asset": "BNB",
            "divTime": second["divTime"],
            "enInfo": "BNB vault",
            "tranId": second["tranId"],
        },
        {
            "amount": "10.00000000",
            "asset": "BHFT",
            "divTime": first["divTime"],
            "enInfo": "BHFT distribution",
            "tranId": first["tranId"],
        },
    ]
    assert isinstance(first["tranId"], int)
    only = signed.get("/sapi/v1/asset/assetDividend", {"asset": "BHFT"})
    assert [x["tranId"] for x in only["rows"]] == [first["tranId"]]
    assert (
        signed.get("/sapi/v1/asset/assetDividend", {"startTime": second["divTime"]})["total"] == 1
    )
    assert signed.get("/sapi/v1/asset/assetDividend", {"endTime": first["divTime"] - 1}) == {
        "rows": [],
        "total": 0,
    }
    assert signed.sapi_fail("GET", "asset/assetDividend", 400, {"startTime": "x"})["code"] == -1100
    for bad in (
        {"userId": user, "asset": "BNB", "amount": "0"},
        {"userId": user, "asset": "bnb", "amount": "1"},
        {"userId": user, "asset": "BNB", "amount": "0.000000001"},
    ):
        assert box.admin.post("/sandbox/v1/dividends", json=bad).status_code == 400
    r = box.admin.post(
        "/sandbox/v1/dividends", json={"userId": "7777777", "asset": "B", "amount": "1"}
    )
    assert r.status_code == 404
    # A dividend is a mint: the ledger's totals still balance.
    box.audit()


def test_ping_time_exchange_info(box: Sandbox, http: httpx.Client) -> None:
    ping = http.get("/api/v3/ping")
    assert (ping.status_code, body_of(ping)) == (200, {})
    assert int(ping.headers["X-MBX-USED-WEIGHT-1M"]) >= 1
    assert ping.headers["X-MBX-USED-WEIGHT"] == ping.headers["X-MBX-USED-WEIGHT-1M"]
    assert body_of(http.get("/api/v3/time")) == {"serverTime": box.now()}
    before = int(http.get("/api/v3/ping").headers["X-MBX-USED-WEIGHT-1M"])
    info = http.get("/api/v3/exchangeInfo")
    # exchangeInfo weighs 10.
    assert int(info.headers["X-MBX-USED-WEIGHT-1M"]) == before + 10
    data = body_of(info)
    assert data["timezone"] == "UTC" and data["serverTime"] == box.now()
    assert data["rateLimits"] == [
        {
            "rateLimitType": "REQUEST_WEIGHT",
            "interval": "MINUTE",
            "intervalNum": 1,
            "limit": box.settings.wallet_ip_weight_per_minute,
        }
    ]
    btc = next(s for s in data["symbols"] if s["symbol"] == "ETHBTC")
    assert (btc["baseAsset"], btc["quoteAsset"], btc["status"]) == ("ETH", "BTC", "TRADING")
