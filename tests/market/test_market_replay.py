from decimal import Decimal
from pathlib import Path

import pytest

from binance_sandbox.market import (
    PriceSource,
    PriceUnavailable,
    ReplayMarket,
    SimulatedMarket,
    create_price_source,
)

MINUTE = 60_000
HOUR = 3_600_000
DAY = 86_400_000
T0 = 1_756_166_400_000  # a UTC midnight

ROWS = [
    (T0, "BTC", "USD", "60000"),
    (T0 + MINUTE, "BTC", "USD", "61000"),
    (T0 + 2 * MINUTE, "BTC", "USD", "59000.5"),
    (T0 + HOUR, "BTC", "USD", "62000"),
    (T0, "ETH", "EUR", "3000.123456789"),
]


def write_csv(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "prices.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def replay(tmp_path: Path) -> ReplayMarket:
    lines = ["time_ms,crypto,fiat,price"]
    # Out of order on purpose: the file need not be sorted.
    lines += [f"{t},{c},{f},{p}" for t, c, f, p in reversed(ROWS)]
    return ReplayMarket(write_csv(tmp_path, lines))


def test_is_a_price_source(replay: ReplayMarket) -> None:
    assert isinstance(replay, PriceSource)


def test_rows_and_interpolation(replay: ReplayMarket) -> None:
    assert replay.price("BTC", "USD", T0) == Decimal("60000")
    assert replay.price("BTC", "USD", T0 + MINUTE) == Decimal("61000")
    assert replay.price("BTC", "USD", T0 + MINUTE // 2) == Decimal("60500")
    assert replay.price("BTC", "USD", T0 + MINUTE // 4) == Decimal("60250")
    assert replay.price("BTC", "USD", T0 + MINUTE + 1) == Decimal("60999.96667500")
    # Between the third row and the fourth, 58 minutes apart.
    assert replay.price("BTC", "USD", T0 + 31 * MINUTE) == Decimal("60500.25")


def test_outside_the_rows_the_ends_hold(replay: ReplayMarket) -> None:
    assert replay.price("BTC", "USD", T0 - DAY) == Decimal("60000")
    assert replay.price("BTC", "USD", T0 + 10 * DAY) == Decimal("62000")
    assert replay.price("ETH", "EUR", 0) == Decimal("3000.12345679")


def test_prices_are_decimals_with_eight_places(replay: ReplayMarket) -> None:
    price = replay.price("ETH", "EUR", T0)
    assert type(price) is Decimal
    assert price.as_tuple().exponent == -8


def test_pair_not_in_file_is_unavailable(replay: ReplayMarket) -> None:
    with pytest.raises(PriceUnavailable):
        replay.price("BTC", "EUR", T0)
    with pytest.raises(PriceUnavailable):
        replay.price("ETH", "USD", T0)
    with pytest.raises(PriceUnavailable):
        replay.klines("SOL", "USD", "1h", now_ms=T0)
    with pytest.raises(PriceUnavailable):
        replay.ticker_24h("SOL", "USD", T0)


def test_klines(replay: ReplayMarket) -> None:
    now = T0 + HOUR + 30 * MINUTE
    first, second = replay.klines("BTC", "USD", "1h", now_ms=now, start_ms=T0)
    assert first.open_time == T0
    assert first.close_time == T0 + HOUR - 1
    assert first.open == Decimal("60000")
    # The close is on the way up to the next hour's 62000, and is the highest point.
    assert first.close == replay.price("BTC", "USD", T0 + HOUR - 1) == Decimal("61999.99913807")
    assert first.high == first.close
    assert first.low == Decimal("59000.5")
    assert first.trades == 3
    assert first.volume == first.quote_volume == first.taker_buy_base == 0
    assert second.open == second.close == second.high == second.low == Decimal("62000")
    assert second.trades == 1
    (day,) = replay.klines("BTC", "USD", "1d", now_ms=now, limit=1)
    assert (day.high, day.low, day.trades) == (Decimal("62000"), Decimal("59000.5"), 4)
    assert day.close == Decimal("62000")


def test_quotes_lie_within_their_kline(replay: ReplayMarket) -> None:
    now = T0 + 2 * HOUR
    for interval in ("3m", "1h", "1d"):
        for kline in replay.klines("BTC", "USD", interval, now_ms=now, start_ms=T0 - HOUR):
            for at_ms in range(kline.open_time, min(kline.close_time, now) + 1, 7_919):
                assert kline.low <= replay.price("BTC", "USD", at_ms) <= kline.high


def test_kline_window_rules_are_shared(replay: ReplayMarket) -> None:
    now = T0 + 5 * HOUR + 1
    sim = SimulatedMarket(0)
    for kwargs in ({}, {"start_ms": T0 - 3}, {"end_ms": T0 + 7}, {"start_ms": T0, "end_ms": now}):
        ours = replay.klines("BTC", "USD", "1h", now_ms=now, limit=4, **kwargs)
        theirs = sim.klines("BTC", "USD", "1h", now_ms=now, limit=4, **kwargs)
        assert [k.open_time for k in ours] == [k.open_time for k in theirs]
    with pytest.raises(ValueError, match="interval"):
        replay.klines("BTC", "USD", "2h", now_ms=now)
    with pytest.raises(ValueError, match="limit"):
        replay.klines("BTC", "USD", "1h", now_ms=now, limit=0)


def test_ticker(replay: ReplayMarket) -> None:
    ticker = replay.ticker_24h("BTC", "USD", T0 + 2 * MINUTE)
    assert ticker.open == Decimal("60000")
    assert ticker.last == Decimal("59000.5")
    assert ticker.high == Decimal("61000")
    assert ticker.low == Decimal("59000.5")
    assert ticker.change_percent == Decimal("-1.67")
    assert ticker.volume == ticker.quote_volume == 0


def test_case_and_spaces_are_normalized(tmp_path: Path) -> None:
    path = write_csv(tmp_path, ["time_ms,crypto,fiat,price", f"{T0}, btc , usd , 1.5 "])
    assert ReplayMarket(path).price("BTC", "USD", T0) == Decimal("1.5")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["time,crypto,fiat,price"], "header"),
        ([], "header"),
        (["time_ms,crypto,fiat,price", f"{T0},BTC,USD"], "fields"),
        (["time_ms,crypto,fiat,price", f"{T0},BTC,USD,abc"], "bad time or price"),
        (["time_ms,crypto,fiat,price", f"{T0}.5,BTC,USD,1"], "bad time or price"),
        (["time_ms,crypto,fiat,price", f"{T0},BTC,USD,-1"], "positive"),
        (["time_ms,crypto,fiat,price", f"{T0},BTC,USD,NaN"], "positive"),
        (["time_ms,crypto,fiat,price", f"{T0},,USD,1"], "empty"),
        (["time_ms,crypto,fiat,price", f"{T0},BTC,USD,1", f"{T0},BTC,USD,2"], "duplicate"),
    ],
)
def test_malformed_files(tmp_path: Path, lines: list[str], message: str) -> None:
    path = write_csv(tmp_path, lines) if lines else tmp_path / "empty.csv"
    if not lines:
        path.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        ReplayMarket(path)


def test_create_price_source(tmp_path: Path) -> None:
    simulated = create_price_source("simulated", 5)
    assert isinstance(simulated, SimulatedMarket)
    assert simulated.price("BTC", "USD", T0) == SimulatedMarket(5).price("BTC", "USD", T0)
    path = write_csv(tmp_path, ["time_ms,crypto,fiat,price", f"{T0},BTC,USD,2"])
    replay = create_price_source(f"replay:{path}", 5)
    assert isinstance(replay, ReplayMarket)
    assert replay.price("BTC", "USD", T0) == Decimal("2")


@pytest.mark.parametrize("spec", ["", "Simulated", "replay", "replay:", "random", "file:/x.csv"])
def test_create_price_source_rejects(spec: str) -> None:
    with pytest.raises(ValueError):
        create_price_source(spec, 0)


def test_create_price_source_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        create_price_source(f"replay:{tmp_path / 'nope.csv'}", 0)
