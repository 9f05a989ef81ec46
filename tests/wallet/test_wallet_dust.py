"""Dust (`POST /sapi/v1/asset/dust`) and the dribblet log (`userAssetDribbletLog.html`): small
balances converted to BNB at the market price minus a 2 % service charge, on the ledger."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_DOWN, ROUND_UP, Decimal

from wallet_support import Signed

from binance_sandbox.market import SimulatedMarket

UNIT = Decimal("0.00000001")


def utc_text(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def expected(asset: str, amount: str, now: int, seed: int) -> tuple[Decimal, Decimal]:
    """(BNB received, service charge) for `amount` of `asset` (docs/wallet-api.md, Dust)."""
    market = SimulatedMarket(seed)
    gross = (
        Decimal(amount) * market.price(asset, "USD", now) / market.price("BNB", "USD", now)
    ).quantize(UNIT, ROUND_DOWN)
    charge = (gross * Decimal("0.02")).quantize(UNIT, ROUND_UP)
    return gross - charge, charge


def test_dust_converts_to_bnb_minus_the_service_charge(signed: Signed) -> None:
    box, user = signed.box, signed.key.user_id
    box.credit(user, "USDT", "10")
    box.credit(user, "ETH", "0.001")
    box.credit(user, "BNB", "0.5")
    now = box.now()
    out = signed.post("/sapi/v1/asset/dust", body=[("asset", "USDT"), ("asset", "ETH")])
    usdt = expected("USDT", "10", now, box.settings.seed)
    eth = expected("ETH", "0.001", now, box.settings.seed)
    assert list(out) == ["totalServiceCharge", "totalTransfered", "transferResult"]
    assert out["totalTransfered"] == format(usdt[0] + eth[0], "f")
    assert out["totalServiceCharge"] == format(usdt[1] + eth[1], "f")
    first, second = out["transferResult"]
    assert first == {
        "amount": "10.00000000",
        "fromAsset": "USDT",
        "operateTime": now,
        "serviceChargeAmount": format(usdt[1], "f"),
        "tranId": first["tranId"],
        "transferedAmount": format(usdt[0], "f"),
    }
    assert (second["fromAsset"], second["amount"], second["tranId"]) == (
        "ETH",
        "0.00100000",
        first["tranId"],
    )
    assert isinstance(first["tranId"], int)
    assert box.balance(user, "USDT") == 0 and box.balance(user, "ETH") == 0
    assert box.balance(user, "BNB") == Decimal("0.5") + usdt[0] + eth[0]

    log = signed.wapi_ok("GET", "userAssetDribbletLog.html")
    assert log["results"]["total"] == 1
    [row] = log["results"]["rows"]
    assert row["tran_id"] == first["tranId"]
    assert row["transfered_total"] == format((usdt[0] + eth[0]).normalize(), "f")
    assert row["service_charge_total"] == format((usdt[1] + eth[1]).normalize(), "f")
    assert row["operate_time"] == utc_text(now)
    assert [(x["fromAsset"], x["amount"], x["uid"]) for x in row["logs"]] == [
        ("USDT", "10", user),
        ("ETH", "0.001", user),
    ]
    assert list(row["logs"][0]) == [
        "tranId",
        "serviceChargeAmount",
        "uid",
        "amount",
        "operateTime",
        "transferedAmount",
        "fromAsset",
    ]
    box.audit()

    # Once per 24 hours (of sandbox time).
    box.credit(user, "XRP", "3")
    assert signed.sapi_fail("POST", "asset/dust", 400, {"asset": "XRP"}) == {
        "code": -5006,
        "msg": "Only transfer once in 24 hours.",
    }
    box.advance(86_400_000)
    again = signed.post("/sapi/v1/asset/dust", [("asset", "xrp")])
    assert [r["fromAsset"] for r in again["transferResult"]] == ["XRP"]
    rows = signed.wapi_ok("GET", "userAssetDribbletLog.html")["results"]["rows"]
    assert [r["tran_id"] for r in rows] == [again["transferResult"][0]["tranId"], first["tranId"]]
    assert rows[0]["operate_time"] == utc_text(now + 86_400_000)
    box.audit()


def test_dust_refusals(signed: Signed) -> None:
    box, user = signed.box, signed.key.user_id
    box.credit(user, "BNB", "0.001")
    box.credit(user, "USDT", "100")
    box.credit(user, "XRP", "0.00000001")
    box.credit(user, "ETH", "0.001")
    box.credit(user, "EUR", "1")  # a fiat: the market gives it no price in USD

    def refusal(*assets: str) -> dict[str, object]:
        return signed.sapi_fail("POST", "asset/dust", 400, body=[("asset", a) for a in assets])

    assert refusal("BNB") == {"code": -5001, "msg": "Don't allow transfer to micro assets."}
    assert refusal("EUR") == {"code": -5001, "msg": "Don't allow transfer to micro assets."}
    assert refusal("SOL") == {"code": -5003, "msg": "You don't have this asset."}
    assert refusal("ETH", "USDT") == {
        "code": -5004,
        "msg": "The residual balances of USDT have exceeded 0.001BTC, Please re-choose.",
    }
    assert refusal("XRP") == {
        "code": -5005,
        "msg": "The residual balances of XRP is too low, Please re-choose.",
    }
    assert refusal("") == {
        "code": -1102,
        "msg": "Mandatory parameter 'asset' was not sent, was empty/null, or malformed.",
    }
    assert refusal("ET H")["code"] == -1100
    # Nothing moved: every asset converts, or none does.
    assert box.balance(user, "ETH") == Decimal("0.001")
    assert signed.wapi_ok("GET", "userAssetDribbletLog.html")["results"] == {"total": 0, "rows": []}
    box.audit()
