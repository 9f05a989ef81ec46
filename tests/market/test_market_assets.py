from decimal import Decimal

import pytest

from binance_sandbox.market import CRYPTOS, FIATS, offered, pairs

CRYPTO_ORDER = ["BTC", "ETH", "BNB", "USDT", "SOL", "XRP"]
FIAT_ORDER = ["USD", "EUR", "GBP", "AED", "BRL"]


def test_catalog_order_and_precisions() -> None:
    assert list(CRYPTOS) == CRYPTO_ORDER
    assert list(FIATS) == FIAT_ORDER
    assert {s: a.precision for s, a in CRYPTOS.items()} == {
        "BTC": 8,
        "ETH": 8,
        "BNB": 8,
        "USDT": 2,
        "SOL": 8,
        "XRP": 6,
    }
    assert all(f.precision == 2 for f in FIATS.values())
    assert all(symbol == asset.symbol for symbol, asset in CRYPTOS.items())
    assert all(code == fiat.code for code, fiat in FIATS.items())


def test_fiat_rates_and_limits() -> None:
    assert {c: f.usd_rate for c, f in FIATS.items()} == {
        "USD": Decimal("1"),
        "EUR": Decimal("0.92"),
        "GBP": Decimal("0.79"),
        "AED": Decimal("3.6725"),
        "BRL": Decimal("5.05"),
    }
    assert {c: (f.min_limit, f.max_limit) for c, f in FIATS.items()} == {
        "USD": (Decimal(10), Decimal(10_000_000)),
        "EUR": (Decimal(10), Decimal(10_000_000)),
        "GBP": (Decimal(10), Decimal(8_000_000)),
        "AED": (Decimal(40), Decimal(36_000_000)),
        "BRL": (Decimal(50), Decimal(50_000_000)),
    }


def test_catalog_numbers_are_decimals() -> None:
    for asset in CRYPTOS.values():
        for value in (asset.usd_price, asset.volatility, asset.circulating_supply):
            assert type(value) is Decimal
        assert asset.max_supply is None or type(asset.max_supply) is Decimal
        assert asset.usd_price > 0
        assert asset.name
        assert asset.description
    assert sorted(a.rank for a in CRYPTOS.values()) == list(range(1, len(CRYPTOS) + 1))
    assert CRYPTOS["USDT"].volatility == Decimal("0.0005")
    for fiat in FIATS.values():
        for value in (fiat.usd_rate, fiat.min_limit, fiat.max_limit):
            assert type(value) is Decimal


@pytest.mark.parametrize("direction", ["BUY", "SELL"])
@pytest.mark.parametrize("fiat", ["AED", "BRL"])
def test_sol_not_offered_against_aed_or_brl(direction: str, fiat: str) -> None:
    assert not offered(direction, fiat, "SOL")


@pytest.mark.parametrize("fiat", FIAT_ORDER)
def test_xrp_is_buy_only(fiat: str) -> None:
    assert offered("BUY", fiat, "XRP")
    assert not offered("SELL", fiat, "XRP")


def test_everything_else_is_offered_both_ways() -> None:
    holes = {("AED", "SOL"), ("BRL", "SOL")}
    for fiat in FIAT_ORDER:
        for crypto in CRYPTO_ORDER:
            expected = (fiat, crypto) not in holes
            assert offered("BUY", fiat, crypto) is expected
            assert offered("SELL", fiat, crypto) is (expected and crypto != "XRP")


def test_unknown_assets_are_not_offered() -> None:
    assert not offered("BUY", "JPY", "BTC")
    assert not offered("BUY", "USD", "DOGE")
    assert not offered("SELL", "usd", "BTC")


@pytest.mark.parametrize("direction", ["buy", "HOLD", ""])
def test_bad_direction_raises(direction: str) -> None:
    with pytest.raises(ValueError, match="BUY or SELL"):
        offered(direction, "USD", "BTC")
    with pytest.raises(ValueError, match="BUY or SELL"):
        pairs(direction)


def test_pairs_order_and_counts() -> None:
    buy = pairs("BUY")
    sell = pairs("SELL")
    assert len(buy) == 5 * 6 - 2
    assert len(sell) == 5 * 6 - 2 - 5
    assert buy[:6] == [("USD", c) for c in CRYPTO_ORDER]
    assert buy == sorted(buy, key=lambda p: (FIAT_ORDER.index(p[0]), CRYPTO_ORDER.index(p[1])))
    assert all(offered("BUY", f, c) for f, c in buy)
    assert all(offered("SELL", f, c) for f, c in sell)


def test_pairs_filters() -> None:
    assert pairs("BUY", fiat="AED") == [
        ("AED", "BTC"),
        ("AED", "ETH"),
        ("AED", "BNB"),
        ("AED", "USDT"),
        ("AED", "XRP"),
    ]
    assert pairs("SELL", crypto="SOL") == [("USD", "SOL"), ("EUR", "SOL"), ("GBP", "SOL")]
    assert pairs("SELL", crypto="XRP") == []
    assert pairs("BUY", fiat="EUR", crypto="BTC") == [("EUR", "BTC")]
    assert pairs("BUY", fiat="AED", crypto="SOL") == []
    assert pairs("BUY", fiat="JPY") == []
