"""The default price source: a deterministic, seeded simulated market.

Each crypto's USD path is defined at every minute point (`path.py`) and is linear in price
between them, so a price exists at every millisecond and moves continuously. A fiat price
is the USD price times the fiat's `usd_rate`, quantized to 8 places (half-even).

Klines and tickers are read from the same path as quotes: a kline's open and close are the
prices at its open time and at min(close time, now); its high and low are the extremes of
the minute points inside it (up to now) and of its open and close. Because the conversions
from the integer path to prices are monotone, the extremes are taken on integer logs and
only they are turned into prices, and `price(t)` for any `t` inside a kline lies in its
`[low, high]`.
"""

from __future__ import annotations

from decimal import Decimal

from binance_sandbox.market.assets import CRYPTOS, PAY_FIATS
from binance_sandbox.market.decimals import AMOUNT_PLACES, convert, from_atoms, interpolate
from binance_sandbox.market.path import CryptoPath, Span
from binance_sandbox.market.source import (
    DAY_MS,
    MINUTE_MS,
    Kline,
    PriceUnavailable,
    Ticker24h,
    interval_ms,
    kline_open_times,
    make_kline,
    make_ticker,
)


class SimulatedMarket:
    """A `PriceSource` whose prices depend only on `seed`, the pair and the time asked."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._paths = {symbol: CryptoPath(asset, seed) for symbol, asset in CRYPTOS.items()}

    def _pair(self, crypto: str, fiat: str) -> tuple[CryptoPath, Decimal]:
        path = self._paths.get(crypto)
        currency = PAY_FIATS.get(fiat)  # every fiat the sandbox prices
        if path is None or currency is None:
            raise PriceUnavailable(f"the simulated market does not price {crypto}/{fiat}")
        return path, currency.usd_rate

    @staticmethod
    def _usd_at(path: CryptoPath, at_ms: int) -> Decimal:
        minute, offset = divmod(at_ms, MINUTE_MS)
        before = path.usd(path.log_at(minute))
        if offset == 0:
            return before
        return interpolate(before, path.usd(path.log_at(minute + 1)), offset, MINUTE_MS)

    def price(self, crypto: str, fiat: str, at_ms: int) -> Decimal:
        path, rate = self._pair(crypto, fiat)
        return convert(self._usd_at(path, at_ms), rate)

    @staticmethod
    def _extremes(
        path: CryptoPath, start_ms: int, end_ms: int
    ) -> tuple[Decimal, Decimal, Decimal, Decimal, Span]:
        """USD open, high, low, close over `[start_ms, end_ms]`, and its minute points' span.

        The span holds at least one minute point. The open and close come from the span's
        first and last points and their outer neighbours, which are on hour boundaries for
        whole klines, so a cached day answers without rebuilding its hours.
        """
        first_minute, start_offset = divmod(start_ms, MINUTE_MS)
        if start_offset:
            first_minute += 1
        last_minute, end_offset = divmod(end_ms, MINUTE_MS)
        span = path.span(first_minute, last_minute)
        open_ = path.usd(span.first_log)
        if start_offset:
            before = path.usd(path.log_at(first_minute - 1))
            open_ = interpolate(before, open_, start_offset, MINUTE_MS)
        close = path.usd(span.last_log)
        if end_offset:
            after = path.usd(path.log_at(last_minute + 1))
            close = interpolate(close, after, end_offset, MINUTE_MS)
        high = max(path.usd(span.high_log), open_, close)
        low = min(path.usd(span.low_log), open_, close)
        return open_, high, low, close, span

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
        path, rate = self._pair(crypto, fiat)
        result = []
        for open_time in opens:
            end = min(open_time + step - 1, now_ms)
            open_, high, low, close, span = self._extremes(path, open_time, end)
            result.append(
                make_kline(
                    open_time=open_time,
                    interval=step,
                    open_=convert(open_, rate),
                    high=convert(high, rate),
                    low=convert(low, rate),
                    close=convert(close, rate),
                    volume=from_atoms(span.volume, AMOUNT_PLACES),
                    trades=span.trades,
                    taker_buy_base=from_atoms(span.taker_buy, AMOUNT_PLACES),
                )
            )
        return result

    def ticker_24h(self, crypto: str, fiat: str, now_ms: int) -> Ticker24h:
        path, rate = self._pair(crypto, fiat)
        open_, high, low, last, span = self._extremes(path, now_ms - DAY_MS, now_ms)
        return make_ticker(
            open_=convert(open_, rate),
            high=convert(high, rate),
            low=convert(low, rate),
            last=convert(last, rate),
            volume=from_atoms(span.volume, AMOUNT_PLACES),
        )
