"""What a price source gives: mid prices, klines and 24 h tickers, and the kline window rules
every source shares.

Kline windows follow Binance spot `GET /api/v3/klines`: open times are aligned to the
interval from the Unix epoch (UTC); with `start_ms` and/or `end_ms`, the klines whose open
time lies in `[start_ms, end_ms]`, the first `limit` of them when `start_ms` is given and
the last `limit` when only `end_ms` is; with neither, the last `limit` up to `now_ms`. No
kline opens after `now_ms`, and the last one may be partial (it closes at `now_ms`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, runtime_checkable

from binance_sandbox.market.decimals import change_percent, fixed, times, typical_price

MINUTE_MS = 60_000
DAY_MS = 86_400_000
INTERVALS: dict[str, int] = {"3m": 180_000, "1h": 3_600_000, "1d": DAY_MS}
MAX_KLINES = 1000


class PriceUnavailable(Exception):
    """The source cannot price this pair at this time."""


@dataclass(frozen=True)
class Kline:
    open_time: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    close_time: int
    quote_volume: Decimal
    trades: int
    taker_buy_base: Decimal
    taker_buy_quote: Decimal

    def as_spot_array(self, price_places: int, qty_places: int) -> list[object]:
        """Binance spot's 12-element kline array.

        Prices and quote amounts (`quoteVolume`, `takerBuyQuote`) use `price_places`; base
        amounts (`volume`, `takerBuyBase`) use `qty_places`.
        """
        return [
            self.open_time,
            fixed(self.open, price_places),
            fixed(self.high, price_places),
            fixed(self.low, price_places),
            fixed(self.close, price_places),
            fixed(self.volume, qty_places),
            self.close_time,
            fixed(self.quote_volume, price_places),
            self.trades,
            fixed(self.taker_buy_base, qty_places),
            fixed(self.taker_buy_quote, price_places),
            "0",
        ]


@dataclass(frozen=True)
class Ticker24h:
    open: Decimal
    high: Decimal
    low: Decimal
    last: Decimal
    change_percent: Decimal
    volume: Decimal
    quote_volume: Decimal


@runtime_checkable
class PriceSource(Protocol):
    def price(self, crypto: str, fiat: str, at_ms: int) -> Decimal:
        """The mid price, fiat per 1 crypto, at `at_ms`."""
        ...

    def klines(
        self,
        crypto: str,
        fiat: str,
        interval: str,
        *,
        now_ms: int,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 500,
    ) -> list[Kline]: ...

    def ticker_24h(self, crypto: str, fiat: str, now_ms: int) -> Ticker24h: ...


def interval_ms(interval: str) -> int:
    try:
        return INTERVALS[interval]
    except KeyError:
        raise ValueError(
            f"unknown kline interval {interval!r}; expected one of {', '.join(INTERVALS)}"
        ) from None


def kline_open_times(
    interval: str,
    *,
    now_ms: int,
    start_ms: int | None = None,
    end_ms: int | None = None,
    limit: int = 500,
) -> range:
    """The open times of the klines a request selects (see the module docstring).

    Raises ValueError for an unknown interval, a limit outside 1..1000, or start > end.
    """
    step = interval_ms(interval)
    if not 1 <= limit <= MAX_KLINES:
        raise ValueError(f"limit must be between 1 and {MAX_KLINES}, got {limit}")
    if start_ms is not None and end_ms is not None and start_ms > end_ms:
        raise ValueError("start time is greater than end time")
    last_open = min(now_ms, end_ms) if end_ms is not None else now_ms
    last_open -= last_open % step
    if start_ms is not None:
        first_open = -(-start_ms // step) * step
        last_open = min(last_open, first_open + (limit - 1) * step)
    else:
        first_open = last_open - (limit - 1) * step
    return range(first_open, last_open + 1, step)


def make_kline(
    *,
    open_time: int,
    interval: int,
    open_: Decimal,
    high: Decimal,
    low: Decimal,
    close: Decimal,
    volume: Decimal,
    trades: int,
    taker_buy_base: Decimal,
) -> Kline:
    """A kline whose quote amounts are the base amounts at the kline's typical price."""
    typical = typical_price(open_, high, low, close)
    return Kline(
        open_time=open_time,
        open=open_,
        high=high,
        low=low,
        close=close,
        volume=volume,
        close_time=open_time + interval - 1,
        quote_volume=times(volume, typical),
        trades=trades,
        taker_buy_base=taker_buy_base,
        taker_buy_quote=times(taker_buy_base, typical),
    )


def make_ticker(
    *, open_: Decimal, high: Decimal, low: Decimal, last: Decimal, volume: Decimal
) -> Ticker24h:
    return Ticker24h(
        open=open_,
        high=high,
        low=low,
        last=last,
        change_percent=change_percent(open_, last),
        volume=volume,
        quote_volume=times(volume, typical_price(open_, high, low, last)),
    )
