"""A chart of the request log: requests per time bucket as bars (errors stacked in red) and
the error rate as a line, as inline SVG over the sandbox clock (no script, no library).
Coordinates are computed in Decimal, like everything else that is measured here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fastapi import Request

from binance_sandbox.control.deps import request_log
from binance_sandbox.control.errors import Invalid

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 44, 28, 30
# The window shown, and the bucket each bar counts.
SPANS: dict[str, tuple[int, int]] = {
    "1h": (60_000, 60),  # one bar a minute
    "6h": (300_000, 72),  # one bar every five minutes
    "24h": (1_200_000, 72),  # one bar every twenty minutes
}


@dataclass(frozen=True)
class Bar:
    x: Decimal
    width: Decimal
    y: Decimal  # top of the bar of all requests
    height: Decimal
    error_y: Decimal  # top of the error part, at the bar's foot
    error_height: Decimal
    start_ms: int
    requests: int
    errors: int


@dataclass(frozen=True)
class RequestChart:
    width: int
    height: int
    top: int
    baseline: int
    left: int
    right: int
    bars: list[Bar]
    rate_path: str  # the error rate (right axis, 0–100 %) over the buckets that had requests
    rate_points: list[tuple[Decimal, Decimal, Decimal]]  # x, y, rate in percent
    peak: int
    requests: int
    errors: int
    first_ms: int
    last_ms: int
    bucket_ms: int


def request_chart(buckets: list[tuple[int, int, int]], bucket_ms: int) -> RequestChart:
    """`buckets`: (start ms, requests, errors), oldest first, one per bar."""
    plot_h = Decimal(HEIGHT - TOP - BOTTOM)
    step = Decimal(WIDTH - LEFT - RIGHT) / max(len(buckets), 1)
    width = round(step * Decimal("0.8"), 2)
    peak = max((n for _s, n, _e in buckets), default=0)
    scale = plot_h / peak if peak else Decimal(0)
    base = Decimal(HEIGHT - BOTTOM)
    bars: list[Bar] = []
    points: list[tuple[Decimal, Decimal, Decimal]] = []
    for i, (start, n, errors) in enumerate(buckets):
        x = round(LEFT + step * i + (step - width) / 2, 2)
        height = round(n * scale, 2)
        error_height = round(errors * scale, 2)
        bars.append(
            Bar(
                x=x,
                width=width,
                y=base - height,
                height=height,
                error_y=base - error_height,
                error_height=error_height,
                start_ms=start,
                requests=n,
                errors=errors,
            )
        )
        if n:
            rate = Decimal(errors) / n
            points.append(
                (round(x + width / 2, 2), round(base - rate * plot_h, 2), round(rate * 100, 1))
            )
    return RequestChart(
        width=WIDTH,
        height=HEIGHT,
        top=TOP,
        baseline=HEIGHT - BOTTOM,
        left=LEFT,
        right=WIDTH - RIGHT,
        bars=bars,
        rate_path=("M" + " L".join(f"{x},{y}" for x, y, _r in points)) if points else "",
        rate_points=points,
        peak=peak,
        requests=sum(n for _s, n, _e in buckets),
        errors=sum(e for _s, _n, e in buckets),
        first_ms=buckets[0][0] if buckets else 0,
        last_ms=buckets[-1][0] + bucket_ms if buckets else 0,
        bucket_ms=bucket_ms,
    )


async def chart_context(request: Request, family: str | None, span: str) -> dict[str, Any]:
    """What a page needs to show the chart: the last `span` up to the sandbox clock's now."""
    if span not in SPANS:
        raise Invalid(f"span must be {', '.join(SPANS)}.")
    bucket_ms, count = SPANS[span]
    now = request.app.state.platform.clock.now_ms()
    end = (now // bucket_ms + 1) * bucket_ms  # the bucket holding now is the last bar
    start = end - bucket_ms * count
    rows = await request_log(request).volume(
        start_ms=start, bucket_ms=bucket_ms, buckets=count, family=family
    )
    return {"traffic": request_chart(rows, bucket_ms), "span": span, "spans": list(SPANS)}
