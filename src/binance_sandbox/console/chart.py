"""A price chart as inline SVG, from the market's klines (no script, no library)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from binance_sandbox.market.source import Kline

WIDTH, HEIGHT, PAD = 720, 240, 36


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    path: str  # the close-price polyline
    candles: list[
        tuple[Decimal, Decimal, Decimal, Decimal, Decimal, bool]
    ]  # x, yHigh, yLow, yOpen, yClose
    low: Decimal
    high: Decimal
    last: Decimal
    first_ms: int
    last_ms: int


def price_chart(klines: list[Kline]) -> Chart | None:
    if not klines:
        return None
    low = min(k.low for k in klines)
    high = max(k.high for k in klines)
    span = (high - low) or Decimal(1)
    step = Decimal(WIDTH - 2 * PAD) / max(len(klines), 1)

    def y(price: Decimal) -> Decimal:
        # Pixel coordinates only; computed in Decimal like everything priced.
        return round(PAD + (high - price) / span * (HEIGHT - 2 * PAD), 2)

    points: list[str] = []
    candles: list[tuple[Decimal, Decimal, Decimal, Decimal, Decimal, bool]] = []
    for i, k in enumerate(klines):
        x = round(PAD + step * (i + Decimal("0.5")), 2)
        points.append(f"{x},{y(k.close)}")
        candles.append((x, y(k.high), y(k.low), y(k.open), y(k.close), k.close >= k.open))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        path="M" + " L".join(points),
        candles=candles,
        low=low,
        high=high,
        last=klines[-1].close,
        first_ms=klines[0].open_time,
        last_ms=klines[-1].close_time,
    )
