import itertools
import random
import time
from decimal import Decimal

import pytest

from binance_sandbox.market import FIATS, INTERVALS, Kline, SimulatedMarket

NOW = 1_756_179_222_140  # 2025-08-26T03:33:42.140Z
DAY = 86_400_000
HOUR = 3_600_000


@pytest.fixture(scope="module")
def market() -> SimulatedMarket:
    return SimulatedMarket(21)


def containing(
    market: SimulatedMarket, crypto: str, interval: str, at_ms: int, now_ms: int
) -> Kline:
    (kline,) = market.klines(crypto, "USD", interval, now_ms=now_ms, end_ms=at_ms, limit=1)
    return kline


def test_intervals() -> None:
    assert INTERVALS == {"3m": 180_000, "1h": 3_600_000, "1d": 86_400_000}


@pytest.mark.parametrize("interval", list(INTERVALS))
def test_quotes_lie_within_their_kline(market: SimulatedMarket, interval: str) -> None:
    rng = random.Random(interval)
    for _ in range(100):
        at_ms = rng.randrange(NOW - 400 * DAY, NOW)
        now_ms = at_ms + rng.choice([0, 1, 59_999, rng.randrange(DAY)])
        crypto = rng.choice(["BTC", "ETH", "USDT", "XRP"])
        kline = containing(market, crypto, interval, at_ms, now_ms)
        assert kline.open_time <= at_ms <= min(kline.close_time, now_ms)
        assert kline.low <= market.price(crypto, "USD", at_ms) <= kline.high
        assert kline.low <= min(kline.open, kline.close)
        assert kline.high >= max(kline.open, kline.close)


def test_every_millisecond_sampled_of_a_3m_kline_lies_within_it(market: SimulatedMarket) -> None:
    kline = containing(market, "SOL", "3m", NOW - DAY, NOW)
    for at_ms in range(kline.open_time, kline.close_time + 1, 997):
        assert kline.low <= market.price("SOL", "USD", at_ms) <= kline.high
    minute_prices = [market.price("SOL", "USD", kline.open_time + i * 60_000) for i in range(3)] + [
        market.price("SOL", "USD", kline.close_time)
    ]
    assert kline.high == max(minute_prices)
    assert kline.low == min(minute_prices)


@pytest.mark.parametrize("interval", list(INTERVALS))
def test_open_close_and_times(market: SimulatedMarket, interval: str) -> None:
    step = INTERVALS[interval]
    klines = market.klines("BTC", "GBP", interval, now_ms=NOW, limit=50)
    assert len(klines) == 50
    for kline in klines:
        assert kline.open_time % step == 0
        assert kline.close_time == kline.open_time + step - 1
        assert kline.open == market.price("BTC", "GBP", kline.open_time)
    for kline, following in itertools.pairwise(klines):
        assert following.open_time == kline.open_time + step
        assert kline.close == market.price("BTC", "GBP", kline.close_time)
    last = klines[-1]
    assert last.open_time <= NOW <= last.close_time
    assert last.close == market.price("BTC", "GBP", NOW)


@pytest.mark.parametrize(("coarse", "fine"), [("1d", "1h"), ("1h", "3m"), ("1d", "3m")])
@pytest.mark.parametrize("now_ms", [NOW, NOW - NOW % DAY + DAY - 1])
def test_coarse_klines_aggregate_fine_ones(
    market: SimulatedMarket, coarse: str, fine: str, now_ms: int
) -> None:
    for crypto, fiat in [("BTC", "USD"), ("XRP", "AED"), ("USDT", "EUR")]:
        outer = market.klines(crypto, fiat, coarse, now_ms=now_ms, limit=3)
        for big in outer:
            parts = market.klines(
                crypto,
                fiat,
                fine,
                now_ms=now_ms,
                start_ms=big.open_time,
                end_ms=big.close_time,
                limit=1000,
            )
            assert parts[0].open_time == big.open_time
            assert big.high == max(k.high for k in parts)
            assert big.low == min(k.low for k in parts)
            assert big.open == parts[0].open
            assert big.close == parts[-1].close
            assert big.volume == sum(k.volume for k in parts)
            assert big.taker_buy_base == sum(k.taker_buy_base for k in parts)
            assert big.trades == sum(k.trades for k in parts)


def test_fiat_klines_convert_usd(market: SimulatedMarket) -> None:
    usd = market.klines("ETH", "USD", "1h", now_ms=NOW, limit=24)
    brl = market.klines("ETH", "BRL", "1h", now_ms=NOW, limit=24)
    rate = FIATS["BRL"].usd_rate
    for a, b in zip(usd, brl, strict=True):
        for name in ("open", "high", "low", "close"):
            assert getattr(b, name) == (getattr(a, name) * rate).quantize(Decimal("1e-8"))
        assert a.volume == b.volume


def test_default_window_is_the_last_500(market: SimulatedMarket) -> None:
    klines = market.klines("BTC", "USD", "1h", now_ms=NOW)
    assert len(klines) == 500
    assert klines[-1].open_time == NOW - NOW % HOUR
    assert klines[0].open_time == klines[-1].open_time - 499 * HOUR


def test_start_only(market: SimulatedMarket) -> None:
    start = NOW - 30 * HOUR - 123
    klines = market.klines("BTC", "USD", "1h", now_ms=NOW, start_ms=start, limit=10)
    first_open = start - start % HOUR + HOUR
    assert [k.open_time for k in klines] == [first_open + i * HOUR for i in range(10)]
    # Up to now, no further.
    klines = market.klines("BTC", "USD", "1h", now_ms=NOW, start_ms=start, limit=1000)
    assert len(klines) == 30
    assert klines[-1].open_time == NOW - NOW % HOUR


def test_start_and_end(market: SimulatedMarket) -> None:
    start = NOW - NOW % DAY - 10 * DAY
    end = start + DAY
    klines = market.klines("BTC", "USD", "3m", now_ms=NOW, start_ms=start, end_ms=end)
    assert all(start <= k.open_time <= end for k in klines)
    assert len(klines) == 481  # both ends aligned: every 3 minutes, inclusive
    limited = market.klines("BTC", "USD", "3m", now_ms=NOW, start_ms=start, end_ms=end, limit=5)
    assert limited == klines[:5]
    same = market.klines("BTC", "USD", "1d", now_ms=NOW, start_ms=start, end_ms=start)
    assert [k.open_time for k in same] == [start]
    unaligned = market.klines("BTC", "USD", "1d", now_ms=NOW, start_ms=start + 1, end_ms=end)
    assert [k.open_time for k in unaligned] == [end]


def test_end_only(market: SimulatedMarket) -> None:
    end = NOW - 5 * DAY + 7
    klines = market.klines("BTC", "USD", "1d", now_ms=NOW, end_ms=end, limit=7)
    assert len(klines) == 7
    assert klines[-1].open_time == end - end % DAY
    assert klines[-1].open_time <= end <= klines[-1].close_time
    # An end after now stops at now.
    later = market.klines("BTC", "USD", "1d", now_ms=NOW, end_ms=NOW + 10 * DAY, limit=2)
    assert later == market.klines("BTC", "USD", "1d", now_ms=NOW, limit=2)


def test_nothing_starts_after_now(market: SimulatedMarket) -> None:
    assert market.klines("BTC", "USD", "1h", now_ms=NOW, start_ms=NOW + 1) == []
    assert market.klines("BTC", "USD", "1h", now_ms=NOW, start_ms=NOW + HOUR, limit=3) == []
    at_boundary = NOW - NOW % HOUR
    (kline,) = market.klines("BTC", "USD", "1h", now_ms=at_boundary, start_ms=at_boundary)
    assert kline.open == kline.close == kline.high == kline.low
    assert kline.open_time == at_boundary


@pytest.mark.parametrize("interval", ["1m", "5m", "1H", "", "1w"])
def test_unknown_interval(market: SimulatedMarket, interval: str) -> None:
    with pytest.raises(ValueError, match="interval"):
        market.klines("BTC", "USD", interval, now_ms=NOW)


@pytest.mark.parametrize("limit", [0, -1, 1001])
def test_limit_out_of_range(market: SimulatedMarket, limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        market.klines("BTC", "USD", "1h", now_ms=NOW, limit=limit)


def test_limit_bounds_are_allowed(market: SimulatedMarket) -> None:
    assert len(market.klines("BTC", "USD", "3m", now_ms=NOW, limit=1)) == 1
    assert len(market.klines("BTC", "USD", "3m", now_ms=NOW, limit=1000)) == 1000


def test_start_after_end(market: SimulatedMarket) -> None:
    with pytest.raises(ValueError, match="start"):
        market.klines("BTC", "USD", "1h", now_ms=NOW, start_ms=NOW - HOUR, end_ms=NOW - 2 * HOUR)


def test_spot_array() -> None:
    kline = Kline(
        open_time=1_000,
        open=Decimal("65000.1"),
        high=Decimal("65100.123456789"),
        low=Decimal("64900"),
        close=Decimal("65050.005"),
        volume=Decimal("12.5"),
        close_time=180_999,
        quote_volume=Decimal("812345.678"),
        trades=42,
        taker_buy_base=Decimal("6.25"),
        taker_buy_quote=Decimal("406172.839"),
    )
    assert kline.as_spot_array(2, 8) == [
        1_000,
        "65000.10",
        "65100.12",
        "64900.00",
        "65050.00",
        "12.50000000",
        180_999,
        "812345.68",
        42,
        "6.25000000",
        "406172.84",
        "0",
    ]
    assert kline.as_spot_array(0, 0)[1:6] == ["65000", "65100", "64900", "65050", "12"]


def test_spot_array_from_the_market(market: SimulatedMarket) -> None:
    (kline,) = market.klines("XRP", "USD", "1h", now_ms=NOW, limit=1)
    row = kline.as_spot_array(8, 6)
    assert len(row) == 12
    assert isinstance(row[0], int) and isinstance(row[6], int) and isinstance(row[8], int)
    assert all(isinstance(row[i], str) for i in (1, 2, 3, 4, 5, 7, 9, 10, 11))
    assert Decimal(str(row[1])) == kline.open
    assert len(str(row[5]).split(".")[1]) == 6


def test_500_daily_klines() -> None:
    """Exercises the cold and warm paths of a long daily chart (timings are printed only)."""
    market = SimulatedMarket(1234)
    started = time.perf_counter()
    cold = market.klines("BTC", "EUR", "1d", now_ms=NOW, limit=500)
    warm_started = time.perf_counter()
    warm = market.klines("BTC", "EUR", "1d", now_ms=NOW, limit=500)
    finished = time.perf_counter()
    print(f"500 1d klines: cold {warm_started - started:.3f}s, warm {finished - warm_started:.3f}s")
    assert cold == warm
    assert len(cold) == 500
    assert cold[-1].open_time == NOW - NOW % DAY
    assert all(k.low <= k.open <= k.high and k.low <= k.close <= k.high for k in cold)
