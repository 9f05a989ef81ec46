"""New rows written at once, by SQLAlchemy Core, for the hot paths that only create.

The ORM's unit of work (`session.add`, then a flush) sorts, tracks and refreshes its objects;
for a request that inserts three new rows and never touches them again that costs more than
the inserts themselves. `insert_new` takes the same mapped objects, built the same way, and
writes each with one Core `INSERT`, in the session's transaction and in the order given,
in one pass through SQLAlchemy's greenlet. The objects stay outside the session: they are
the values written, and a generated primary key is set on them. Column defaults are the
table's, as for a flush. `Database.insert` is the same as a transaction of its own, for
a write that is only these rows (no ORM session at all).

`PlainInserts` is the same write for a driver connection (SQLite's, in `Database.insert`):
the INSERT compiled by SQLAlchemy, once, and its values passed as they are. It is used only
where SQLAlchemy would pass them unchanged too: no column given has a bind processor for the
dialect, and each column left out has no default or a scalar one (bound as its value, as
SQLAlchemy binds it); otherwise there is no plan and the write goes through SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, Dialect, Insert, insert, inspect
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


@dataclass(frozen=True, slots=True)
class PlainInsert:
    """One INSERT as the driver takes it: its SQL (qmark parameters) and, for each
    parameter in order, the attribute it is read from or (no attribute) the column's
    scalar default."""

    sql: str
    parameters: tuple[tuple[str | None, Any], ...]
    key: str | None

    def values(self, obj: Base) -> tuple[Any, ...]:
        given = obj.__dict__
        return tuple(given[attr] if attr is not None else value for attr, value in self.parameters)


class PlainInserts:
    """The `PlainInsert` of each (class, attributes given), for one dialect, made once."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._plans: dict[tuple[type[Base], tuple[str, ...]], PlainInsert | None] = {}

    def plan(self, obj: Base) -> PlainInsert | None:
        cls = type(obj)
        _statement, columns, _key = _plan(cls)
        given = obj.__dict__
        present = tuple(attr for attr, _column in columns if attr in given)
        try:
            return self._plans[(cls, present)]
        except KeyError:
            made = self._plans[(cls, present)] = self._make(cls, present)
            return made

    def _make(self, cls: type[Base], present: tuple[str, ...]) -> PlainInsert | None:
        mapper = inspect(cls)
        statement, _columns, key = _plan(cls)
        bound: dict[str, tuple[str | None, Any]] = {}
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            if prop.key in present:
                if column.type.dialect_impl(self._dialect).bind_processor(self._dialect):
                    return None
                bound[column.key] = (prop.key, None)
            elif column.default is not None:
                if not column.default.is_scalar:
                    return None
                bound[column.key] = (None, column.default.arg)
        compiled = statement.compile(dialect=self._dialect, column_keys=list(bound))
        order = compiled.positiontup
        if self._dialect.paramstyle != "qmark" or order is None or set(order) != set(bound):
            return None
        generated = None if key is None or key in present else key
        return PlainInsert(compiled.string, tuple(bound[name] for name in order), generated)
