"""New rows written at once, by SQLAlchemy Core, for the hot paths that only create.

The ORM's unit of work (`session.add`, then a flush) sorts, tracks and refreshes its objects;
for a request that inserts three new rows and never touches them again that costs more than
the inserts themselves. `insert_new` takes the same mapped objects, built the same way, and
writes each with one Core `INSERT`, in the session's transaction and in the order given, in
one `run_sync`. The objects stay outside the session: they are the values written, and a
generated primary key is set on them. Column defaults are the table's, as for a flush.
"""

from __future__ import annotations

from functools import cache
from typing import cast

from sqlalchemy import Connection, Insert, Table, insert, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from binance_sandbox.storage.models import Base


async def insert_new(session: AsyncSession, *objects: Base) -> None:
    """Inserts these new (never added) objects now, in this order."""
    await session.run_sync(add_new, *objects)


def add_new(session: Session, *objects: Base) -> None:
    """`insert_new` for a synchronous session (`Database.run_write`)."""
    insert_rows(session.connection(), objects)


def insert_rows(connection: Connection, objects: tuple[Base, ...]) -> None:
    """`insert_new` on a Core connection."""
    for obj in objects:
        statement, columns, key = _plan(type(obj))
        given = inspect(obj).dict
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
    table = cast(Table, mapper.local_table)
    generated = table.autoincrement_column
    key = None if generated is None else mapper.get_property_by_column(generated).key
    return insert(table), columns, key
