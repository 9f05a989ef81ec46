"""The request record: each answered request's metrics, its entry in the request log (what
the console shows) and its log line."""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

request_logger = logging.getLogger("binance_sandbox.requests")


@dataclass
class LoggedRequest:
    at: int
    family: str
    method: str
    path: str
    caller: str | None
    client_ip: str | None
    http_status: int
    code: str | None
    latency_ms: int
    explanation: str | None


@dataclass
class RequestLog:
    """Recent requests, kept in memory and flushed to the database in batches so that
    logging never adds a write to the request's own path."""

    capacity: int = 10_000
    pending: deque[LoggedRequest] = field(default_factory=deque)

    def add(self, entry: LoggedRequest) -> None:
        if len(self.pending) >= self.capacity:
            self.pending.popleft()
        self.pending.append(entry)

    def drain(self) -> list[LoggedRequest]:
        items = list(self.pending)
        self.pending.clear()
        return items


def client_host(request: Request) -> str | None:
    client = request.client
    return client.host if client else None


def record(
    request: Request,
    *,
    family: str,
    endpoint: str,
    started: float,
    http_status: int,
    code: str | None,
    caller: str | None = None,
    explanation: str | None = None,
) -> None:
    """`endpoint` is the route's path template, never the raw path: bounded label values."""
    state: Any = request.app.state
    elapsed = time.perf_counter() - started
    metrics = getattr(state, "metrics", None)
    if metrics is not None:
        metrics.observe_request(
            family=family, endpoint=endpoint, code=code, http_status=http_status, seconds=elapsed
        )
    request_log: RequestLog | None = getattr(state, "request_log", None)
    if request_log is None:
        return
    clock = getattr(state, "clock", None)
    entry = LoggedRequest(
        at=clock.now_ms() if clock else int(time.time() * 1000),
        family=family,
        method=request.method,
        path=request.scope["path"],
        caller=caller,
        client_ip=client_host(request),
        http_status=http_status,
        code=code,
        latency_ms=int(elapsed * 1000),
        explanation=explanation,
    )
    request_log.add(entry)
    request_logger.info(
        "%s %s %s %s",
        entry.method,
        entry.path,
        entry.http_status,
        entry.code,
        extra={
            "family": family,
            "method": entry.method,
            "path": entry.path,
            "endpoint": endpoint,
            "http_status": http_status,
            "code": code,
            "latency_ms": entry.latency_ms,
            "caller": caller,
        },
    )
