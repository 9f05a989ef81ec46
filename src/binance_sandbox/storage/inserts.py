"""New rows written at once, by SQLAlchemy Core, for the hot paths that only create.

The ORM's unit of work (`session.add`, then a flush) sorts, tracks and refreshes its objects;
for a request that inserts three new rows and never touches them again that costs more than
the inserts themselves. `insert_new` takes the same mapped objects, built the same way, and
writes each with one Core `INSERT`, in the session's transaction and in the order given,
in one pass through SQLAlchemy's greenlet. The objects stay outside the session: they are
the values written, and a generated primary key is set on them. Column defaults are the
table's, as for a flush. `Database.insert` is the same as a transaction of its own, for
a write that is only these rows (no ORM session at all).
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Connection, Insert, insert, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from binance_sandbox.storage.models import Base


async def insert_new(session: AsyncSession, *objects: Base) -> None:
    """Inserts these new (never added) objects now, in this order."""
    await session.run_sync(_insert, objects)


def _insert(session: Session, objects: tuple[Base, ...]) -> None:
    insert_rows(session.connection(), objects)


def insert_rows(connection: Connection, objects: tuple[Base, ...]) -> None:
    """`insert_new` on a Core connection."""
    for obj in objects:
        statement, columns, key = _plan(type(obj))
        given = obj.__dict__
        values = {column: given[attr] for attr, column in columns if attr in given}
        result = connection.execute(statement, values)
        if key is not None and key not in given:
            (generated,) = result.inserted_primary_key or (None,)
            setattr(obj, key, generated)


@cache
def _plan(cls: type[Base]) -> tuple[Insert, list[tuple[str, str]], str | None]:
    """The class's INSERT, (attribute, column) pairs and the attribute of its single
    generated key, if it has one."""
    mapper = inspect(cls)
    columns = [(prop.key, prop.columns[0].key) for prop in mapper.column_attrs]
    table = cls.__table__
    generated = table.autoincrement_column  # type: ignore[attr-defined]
    key = None if generated is None else mapper.get_property_by_column(generated).key
    return insert(table), columns, key  # type: ignore[arg-type]
