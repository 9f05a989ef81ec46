"""`Database.rows` on SQLite: a statement SQLAlchemy would run unchanged goes by the read
connection's `sqlite3` connection itself (storage/reads.py `PlainReads`), and answers the
same rows, as SQLAlchemy's `Row`s; any other statement, and every failure, is SQLAlchemy's."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Executable, Row, bindparam, create_engine, select
from sqlalchemy.engine import IteratorResult
from sqlalchemy.engine.result import SimpleResultMetaData
from sqlalchemy.exc import ProgrammingError, StatementError
from test_plain_inserts import order

from binance_sandbox.chain.service import _deposits_query
from binance_sandbox.deposit.service import _AUTHORIZATION
from binance_sandbox.pay.service import _QUERY_ORDER
from binance_sandbox.prime.service import _FIND_ORDER
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.migrate import upgrade
from binance_sandbox.storage.models import ChainTransfer, Merchant, PayOrder
from binance_sandbox.storage.reads import PlainReads, row_class


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'reads.db'}"
    upgrade(url)
    yield url


def test_the_hot_reads_have_plans() -> None:
    """Pay query, Prime `transaction`, the deposit poll and `depositHistory` (each of its
    shapes) take the plain way: none binds or answers a value SQLAlchemy would convert."""
    plans = PlainReads(create_engine("sqlite://").dialect)
    deposits = [
        _deposits_query(True, "u", asset, status, start, end)
        for asset in (None, "ETH")
        for status in (None, 0, 1)
        for start, end in ((None, None), (1, 2))
    ]
    statements: list[tuple[Executable, dict[str, Any]]] = [
        *((s, {"merchant_id": "m", "key": "k"}) for s in _QUERY_ORDER.values()),
        *((s, {"partner_id": "p", "key": "k"}) for s in _FIND_ORDER.values()),
        (_AUTHORIZATION, {"partner_id": "p", "key": "k"}),
        *deposits,
    ]
    assert all(plans.plan(statement, params) for statement, params in statements)


def test_plain_rows_are_sqlalchemys_rows(url: str) -> None:
    async def main() -> None:
        db = Database(url)
        try:
            await db.insert(order("t1"), order("t2"))
            params = {"merchant_id": "m1", "key": "t1"}
            statement = _QUERY_ORDER[False]
            assert db._reader is not None
            plain = db._reader._plain.plan(statement, params)
            assert plain is not None
            rows = await db.rows(statement, params)
            async with db.engine.connect() as conn:
                expected = (await conn.execute(statement, params)).all()
            assert [tuple(r) for r in rows] == [tuple(r) for r in expected]
            assert rows[0]._mapping == expected[0]._mapping
            assert (rows[0].merchant_trade_no, rows[0].transaction_id) == ("t1", None)
            assert isinstance(rows[0], Row)
            assert rows == expected
            for key in expected[0]._fields:
                assert getattr(rows[0], key) == getattr(expected[0], key)
            assert await db.rows(statement, {"merchant_id": "m1", "key": "none"}) == []
        finally:
            await db.dispose()

    asyncio.run(main())


def test_a_value_the_statement_binds_itself_is_sent(url: str) -> None:
    """`depositHistory` by status compares with a literal: its value is the statement's."""

    def transfer(tx: str, status: str) -> ChainTransfer:
        return ChainTransfer(
            tx_hash=tx,
            network="ETH",
            address="0xabc",
            tag="",
            asset="ETH",
            amount=10,
            user_id="u1",
            status=status,
            confirmations_needed=1,
            created_at=1,
            confirm_at=2,
            credited_at=None,
        )

    async def main() -> None:
        db = Database(url)
        try:
            await db.insert(transfer("0x1", "CREDITED"), transfer("0x2", "PENDING"))
            for status, expected in ((1, ["0x1"]), (0, ["0x2"]), (None, ["0x2", "0x1"])):
                statement, params = _deposits_query(True, "u1", "ETH", status, None, None)
                rows = await db.rows(statement, params)
                assert sorted(r.tx_hash for r in rows) == sorted(expected)
        finally:
            await db.dispose()

    asyncio.run(main())


def test_statements_sqlalchemy_would_convert_take_its_way(url: str) -> None:
    """A Boolean column (a result processor), an expanding `IN`, a missing value: no plan,
    and `rows` answers as SQLAlchemy does."""
    db = Database(url)
    plans = PlainReads(create_engine("sqlite://").dialect)
    active = select(Merchant.active).where(Merchant.merchant_id == bindparam("m"))
    among = select(PayOrder.prepay_id).where(PayOrder.merchant_trade_no.in_(bindparam("k")))
    assert plans.plan(active, {"m": "x"}) is None
    assert plans.plan(among, {"k": ["a"]}) is None
    assert plans.plan(_QUERY_ORDER[False], {"merchant_id": "m1"}) is None

    async def main() -> None:
        try:
            await db.insert(order("t1"))
            rows = await db.rows(among, {"k": ["t1", "t2"]})
            assert [r.prepay_id for r in rows] == ["p-t1"]
            with pytest.raises(StatementError, match="A value is required"):
                await db.rows(_QUERY_ORDER[False], {"merchant_id": "m1"})
        finally:
            await db.dispose()

    asyncio.run(main())


def test_a_driver_error_is_sqlalchemys(url: str) -> None:
    async def main() -> None:
        db = Database(url)
        try:
            with pytest.raises(ProgrammingError, match="Error binding parameter"):
                await db.rows(_QUERY_ORDER[False], {"merchant_id": {"a": 1}, "key": "k"})
            with pytest.raises(OverflowError):
                await db.rows(_QUERY_ORDER[False], {"merchant_id": 2**70, "key": "k"})
        finally:
            await db.dispose()

    asyncio.run(main())


def test_plans_stop_at_most() -> None:
    plans = PlainReads(create_engine("sqlite://").dialect)
    plans.MOST = 2
    made = [
        select(PayOrder.prepay_id).where(PayOrder.merchant_trade_no == bindparam("k"))
        for _ in range(3)
    ]
    assert [plans.plan(s, {"k": "a"}) is not None for s in made] == [True, True, False]


def test_a_plain_row_reads_its_columns_by_name_as_a_row_does() -> None:
    """Every column by name through the class; a name `Row` has itself (`count`, `index`)
    means on a plain row what it means on SQLAlchemy's."""
    keys = ["status", "count", "index", "_hidden", "two words"]
    data = ("PAID", 3, 4, "h", "w")
    columns = SimpleResultMetaData(keys)
    row = row_class(keys)(columns, None, columns._key_to_index, data)
    (expected,) = IteratorResult(columns, iter([data])).all()
    for name in ("status", "count", "index", "two words"):
        assert getattr(row, name) == getattr(expected, name)
    assert row._mapping == expected._mapping
    assert tuple(row) == data
    assert row == expected
    with pytest.raises(AttributeError):
        row.missing  # noqa: B018
