"""`Database.insert` on SQLite: the rows SQLAlchemy would send unchanged go by the `sqlite3`
connection itself (storage/inserts.py `PlainInserts`), and are written exactly as SQLAlchemy
writes them; a failure is SQLAlchemy's error and leaves nothing of the call."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError

from binance_sandbox.delivery.outbox import outbox_item
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.inserts import PlainInsert, PlainInserts, insert_new
from binance_sandbox.storage.migrate import upgrade
from binance_sandbox.storage.models import Merchant, OrderEvent, OutboxItem, PayOrder
from binance_sandbox.storage.sqlite_driver import InlineDialect


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'plain.db'}"
    upgrade(url)
    yield url


def order(trade_no: str) -> PayOrder:
    return PayOrder(
        prepay_id=f"p-{trade_no}",
        merchant_id="m1",
        sub_merchant_id=None,
        merchant_trade_no=trade_no,
        version="v2",
        terminal_type="WEB",
        currency="USDT",
        order_amount=12_340_000,
        fiat_currency=None,
        fiat_amount=None,
        request="{}",
        webhook_url=None,
        return_url=None,
        cancel_url=None,
        pass_through_info=None,
        status="INITIAL",
        create_time=1,
        expire_time=2,
        refunded_amount=0,
        refund_attempts=0,
    )


def rows_of(trade_no: str) -> tuple[PayOrder, OrderEvent, OutboxItem]:
    made = order(trade_no)
    return (
        made,
        # `detail` left out: the column's scalar default is written.
        OrderEvent(family="pay", order_ref=made.prepay_id, at=1, kind="created"),
        outbox_item(
            kind="pay.expire",
            family="pay",
            payload={"prepayId": made.prepay_id},
            due_at=2,
            now=1,
            max_attempts=20,
            owner="m1",
            ref=made.prepay_id,
        ),
    )


def sqlalchemy_statements(db: Database) -> list[str]:
    """The statements SQLAlchemy executes on the write connection."""
    seen: list[str] = []
    event.listen(
        db.write_engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_rest: seen.append(statement),
    )
    return seen


async def stored(db: Database, ref: str) -> dict[str, Any]:
    """Every column of the three rows of `ref`, the generated ids aside."""
    out: dict[str, Any] = {}
    async with db.read() as s:
        for model, column in (
            (PayOrder, PayOrder.prepay_id),
            (OrderEvent, OrderEvent.order_ref),
            (OutboxItem, OutboxItem.ref),
        ):
            (row,) = (await s.execute(select(model).where(column == ref))).scalars()
            values = {c.key: getattr(row, c.key) for c in model.__table__.columns}
            values.pop("id", None)
            out[model.__tablename__] = values
    return out


async def events_and_jobs(db: Database) -> tuple[int, int]:
    """How many event rows and outbox rows there are."""
    async with db.read() as s:
        events = (await s.execute(text("SELECT count(*) FROM order_events"))).scalar()
        jobs = (await s.execute(text("SELECT count(*) FROM outbox"))).scalar()
    return int(events or 0), int(jobs or 0)


async def assert_written_alike(db: Database, mine: str, theirs: str) -> None:
    """The rows of `mine` hold what SQLAlchemy wrote for `theirs`, but for their own keys."""
    written, expected = await stored(db, mine), await stored(db, theirs)
    for table in written:
        differ = {k for k in written[table] if written[table][k] != expected[table][k]}
        assert differ <= {"prepay_id", "merchant_trade_no", "order_ref", "ref", "payload"}
    assert written["order_events"]["detail"] == "{}"  # the column's default


def test_the_hot_rows_go_plain_and_are_written_as_sqlalchemy_writes_them(url: str) -> None:
    async def main() -> None:
        db = Database(url)
        statements = sqlalchemy_statements(db)
        try:
            plain = rows_of("plain")
            await db.insert(*plain)
            assert statements == []  # none of it through SQLAlchemy's execution
            async with db.write() as s:
                await insert_new(s, *rows_of("sqlalchemy"))
            assert statements  # that one was

            await assert_written_alike(db, "p-plain", "p-sqlalchemy")
            # The generated keys are set on the objects, as SQLAlchemy sets them.
            async with db.read() as s:
                ids = (await s.execute(text("SELECT id FROM order_events ORDER BY id"))).all()
            assert plain[1].id == ids[0][0] and plain[2].id is not None
        finally:
            await db.dispose()

    asyncio.run(main())


def test_a_duplicate_is_sqlalchemys_integrity_error_and_leaves_nothing_of_the_call(
    url: str,
) -> None:
    async def main() -> tuple[int, int]:
        db = Database(url)
        try:
            await db.insert(*rows_of("dup"))
            again = rows_of("dup")
            # The event and the outbox row come first and are undone with the order.
            writes = [
                db.insert(again[1], again[2], again[0]),
                db.insert(*rows_of("other")),  # the same shared transaction
            ]
            results = await asyncio.gather(*writes, return_exceptions=True)
            assert isinstance(results[0], IntegrityError)
            assert "UNIQUE" in str(results[0].orig)
            assert results[1] is None
            return await events_and_jobs(db)
        finally:
            await db.dispose()

    assert asyncio.run(main()) == (2, 2)


def test_rows_sqlalchemy_would_change_go_through_sqlalchemy(url: str) -> None:
    merchant = Merchant(
        merchant_id="m1", name="M", api_key="k", api_secret="s", active=True, created_at=1
    )
    plans = PlainInserts(InlineDialect())
    # SQLAlchemy binds a Boolean through a processor (True as 1).
    assert plans.plan(merchant) is None

    async def main() -> tuple[list[str], list[Any]]:
        db = Database(url)
        statements = sqlalchemy_statements(db)
        try:
            await db.insert(merchant)
            async with db.read() as s:
                row = (
                    await s.execute(
                        text(
                            "SELECT active, direct_debit_whitelisted, ip_whitelist FROM pay_merchants"
                        )
                    )
                ).one()
            return statements, list(row)
        finally:
            await db.dispose()

    statements, row = asyncio.run(main())
    assert any(s.startswith("INSERT INTO pay_merchants") for s in statements)
    assert row == [1, 0, "[]"]
    assert merchant.id is not None


def test_a_plan_is_made_once_per_class_and_columns_given() -> None:
    plans = PlainInserts(InlineDialect())
    first, second = rows_of("a")[1], rows_of("b")[1]
    assert plans.plan(first) is plans.plan(second)
    with_detail = OrderEvent(family="pay", order_ref="x", at=1, kind="k", detail='{"a": 1}')
    made = plans.plan(with_detail)
    assert made is not None and made is not plans.plan(first)
    assert made.values(with_detail)[-1] == '{"a": 1}'


def test_a_default_left_out_is_bound_as_sqlalchemy_binds_it() -> None:
    plans = PlainInserts(InlineDialect())
    # The Booleans left out: their defaults (True, False) through SQLite's processor.
    merchant = Merchant(merchant_id="m1", name="M", api_key="k", api_secret="s", created_at=1)
    made = plans.plan(merchant)
    assert made is not None
    defaults = {value for attr, value in made.parameters if attr is None}
    assert defaults == {"[]", 1, 0} and all(type(v) is not bool for v in defaults)


def test_any_error_midway_leaves_nothing_of_the_call(url: str, monkeypatch: Any) -> None:
    """Not only SQLite's errors: whatever stops the call after its first row undoes it."""
    real = PlainInsert.values

    def values(plan: PlainInsert, obj: Any) -> tuple[Any, ...]:
        if isinstance(obj, OutboxItem) and obj.ref == "p-broken":
            raise RuntimeError("stopped")
        return real(plan, obj)

    async def main() -> list[str]:
        db = Database(url)
        try:
            monkeypatch.setattr(PlainInsert, "values", values)
            results = await asyncio.gather(
                db.insert(*rows_of("broken")), db.insert(*rows_of("fine")), return_exceptions=True
            )
            assert isinstance(results[0], RuntimeError) and results[1] is None
            async with db.read() as s:
                refs = (await s.execute(text("SELECT order_ref FROM order_events"))).scalars()
                return sorted(refs)
        finally:
            await db.dispose()

    assert asyncio.run(main()) == ["p-fine"]
