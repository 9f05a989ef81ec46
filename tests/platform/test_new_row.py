"""`Base.new_row`: the object its class's constructor would build, without the attribute
events; written the same by a flush; the constructor's where something listens to them."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Integer, MetaData, String, event, select
from sqlalchemy.orm import Mapped, mapped_column, validates

from binance_sandbox.storage.db import Database
from binance_sandbox.storage.migrate import upgrade
from binance_sandbox.storage.models import Base, OrderEvent, OutboxItem

VALUES = {
    "kind": "pay.expire",
    "family": "pay",
    "owner": "m1",
    "ref": "p1",
    "dedupe_key": None,
    "payload": "{}",
    "status": "pending",
    "attempts": 0,
    "max_attempts": 20,
    "due_at": 2,
    "lease_until": 0,
    "created_at": 1,
}


def public(obj: Base) -> dict[str, object]:
    return {k: v for k, v in vars(obj).items() if not k.startswith("_")}


def test_it_is_the_object_the_constructor_builds() -> None:
    fast, built = OutboxItem.new_row(**VALUES), OutboxItem(**VALUES)
    assert type(fast) is OutboxItem and public(fast) == public(built) == VALUES
    assert fast.id is None  # an attribute not given reads as the constructor's does
    fast.id = 7  # and is set through its instrumentation
    assert fast.id == 7


def test_a_name_that_is_no_attribute_is_refused_as_by_the_constructor() -> None:
    with pytest.raises(TypeError, match="colour"):
        OrderEvent.new_row(family="pay", order_ref="x", at=1, kind="k", colour="red")


def test_an_object_added_to_a_session_is_flushed_with_its_values(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'rows.db'}"
    upgrade(url)

    async def main() -> dict[str, object]:
        db = Database(url)
        try:
            async with db.write() as s:
                s.add(OutboxItem.new_row(**VALUES))
            async with db.read() as s:
                stored = (await s.execute(select(OutboxItem))).scalar_one()
                return {k: getattr(stored, k) for k in VALUES}
        finally:
            await db.dispose()

    assert asyncio.run(main()) == VALUES


class _Apart(Base):
    """Tables of this test's own, outside the sandbox's metadata."""

    __abstract__ = True
    metadata = MetaData()


class _Checked(_Apart):
    __tablename__ = "test_new_row_checked"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(8))

    @validates("name")
    def _check(self, _key: str, value: str) -> str:
        return value.upper()


class _Watched(_Apart):
    __tablename__ = "test_new_row_watched"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(8))


def test_a_class_with_set_listeners_is_built_by_its_constructor() -> None:
    assert _Checked.new_row(name="abc").name == "ABC"
    heard: list[object] = []
    event.listen(_Watched.name, "set", lambda _t, value, *_a: heard.append(value))
    assert _Watched.new_row(name="x").name == "x" and heard == ["x"]

    assert "test_new_row_checked" not in Base.metadata.tables
