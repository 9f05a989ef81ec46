"""The request log's flush: one executemany of the pending entries, written as they are."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from binance_sandbox.config import load_settings
from binance_sandbox.platform import open_platform
from binance_sandbox.storage.models import RequestLog as RequestLogRow
from binance_sandbox.web import LoggedRequest
from sandbox_harness import create_database


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    made, drop = create_database(tmp_path, "requestlog")
    try:
        yield made
    finally:
        drop()


def entry(i: int, **changes: object) -> LoggedRequest:
    values: dict[str, object] = {
        "at": 1_700_000_000_000 + i,
        "family": "pay",
        "method": "POST",
        "path": "/binancepay/openapi/v2/order/query",
        "caller": f"merchant{i}",
        "client_ip": "127.0.0.1",
        "http_status": 200,
        "code": "000000",
        "latency_ms": i,
        "explanation": None,
    }
    values.update(changes)
    return LoggedRequest(**values)  # type: ignore[arg-type]


def test_the_flush_writes_every_pending_entry_as_it_is(url: str) -> None:
    entries = [
        entry(0),
        entry(1, caller=None, client_ip=None, code=None, http_status=400),
        entry(2, explanation="BinancePay-Timestamp '1' vs sandbox clock — « é »", family="wallet"),
    ]

    async def main() -> list[tuple[object, ...]]:
        platform = await open_platform(load_settings(database_url=url, admin_token="t"))
        try:
            for item in entries:
                platform.request_log.add(item)
            await platform.flush_request_log()
            assert platform.request_log.drain() == []
            await platform.flush_request_log()  # nothing pending: nothing written
            names = [f.name for f in dataclasses.fields(LoggedRequest)]
            async with platform.db.read() as session:
                rows = (
                    await session.execute(
                        select(*(getattr(RequestLogRow, n) for n in names)).order_by(
                            RequestLogRow.id
                        )
                    )
                ).all()
            return [tuple(row) for row in rows]
        finally:
            await platform.aclose()

    written = asyncio.run(main())
    assert written == [dataclasses.astuple(item) for item in entries]
