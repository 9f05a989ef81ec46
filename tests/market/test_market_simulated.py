import dataclasses
import os
import random
import subprocess
import sys
from decimal import Decimal

import pytest

from binance_sandbox.market import (
    CRYPTOS,
    FIATS,
    Kline,
    PriceSource,
    PriceUnavailable,
    SimulatedMarket,
    Ticker24h,
)
from binance_sandbox.market.path import LOG_SCALE, CryptoPath

NOW = 1_756_179_222_140  # 2025-08-26T03:33:42.140Z
YEAR_MS = 365 * 86_400_000
EIGHT_PLACES = Decimal("1e-8")


def sample_times(count: int, seed: int = 1) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(NOW - 3 * YEAR_MS, NOW) for _ in range(count)]


def test_is_a_price_source() -> None:
    assert isinstance(SimulatedMarket(), PriceSource)


def test_same_seed_same_prices() -> None:
    first, second = SimulatedMarket(7), SimulatedMarket(7)
    for at_ms in sample_times(50):
        for crypto in CRYPTOS:
            assert first.price(crypto, "USD", at_ms) == second.price(crypto, "USD", at_ms)
    assert first.klines("BTC", "EUR", "1h", now_ms=NOW) == second.klines(
        "BTC", "EUR", "1h", now_ms=NOW
    )
    assert first.ticker_24h("SOL", "GBP", NOW) == second.ticker_24h("SOL", "GBP", NOW)


def test_order_of_questions_does_not_matter() -> None:
    times = sample_times(30)
    forward = SimulatedMarket(3)
    backward = SimulatedMarket(3)
    ahead = [forward.price("ETH", "USD", t) for t in times]
    behind = [backward.price("ETH", "USD", t) for t in reversed(times)]
    assert ahead == behind[::-1]


def test_different_seeds_differ() -> None:
    a, b = SimulatedMarket(0), SimulatedMarket(1)
    times = sample_times(20)
    assert [a.price("BTC", "USD", t) for t in times] != [b.price("BTC", "USD", t) for t in times]


def test_pinned_values() -> None:
    """The path is part of the sandbox's contract: a seed reproduces it on any platform."""
    market = SimulatedMarket(0)
    assert market.price("BTC", "USD", NOW) == Decimal("67237.74363719")
    assert market.price("ETH", "EUR", 1_700_000_000_000) == Decimal("2598.01754033")
    assert market.price("USDT", "USD", 1_600_000_030_000) == Decimal("0.99974170")
    assert SimulatedMarket(42).price("BTC", "USD", NOW) == Decimal("66519.77486058")


def test_same_prices_in_another_process() -> None:
    times = sample_times(5)
    script = (
        "from binance_sandbox.market import SimulatedMarket\n"
        "m = SimulatedMarket(11)\n"
        f"print([str(m.price('XRP', 'AED', t)) for t in {times!r}])\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    )
    market = SimulatedMarket(11)
    assert out.stdout.strip() == str([str(market.price("XRP", "AED", t)) for t in times])


@pytest.mark.parametrize("crypto", list(CRYPTOS))
def test_prices_are_continuous(crypto: str) -> None:
    market = SimulatedMarket(5)
    for at_ms in sample_times(200, seed=2):
        here = market.price(crypto, "USD", at_ms)
        there = market.price(crypto, "USD", at_ms + 1)
        assert abs(there - here) <= here * Decimal("1e-6") + EIGHT_PLACES


def test_prices_have_eight_places() -> None:
    market = SimulatedMarket(0)
    for at_ms in sample_times(20):
        for crypto in CRYPTOS:
            for fiat in FIATS:
                price = market.price(crypto, fiat, at_ms)
                assert type(price) is Decimal
                assert price > 0
                assert price == price.quantize(EIGHT_PLACES)


@pytest.mark.parametrize("crypto", list(CRYPTOS))
def test_path_stays_within_its_band(crypto: str) -> None:
    asset = CRYPTOS[crypto]
    path = CryptoPath(asset, 9)
    assert path.band <= Decimal(3).ln() * LOG_SCALE
    assert path.usd(path.band) < asset.usd_price * 3
    assert path.usd(-path.band) > asset.usd_price / 3
    days = SimulatedMarket(9).klines(crypto, "USD", "1d", now_ms=NOW, limit=365)
    assert min(k.low for k in days) >= path.usd(-path.band)
    assert max(k.high for k in days) <= path.usd(path.band)


def test_usdt_stays_near_one_dollar() -> None:
    path = CryptoPath(CRYPTOS["USDT"], 4)
    assert path.usd(-path.band) >= Decimal("0.99")
    assert path.usd(path.band) <= Decimal("1.01")
    days = SimulatedMarket(4).klines("USDT", "USD", "1d", now_ms=NOW, limit=365)
    assert min(k.low for k in days) >= Decimal("0.99")
    assert max(k.high for k in days) <= Decimal("1.01")
    assert len({k.close for k in days}) > 300


def test_path_moves() -> None:
    days = SimulatedMarket(0).klines("BTC", "USD", "1d", now_ms=NOW, limit=100)
    assert len({k.close for k in days}) == 100
    assert max(k.high for k in days) / min(k.low for k in days) > Decimal("1.1")


@pytest.mark.parametrize("fiat", list(FIATS))
def test_fiat_prices_are_usd_times_rate(fiat: str) -> None:
    market = SimulatedMarket(0)
    for at_ms in sample_times(20):
        usd = market.price("BTC", "USD", at_ms)
        expected = (usd * FIATS[fiat].usd_rate).quantize(EIGHT_PLACES)
        assert market.price("BTC", fiat, at_ms) == expected


def test_unknown_pairs_are_unavailable() -> None:
    market = SimulatedMarket(0)
    with pytest.raises(PriceUnavailable):
        market.price("DOGE", "USD", NOW)
    with pytest.raises(PriceUnavailable):
        market.price("BTC", "JPY", NOW)
    with pytest.raises(PriceUnavailable):
        market.klines("BTC", "JPY", "1h", now_ms=NOW)
    with pytest.raises(PriceUnavailable):
        market.ticker_24h("DOGE", "USD", NOW)


def test_times_before_the_unix_epoch_are_priced() -> None:
    market = SimulatedMarket(0)
    assert market.price("BTC", "USD", -1) > 0
    assert market.klines("BTC", "USD", "1h", now_ms=-5, limit=3)[-1].open_time == -3_600_000


def assert_no_float(value: object) -> None:
    for field in dataclasses.fields(value):  # type: ignore[arg-type]
        item = getattr(value, field.name)
        assert not isinstance(item, float), field.name
        if field.name in {"open_time", "close_time", "trades"}:
            assert type(item) is int, field.name
        else:
            assert type(item) is Decimal, field.name


def test_no_float_escapes() -> None:
    market = SimulatedMarket(0)
    for interval in ("3m", "1h", "1d"):
        for kline in market.klines("ETH", "BRL", interval, now_ms=NOW, limit=5):
            assert isinstance(kline, Kline)
            assert_no_float(kline)
    ticker = market.ticker_24h("BNB", "GBP", NOW)
    assert isinstance(ticker, Ticker24h)
    assert_no_float(ticker)


def test_ticker_24h() -> None:
    market = SimulatedMarket(0)
    ticker = market.ticker_24h("BTC", "EUR", NOW)
    assert ticker.open == market.price("BTC", "EUR", NOW - 86_400_000)
    assert ticker.last == market.price("BTC", "EUR", NOW)
    assert ticker.low <= min(ticker.open, ticker.last)
    assert ticker.high >= max(ticker.open, ticker.last)
    expected = ((ticker.last - ticker.open) / ticker.open * 100).quantize(Decimal("0.01"))
    assert ticker.change_percent == expected
    rng = random.Random(3)
    for _ in range(200):
        at_ms = rng.randrange(NOW - 86_400_000, NOW + 1)
        assert ticker.low <= market.price("BTC", "EUR", at_ms) <= ticker.high
    assert ticker.low < ticker.high
    assert ticker.low <= ticker.quote_volume / ticker.volume <= ticker.high


def test_ticker_volume_matches_the_day() -> None:
    market = SimulatedMarket(0)
    day_start = NOW - NOW % 86_400_000 - 86_400_000
    (day,) = market.klines("BTC", "USD", "1d", now_ms=NOW, start_ms=day_start, limit=1)
    ticker = market.ticker_24h("BTC", "USD", day.close_time)
    assert ticker.volume == day.volume
    assert ticker.last == day.close
    assert ticker.high == max(day.high, ticker.open)
    assert ticker.low == min(day.low, ticker.open)


def test_btc_volume_is_plausible() -> None:
    hours = SimulatedMarket(0).klines("BTC", "USD", "1h", now_ms=NOW, limit=1000)[:-1]
    volumes = [k.volume for k in hours]
    assert Decimal(8) < min(volumes)
    assert max(volumes) < Decimal(70)
    for kline in hours:
        assert 0 < kline.taker_buy_base < kline.volume
        assert kline.low <= kline.quote_volume / kline.volume <= kline.high
        assert kline.trades > 0
