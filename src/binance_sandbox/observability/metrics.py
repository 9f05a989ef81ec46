"""The sandbox's Prometheus metrics, rendered in the text exposition format 0.0.4.

One `Metrics` registry per app, created by the app factory and passed to whatever records
into it (the family route handler, the delivery worker). Label sets stay bounded: the
endpoint label is the route's path template, never the raw path. Requests are recorded from
the API's event loop and read by scrapes (and tests) from anywhere, so every change and
every render happens under one lock.

https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
"""

from __future__ import annotations

import bisect
import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from binance_sandbox.storage.db import Database
from binance_sandbox.storage.models import OutboxItem

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Seconds: most sandbox calls answer in a few milliseconds; the tail covers SQLite lock
# waits and slow outbound calls made while a request is handled.
REQUEST_BUCKETS: tuple[float, ...] = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)

DELIVERY_OUTCOMES = ("success", "retry", "gave_up")

Labels = tuple[tuple[str, str], ...]


def escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def format_labels(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{escape_label(v)}"' for k, v in labels) + "}"


def format_value(value: float) -> str:
    """A sample value (seconds, counts): Prometheus samples are floating point by definition."""
    if value == math.inf:
        return "+Inf"
    if value == int(value):
        return str(int(value))
    return repr(value)


@dataclass
class _Histogram:
    counts: list[int]  # per bucket, not cumulative; the last one is +Inf
    total: float = 0.0
    count: int = 0


@dataclass(frozen=True)
class OutboxSnapshot:
    pending: int
    oldest_due_seconds: float  # how long the most overdue pending item has been due


async def outbox_snapshot(db: Database, now_ms: int) -> OutboxSnapshot:
    """Queue depth read from the database when scraped, so it counts items written by any
    process (the API, a separate worker) and survives restarts."""
    async with db.read() as session:
        pending, oldest = (
            await session.execute(
                select(func.count(OutboxItem.id), func.min(OutboxItem.due_at)).where(
                    OutboxItem.status == "pending"
                )
            )
        ).one()
    overdue = max(0, now_ms - oldest) / 1000 if oldest is not None else 0.0
    return OutboxSnapshot(pending=int(pending), oldest_due_seconds=overdue)


class Metrics:
    """Counters, the request-latency histogram and the build info of one app."""

    def __init__(self, version: str, buckets: Sequence[float] = REQUEST_BUCKETS) -> None:
        self.version = version
        self.buckets = tuple(sorted(buckets))
        self._lock = threading.Lock()
        self._requests: defaultdict[Labels, int] = defaultdict(int)
        self._durations: dict[Labels, _Histogram] = {}
        self._deliveries: defaultdict[Labels, int] = defaultdict(int)

    def observe_request(
        self,
        *,
        family: str,
        endpoint: str,
        code: str | None,
        http_status: int,
        seconds: float,
    ) -> None:
        counted = (
            ("family", family),
            ("endpoint", endpoint),
            ("code", code or ""),
            ("http_status", str(http_status)),
        )
        timed = (("family", family), ("endpoint", endpoint))
        index = bisect.bisect_left(self.buckets, seconds)  # `le` is inclusive
        with self._lock:
            self._requests[counted] += 1
            histogram = self._durations.get(timed)
            if histogram is None:
                histogram = self._durations[timed] = _Histogram([0] * (len(self.buckets) + 1))
            histogram.counts[index] += 1
            histogram.total += seconds
            histogram.count += 1

    def count_delivery(self, *, family: str, outcome: str) -> None:
        if outcome not in DELIVERY_OUTCOMES:
            raise ValueError(f"unknown delivery outcome {outcome!r}")
        with self._lock:
            self._deliveries[(("family", family), ("outcome", outcome))] += 1

    def render(self, outbox: OutboxSnapshot | None = None) -> str:
        with self._lock:
            lines: list[str] = []
            lines += _family(
                "bsx_requests_total",
                "counter",
                "API requests handled, by family, route template, family code and HTTP status.",
                sorted(self._requests.items()),
            )
            lines += self._render_durations()
            lines += _family(
                "bsx_webhook_deliveries_total",
                "counter",
                "Webhook delivery attempts by outcome (success, retry, gave_up).",
                sorted(self._deliveries.items()),
            )
        if outbox is not None:
            lines += _family(
                "bsx_outbox_pending",
                "gauge",
                "Outbox items (webhooks and jobs) waiting to be carried out.",
                [((), outbox.pending)],
            )
            lines += _family(
                "bsx_outbox_oldest_due_seconds",
                "gauge",
                "Sandbox seconds the most overdue pending outbox item has been due.",
                [((), outbox.oldest_due_seconds)],
            )
        lines += _family(
            "bsx_build_info",
            "gauge",
            "The running binance-sandbox version.",
            [((("version", self.version),), 1)],
        )
        return "\n".join(lines) + "\n"

    def _render_durations(self) -> list[str]:
        name = "bsx_request_duration_seconds"
        lines = [
            f"# HELP {name} API request latency in seconds, by family and route template.",
            f"# TYPE {name} histogram",
        ]
        bounds = [*self.buckets, math.inf]
        for labels, histogram in sorted(self._durations.items()):
            cumulative = 0
            for bound, count in zip(bounds, histogram.counts, strict=True):
                cumulative += count
                le = format_labels((*labels, ("le", format_value(bound))))
                lines.append(f"{name}_bucket{le} {cumulative}")
            lines.append(f"{name}_sum{format_labels(labels)} {format_value(histogram.total)}")
            lines.append(f"{name}_count{format_labels(labels)} {histogram.count}")
        return lines


def _family(
    name: str, kind: str, help_text: str, samples: Iterable[tuple[Labels, float]]
) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    lines += [f"{name}{format_labels(labels)} {format_value(value)}" for labels, value in samples]
    return lines
