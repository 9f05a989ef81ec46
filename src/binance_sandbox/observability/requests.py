"""The request log as the control API and the console read it: its entries (a rejected
signature's with what the server expected to be signed), and its volume per time bucket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from binance_sandbox.admin_errors import NotFound
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.models import RequestLog as RequestLogRow


def entry_out(r: RequestLogRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "at": r.at,
        "family": r.family,
        "method": r.method,
        "path": r.path,
        "caller": r.caller,
        "clientIp": r.client_ip,
        "httpStatus": r.http_status,
        "code": r.code,
        "latencyMs": r.latency_ms,
        "explanation": r.explanation,
    }


class RequestLogViews:
    """Reads of the request log; `flush` writes what this process holds back first, so a
    request just answered is in what is read."""

    def __init__(self, db: Database, flush: Callable[[], Awaitable[None]]) -> None:
        self.db = db
        self.flush = flush

    async def entries(
        self, *, family: str | None, caller: str | None, code: str | None, limit: int
    ) -> list[dict[str, Any]]:
        await self.flush()
        stmt = select(RequestLogRow)
        if family:
            stmt = stmt.where(RequestLogRow.family == family)
        if caller:
            stmt = stmt.where(RequestLogRow.caller == caller)
        if code:
            stmt = stmt.where(RequestLogRow.code == code)
        async with self.db.read() as session:
            rows = (
                await session.execute(stmt.order_by(RequestLogRow.id.desc()).limit(limit))
            ).scalars()
            return [entry_out(r) for r in rows]

    async def entry(self, request_id: int) -> dict[str, Any]:
        """One entry (with a rejected signature's explanation)."""
        await self.flush()
        async with self.db.read() as session:
            r = (
                await session.execute(select(RequestLogRow).where(RequestLogRow.id == request_id))
            ).scalar_one_or_none()
            if r is None:
                raise NotFound(f"No request {request_id} in the log.")
            return entry_out(r)

    async def volume(
        self, *, start_ms: int, bucket_ms: int, buckets: int, family: str | None
    ) -> list[tuple[int, int, int]]:
        """(bucket start, requests, errors) for each bucket from `start_ms`, oldest first. An
        error is an HTTP status of 400 or more, or a family code other than success (wapi and
        Connect answer some refusals with HTTP 200)."""
        await self.flush()
        end_ms = start_ms + bucket_ms * buckets
        bucket = ((RequestLogRow.at - start_ms) // bucket_ms).label("bucket")
        failed = or_(
            RequestLogRow.http_status >= 400,
            and_(RequestLogRow.code.is_not(None), RequestLogRow.code != "000000"),
        )
        stmt = (
            select(bucket, func.count(), func.sum(case((failed, 1), else_=0)))
            .where(RequestLogRow.at >= start_ms, RequestLogRow.at < end_ms)
            .group_by(bucket)
        )
        if family:
            stmt = stmt.where(RequestLogRow.family == family)
        async with self.db.read() as session:
            counts = {int(b): (int(n), int(e or 0)) for b, n, e in (await session.execute(stmt))}
        return [
            (start_ms + i * bucket_ms, *counts.get(i, (0, 0)))
            for i in range(buckets)  # every bucket, the empty ones too
        ]
