"""A price source that replays prices from a CSV file.

The file has the header `time_ms,crypto,fiat,price` and one row per observed mid price
(`price` a decimal string, fiat per 1 crypto; quantized to 8 places on load). Between two
rows of a pair the price is linear in time; before the first row it is the first price and
after the last row the last one. A pair with no rows raises `PriceUnavailable`.

Klines and tickers follow the simulated market's rules with the rows in place of minute
points: open and close are the interpolated prices at the kline's open time and at
min(close time, now), high and low the extremes of the rows inside and of open and close.
A replay file carries no volume: volumes are zero, and `trades` counts the rows.
"""

from __future__ import annotations

import csv
import os
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from binance_sandbox.market.decimals import interpolate, quantize_price
from binance_sandbox.market.source import (
    DAY_MS,
    Kline,
    PriceUnavailable,
    Ticker24h,
    interval_ms,
    kline_open_times,
    make_kline,
    make_ticker,
)

HEADER = ["time_ms", "crypto", "fiat", "price"]
_ZERO = Decimal("0E-8")


@dataclass
class _Series:
    times: list[int] = field(default_factory=list)
    prices: list[Decimal] = field(default_factory=list)

    def price_at(self, at_ms: int) -> Decimal:
        after = bisect_right(self.times, at_ms)
        if after == 0:
            return self.prices[0]
        if after == len(self.times) or self.times[after - 1] == at_ms:
            return self.prices[after - 1]
        t0, t1 = self.times[after - 1], self.times[after]
        return interpolate(self.prices[after - 1], self.prices[after], at_ms - t0, t1 - t0)

    def window(self, start_ms: int, end_ms: int) -> tuple[Decimal, Decimal, Decimal, Decimal, int]:
        """Open, high, low, close over `[start_ms, end_ms]`, and how many rows lie in it."""
        first, stop = bisect_left(self.times, start_ms), bisect_right(self.times, end_ms)
        open_, close = self.price_at(start_ms), self.price_at(end_ms)
        inside = self.prices[first:stop]
        high = max([open_, close, *inside])
        low = min([open_, close, *inside])
        return open_, high, low, close, stop - first


def _parse_row(row: list[str], line: int) -> tuple[int, str, str, Decimal]:
    if len(row) != len(HEADER):
        raise ValueError(f"line {line}: expected {len(HEADER)} fields, got {len(row)}")
    time_text, crypto, fiat, price_text = (cell.strip() for cell in row)
    try:
        at_ms = int(time_text)
        price = Decimal(price_text)
    except (ValueError, InvalidOperation):
        raise ValueError(f"line {line}: bad time or price in {row!r}") from None
    if not price.is_finite() or price <= 0:
        raise ValueError(f"line {line}: price must be a positive decimal, got {price_text!r}")
    if not crypto or not fiat:
        raise ValueError(f"line {line}: crypto and fiat must not be empty")
    return at_ms, crypto.upper(), fiat.upper(), quantize_price(price)


def _load(path: str | os.PathLike[str]) -> dict[tuple[str, str], _Series]:
    rows: dict[tuple[str, str], dict[int, Decimal]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [cell.strip() for cell in header] != HEADER:
            raise ValueError(f"{os.fspath(path)}: the header must be {','.join(HEADER)}")
        for row in reader:
            if not row:
                continue
            at_ms, crypto, fiat, price = _parse_row(row, reader.line_num)
            pair = rows.setdefault((crypto, fiat), {})
            if at_ms in pair:
                line = reader.line_num
                raise ValueError(f"line {line}: duplicate time {at_ms} for {crypto}/{fiat}")
            pair[at_ms] = price
    series: dict[tuple[str, str], _Series] = {}
    for key, by_time in rows.items():
        ordered = sorted(by_time.items())
        series[key] = _Series([t for t, _ in ordered], [p for _, p in ordered])
    return series


class ReplayMarket:
    """A `PriceSource` reading its prices from a CSV file (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._series = _load(path)

    def _pair(self, crypto: str, fiat: str) -> _Series:
        series = self._series.get((crypto, fiat))
        if series is None:
            raise PriceUnavailable(f"{self.path} has no prices for {crypto}/{fiat}")
        return series

    def price(self, crypto: str, fiat: str, at_ms: int) -> Decimal:
        return self._pair(crypto, fiat).price_at(at_ms)

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
    ) -> list[Kline]:
        opens = kline_open_times(
            interval, now_ms=now_ms, start_ms=start_ms, end_ms=end_ms, limit=limit
        )
        step = interval_ms(interval)
        series = self._pair(crypto, fiat)
        result = []
        for open_time in opens:
            open_, high, low, close, rows = series.window(
                open_time, min(open_time + step - 1, now_ms)
            )
            result.append(
                make_kline(
                    open_time=open_time,
                    interval=step,
                    open_=open_,
                    high=high,
                    low=low,
                    close=close,
                    volume=_ZERO,
                    trades=rows,
                    taker_buy_base=_ZERO,
                )
            )
        return result

    def ticker_24h(self, crypto: str, fiat: str, now_ms: int) -> Ticker24h:
        open_, high, low, last, _ = self._pair(crypto, fiat).window(now_ms - DAY_MS, now_ms)
        return make_ticker(open_=open_, high=high, low=low, last=last, volume=_ZERO)
