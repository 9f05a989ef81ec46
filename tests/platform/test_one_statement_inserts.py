"""`Database.insert` on PostgreSQL: the rows of one call are one statement
(storage/inserts.py `OneStatementInserts`), with no `BEGIN` or `COMMIT` around it, written
exactly as SQLAlchemy writes them; a failure is SQLAlchemy's error and leaves nothing of the
call."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Integer, String, text
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from test_plain_inserts import (
    assert_written_alike,
    events_and_jobs,
    rows_of,
    sqlalchemy_statements,
)

from binance_sandbox.config import Settings
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.inserts import OneStatementInserts, insert_new
from binance_sandbox.storage.migrate import upgrade
from binance_sandbox.storage.models import OrderEvent, PayRefund
from sandbox_harness import PG_URL, create_database

needs_postgresql = pytest.mark.skipif(
    not PG_URL, reason="the one-statement insert is PostgreSQL's (BSX_TEST_DATABASE_URL)"
)


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    made, drop = create_database(tmp_path, "one")
    url = Settings(database_url=made).database_url  # the async driver's URL
    upgrade(url)
    try:
        yield url
    finally:
        drop()


@needs_postgresql
def test_the_rows_are_one_statement_and_written_as_sqlalchemy_writes_them(url: str) -> None:
    async def main() -> None:
        db = Database(url)
        statements = sqlalchemy_statements(db)
        try:
            one = rows_of("one")
            await db.insert(*one)
            assert len(statements) == 1 and statements[0].startswith("WITH bsx_row0 AS")
            statements.clear()
            async with db.write() as s:
                await insert_new(s, *rows_of("sqlalchemy"))
            assert sum(s.startswith("INSERT") for s in statements) == 3

            await assert_written_alike(db, "p-one", "p-sqlalchemy")
            # The generated keys are set on the objects, as SQLAlchemy sets them.
            async with db.read() as s:
                event_ids = (await s.execute(text("SELECT id FROM order_events ORDER BY id"))).all()
                job_ids = (await s.execute(text("SELECT id FROM outbox ORDER BY id"))).all()
            assert (one[1].id, one[2].id) == (event_ids[0][0], job_ids[0][0])
        finally:
            await db.dispose()

    asyncio.run(main())


@needs_postgresql
def test_a_duplicate_is_sqlalchemys_integrity_error_and_leaves_nothing_of_the_call(
    url: str,
) -> None:
    async def main() -> tuple[int, int]:
        db = Database(url)
        try:
            await db.insert(*rows_of("dup"))
            again = rows_of("dup")
            # The event and the outbox row come first and are undone with the order.
            with pytest.raises(IntegrityError) as refused:
                await db.insert(again[1], again[2], again[0])
            assert "pay_orders" in str(refused.value.orig)
            return await events_and_jobs(db)
        finally:
            await db.dispose()

    assert asyncio.run(main()) == (1, 1)


@needs_postgresql
def test_a_row_may_refer_to_one_inserted_before_it_in_the_same_call(url: str) -> None:
    """PostgreSQL checks foreign keys at the statement's end, when all its rows are in."""
    order = rows_of("parent")[0]
    refund = PayRefund(
        refund_request_id="r1",
        merchant_id="m1",
        prepay_id=order.prepay_id,
        refund_amount=1,
        refunded_before=0,
        attempt=1,
        reason=None,
        webhook_url=None,
        status="REFUND_PENDING",
        created_at=1,
        finished_at=None,
    )

    async def main() -> list[Any]:
        db = Database(url)
        try:
            await db.insert(order, refund)
            async with db.read() as s:
                return list((await s.execute(text("SELECT id, prepay_id FROM pay_refunds"))).one())
        finally:
            await db.dispose()

    assert asyncio.run(main()) == [refund.id, "p-parent"]


class _Other(DeclarativeBase):
    pass


class _Stamped(_Other):
    __tablename__ = "stamped"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(8))
    stamp: Mapped[str] = mapped_column(String(8), default=lambda: "now")


def test_a_plan_is_made_once_per_shape_and_none_for_a_default_sqlalchemy_computes() -> None:
    plans = OneStatementInserts(asyncpg_dialect())
    first, second = rows_of("a"), rows_of("b")
    made = plans.plan(first)
    assert made is not None and plans.plan(second) is made
    with_detail = OrderEvent(family="pay", order_ref="x", at=1, kind="k", detail='{"a": 1}')
    other = plans.plan([first[0], with_detail])
    assert other is not None and other is not made
    assert other.values([first[0], with_detail])[-1] == '{"a": 1}'
    # A callable default is SQLAlchemy's to call, row by row: no plan.
    assert plans.plan([_Stamped(name="x")]) is None
