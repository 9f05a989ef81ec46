"""One crypto's simulated USD price path, computed in integer log space.

Why integers: the path must be identical in every process, on every run and on every
platform, and floats give no such promise once `math.log`/`math.exp` or a different libm
are involved. So the path is a log-deviation from the asset's reference price, in integer
units of `10**-12` (natural log), built only from integer arithmetic on bytes of
`hashlib.blake2b` digests keyed by `(seed, crypto, ...)` (never `hash()`, which is salted
per process). The one step into prices is `Decimal.exp`, which is correctly rounded by
specification and therefore the same everywhere.

The shape, at minute resolution:
- hourly levels are value noise: five octaves (6 h, 1 d, 1 w, 30 d, 90 d) of uniform
  knots linearly interpolated, amplitudes growing like the square root of the period, so
  the path behaves like a random walk at every scale but stays stationary around the
  reference (within `band`, a factor of at most 3; USDT within 0.99-1.01 USD);
- inside each hour, a Brownian bridge of 60 one-minute steps between the two levels, its
  steps taken from the bytes of one digest;
- per-minute volume from a second digest, with an hourly intensity; the taker-buy share of
  a minute leans with its price move; trades scale with volume (see `HourPath`).

What a kline needs over a run of minutes (first/last/high/low log, volume, taker volume,
trades) is summed with C-level `sum`/`max` over an hour's arrays, and cached per UTC day,
so long daily ranges are cheap: building an hour is O(60) in C, not in Python bytecode.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache, partial
from itertools import accumulate, repeat
from operator import add, mul

from binance_sandbox.market.assets import CryptoAsset
from binance_sandbox.market.decimals import CONTEXT, quantize_price

LOG_PLACES = 12
LOG_SCALE = 10**LOG_PLACES
MINUTES_PER_HOUR = 60
HOURS_PER_DAY = 24
MINUTES_PER_DAY = MINUTES_PER_HOUR * HOURS_PER_DAY

_OCTAVE_HOURS = (6, 24, 168, 720, 2160)
_KNOT_BITS = 31
_KNOT_HALF = 1 << _KNOT_BITS
# The band is `_BAND_PER_VOLATILITY` daily volatilities, at most a factor of 3; the value
# noise uses `_LEVEL_SHARE` of it, leaving the rest as headroom for the minute bridges.
_BAND_PER_VOLATILITY = 18
_LEVEL_SHARE = Decimal("0.9")
# A step is (2*byte - 255): mean 0, variance (256**2 - 1) / 3.
_STEP_VARIANCE = (256**2 - 1) // 3
# Typical traded notional per hour, in USD; the per-minute volume averages this.
_HOURLY_NOTIONAL_USD: dict[str, Decimal] = {
    "BTC": Decimal("2000000"),
    "ETH": Decimal("1500000"),
    "BNB": Decimal("400000"),
    "USDT": Decimal("5000000"),
    "SOL": Decimal("500000"),
    "XRP": Decimal("300000"),
}
_DEFAULT_HOURLY_NOTIONAL_USD = Decimal("200000")


@dataclass(frozen=True, slots=True)
class Span:
    """What a run of minute points adds up to; volumes in atoms of 1e-8 of the crypto."""

    first_log: int
    last_log: int
    high_log: int
    low_log: int
    volume: int
    taker_buy: int
    trades: int


def merge(spans: list[Span]) -> Span:
    """Consecutive spans, in order, as one."""
    return Span(
        first_log=spans[0].first_log,
        last_log=spans[-1].last_log,
        high_log=max(span.high_log for span in spans),
        low_log=min(span.low_log for span in spans),
        volume=sum(span.volume for span in spans),
        taker_buy=sum(span.taker_buy for span in spans),
        trades=sum(span.trades for span in spans),
    )


class HourPath:
    """One hour of the path: log points for minutes 0..60 (60 is the next hour's first).

    Per-minute amounts are products of per-hour integers and bytes of the hour's digests,
    so that any run of minutes adds up with C-level sums over byte slices:
    volume(i) = volume_unit * (64 + volume_bytes[i]),
    taker_buy(i) = taker_unit * (64 + volume_bytes[i]) * (384 + step_bytes[i]) (37.5 % to
    62.4 % of a minute's volume, more when the minute rises), and
    trades(i) = 1 + trades_unit * (64 + volume_bytes[i]).
    """

    __slots__ = (
        "logs",
        "step_bytes",
        "taker_unit",
        "trades_unit",
        "volume_bytes",
        "volume_unit",
        "whole",
    )

    def __init__(
        self,
        logs: list[int],
        step_bytes: bytes,
        volume_bytes: bytes,
        volume_unit: int,
        taker_unit: int,
        trades_unit: int,
    ) -> None:
        self.logs = array("q", logs)  # a quarter of a list's memory
        self.step_bytes = step_bytes
        self.volume_bytes = volume_bytes
        self.volume_unit = volume_unit
        self.taker_unit = taker_unit
        self.trades_unit = trades_unit
        self.whole = self._sum(logs[:MINUTES_PER_HOUR], 0, MINUTES_PER_HOUR - 1)

    def span(self, first: int, last: int) -> Span:
        """Minutes `first..last` of this hour, inclusive (0 <= first <= last <= 59)."""
        if first == 0 and last == MINUTES_PER_HOUR - 1:
            return self.whole
        return self._sum(self.logs[first : last + 1], first, last)

    def _sum(self, points: Sequence[int], first: int, last: int) -> Span:
        count = last - first + 1
        volumes = self.volume_bytes[first : last + 1]
        steps = self.step_bytes[first : last + 1]
        volume_sum = sum(volumes)
        volume_weight = 64 * count + volume_sum
        taker_weight = (
            sum(map(mul, volumes, steps)) + 384 * volume_sum + 64 * sum(steps) + 64 * 384 * count
        )
        return Span(
            first_log=points[0],
            last_log=points[-1],
            high_log=max(points),
            low_log=min(points),
            volume=self.volume_unit * volume_weight,
            taker_buy=self.taker_unit * taker_weight,
            trades=count + self.trades_unit * volume_weight,
        )


def _to_int(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_EVEN, context=CONTEXT))


class CryptoPath:
    """The path of one crypto under one seed. Minute `m` is the instant `m * 60_000` ms."""

    def __init__(self, asset: CryptoAsset, seed: int) -> None:
        self._asset = asset
        self._prefix = f"bsx-market/{seed}/{asset.symbol}/"
        ctx = CONTEXT
        band = min(
            ctx.multiply(asset.volatility, Decimal(_BAND_PER_VOLATILITY)), Decimal(3).ln(ctx)
        )
        self.band = _to_int(ctx.multiply(band, Decimal(LOG_SCALE)))
        weights = [ctx.divide(Decimal(hours), Decimal(24)).sqrt(ctx) for hours in _OCTAVE_HOURS]
        total = sum(weights, Decimal(0))
        level_band = ctx.multiply(ctx.multiply(band, _LEVEL_SHARE), Decimal(LOG_SCALE))
        self._amplitudes = [
            _to_int(ctx.divide(ctx.multiply(level_band, weight), total)) for weight in weights
        ]
        # One minute's step: daily volatility / sqrt(minutes per day), per unit of byte step.
        step_sd = ctx.multiply(Decimal(MINUTES_PER_DAY), Decimal(_STEP_VARIANCE)).sqrt(ctx)
        self._step = max(
            1, _to_int(ctx.divide(ctx.multiply(asset.volatility, Decimal(LOG_SCALE)), step_sd))
        )
        notional = _HOURLY_NOTIONAL_USD.get(asset.symbol, _DEFAULT_HOURLY_NOTIONAL_USD)
        per_minute = ctx.divide(notional, ctx.multiply(asset.usd_price, Decimal(60)))
        self._minute_atoms = max(1, _to_int(ctx.multiply(per_minute, Decimal(10**8))))
        self._level = lru_cache(maxsize=4_096)(self._compute_level)
        self._knot = lru_cache(maxsize=16_384)(self._compute_knot)
        self._hour = lru_cache(maxsize=8_192)(self._compute_hour)
        self._day = lru_cache(maxsize=32_768)(self._compute_day)
        self._usd = lru_cache(maxsize=16_384)(self._compute_usd)

    def usd(self, log: int) -> Decimal:
        """The USD price at a log deviation: reference * exp(log), quantized to 8 places."""
        return self._usd(log)

    def _digest(self, kind: str, index: int, size: int) -> bytes:
        key = f"{self._prefix}{kind}/{index}".encode()
        return hashlib.blake2b(key, digest_size=size).digest()

    def _compute_knot(self, octave: int, index: int) -> int:
        """A uniform integer in [-2**31, 2**31)."""
        raw = int.from_bytes(self._digest(f"knot{octave}", index, 4), "big")
        return raw - _KNOT_HALF

    def _compute_level(self, hour: int) -> int:
        """The log deviation at the start of `hour`: the value noise, within 0.9 * band."""
        total = 0
        for octave, (period, amplitude) in enumerate(
            zip(_OCTAVE_HOURS, self._amplitudes, strict=True)
        ):
            index, offset = divmod(hour, period)
            k0 = self._knot(octave, index)
            k1 = self._knot(octave, index + 1) if offset else k0
            total += amplitude * (k0 * (period - offset) + k1 * offset) // (period * _KNOT_HALF)
        return total

    def _compute_hour(self, hour: int) -> HourPath:
        """A Brownian bridge of 60 one-minute steps from `level(hour)` to `level(hour + 1)`.

        A step is `step * (2 * byte - 255)` plus the hour's share of the drift that pins the
        end; the drift's remainder (< 60 units of 1e-12) goes to the last step. Built with
        `map`/`accumulate` so an hour costs a few microseconds.
        """
        start, end = self._level(hour), self._level(hour + 1)
        steps = self._digest("bridge", hour, 64)[:MINUTES_PER_HOUR]
        step = self._step
        walked = step * (2 * sum(steps) - 255 * MINUTES_PER_HOUR)
        share, remainder = divmod(end - start - walked, MINUTES_PER_HOUR)
        increments = list(map(add, map(partial(mul, 2 * step), steps), repeat(share - 255 * step)))
        increments[-1] += remainder
        logs = list(accumulate(increments, initial=start))
        band = self.band
        if max(logs) > band or min(logs) < -band:
            logs = [min(band, max(-band, value)) for value in logs]

        noise = self._digest("volume", hour, 64)
        intensity = (1 << 15) + int.from_bytes(noise[60:62], "big")  # 0.5x .. 1.5x of 2**16
        volume_unit = self._minute_atoms * intensity // (1 << 16) // 192
        return HourPath(
            logs=logs,
            step_bytes=steps,
            volume_bytes=noise[:MINUTES_PER_HOUR],
            volume_unit=volume_unit,
            taker_unit=volume_unit // 1024,
            trades_unit=1 + noise[62] % 3,
        )

    def _compute_day(self, day: int) -> Span:
        first = day * HOURS_PER_DAY
        last = MINUTES_PER_HOUR - 1
        return merge([self._hour(first + h).span(0, last) for h in range(HOURS_PER_DAY)])

    def log_at(self, minute: int) -> int:
        hour, index = divmod(minute, MINUTES_PER_HOUR)
        if index == 0:
            return self._level(hour)  # the bridge starts exactly there; no need to build it
        return self._hour(hour).logs[index]

    def span(self, first: int, last: int) -> Span:
        """Minute points `first..last`, inclusive (first <= last)."""
        if first > last:
            raise ValueError("empty span of minutes")
        parts: list[Span] = []
        minute = first
        while minute <= last:
            if minute % MINUTES_PER_DAY == 0 and minute + MINUTES_PER_DAY - 1 <= last:
                parts.append(self._day(minute // MINUTES_PER_DAY))
                minute += MINUTES_PER_DAY
                continue
            hour, index = divmod(minute, MINUTES_PER_HOUR)
            stop = min(MINUTES_PER_HOUR - 1, last - hour * MINUTES_PER_HOUR)
            parts.append(self._hour(hour).span(index, stop))
            minute = hour * MINUTES_PER_HOUR + stop + 1
        return parts[0] if len(parts) == 1 else merge(parts)

    def _compute_usd(self, log: int) -> Decimal:
        exponent = Decimal(log).scaleb(-LOG_PLACES, context=CONTEXT)
        return quantize_price(CONTEXT.multiply(self._asset.usd_price, exponent.exp(CONTEXT)))
