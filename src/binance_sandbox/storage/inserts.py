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
dialect, and each column left out has no default or a scalar one (bound as SQLAlchemy binds
it, through the type's processor if it has one); otherwise there is no plan and the write goes
through SQLAlchemy.

`OneStatementInserts` is the same write on PostgreSQL as one statement: each row's INSERT a
data-modifying `WITH` of one `SELECT` that returns the generated keys. PostgreSQL runs every
such INSERT to completion, referenced or not, and one statement is one transaction: all the
rows or none, in one round trip instead of `BEGIN`, an INSERT each and `COMMIT`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Dialect,
    Insert,
    Select,
    bindparam,
    insert,
    inspect,
    literal_column,
    select,
)
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
        shape = _shape(obj)
        try:
            return self._plans[shape]
        except KeyError:
            made = self._plans[shape] = self._make(*shape)
            return made

    def _make(self, cls: type[Base], present: tuple[str, ...]) -> PlainInsert | None:
        bound = _bound(self._dialect, cls, present)
        if bound is None:
            return None
        statement, _columns, key = _plan(cls)
        compiled = statement.compile(dialect=self._dialect, column_keys=list(bound))
        order = compiled.positiontup
        if self._dialect.paramstyle != "qmark" or order is None or set(order) != set(bound):
            return None
        generated = None if key is None or key in present else key
        return PlainInsert(compiled.string, tuple(bound[name] for name in order), generated)


@dataclass(frozen=True, slots=True)
class OneStatement:
    """Several rows' INSERTs as one statement: its SQL (the dialect's positional parameters)
    and, for each parameter in order, the row it is read from and the attribute, or the
    column's scalar default; then the rows whose generated key the statement returns, with
    that key's attribute, in the order of its one result row."""

    sql: str
    parameters: tuple[tuple[int, str | None, Any], ...]
    keys: tuple[tuple[int, str], ...]

    def values(self, objects: Sequence[Base]) -> tuple[Any, ...]:
        return tuple(
            objects[row].__dict__[attr] if attr is not None else value
            for row, attr, value in self.parameters
        )

    def set_keys(self, objects: Sequence[Base], generated: Sequence[Any]) -> None:
        """Sets the generated keys of the statement's result row (`SELECT 1` if none)."""
        if not self.keys:
            return
        for (row, attr), value in zip(self.keys, generated, strict=True):
            setattr(objects[row], attr, value)


class OneStatementInserts:
    """The `OneStatement` of each sequence of (class, attributes given), for one dialect
    whose parameters are positional (asyncpg's `$1`), made once."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._plans: dict[tuple[tuple[type[Base], tuple[str, ...]], ...], OneStatement | None] = {}

    def plan(self, objects: Sequence[Base]) -> OneStatement | None:
        shapes = tuple(_shape(obj) for obj in objects)
        try:
            return self._plans[shapes]
        except KeyError:
            made = self._plans[shapes] = self._make(shapes)
            return made

    def _make(self, shapes: tuple[tuple[type[Base], tuple[str, ...]], ...]) -> OneStatement | None:
        named: dict[str, tuple[int, str | None, Any]] = {}
        keys: list[tuple[int, str]] = []
        ctes = []
        returned = []
        for row, (cls, present) in enumerate(shapes):
            bound = _bound(self._dialect, cls, present)
            if bound is None:
                return None
            statement, _columns, key = _plan(cls)
            table = statement.table
            values = {}
            for column, (attr, default) in bound.items():
                named[f"r{row}_{column}"] = (row, attr, default)
                values[column] = bindparam(f"r{row}_{column}", type_=table.c[column].type)
            statement = statement.values(values)
            if key is not None and key not in present:
                generated = inspect(cls).get_property(key).columns[0]
                cte = statement.returning(generated).cte(f"bsx_row{row}")
                returned.append(select(cte.c[generated.key]).scalar_subquery())
                keys.append((row, key))
            else:
                cte = statement.cte(f"bsx_row{row}")
            ctes.append(cte)
        query: Select[Any] = select(*returned) if returned else select(literal_column("1"))
        compiled = query.add_cte(*ctes).compile(dialect=self._dialect)
        order = compiled.positiontup
        if order is None or set(order) != set(named):
            return None
        return OneStatement(compiled.string, tuple(named[name] for name in order), tuple(keys))


def _shape(obj: Base) -> tuple[type[Base], tuple[str, ...]]:
    """The object's class and the attributes given (set on it), in the mapper's order."""
    cls = type(obj)
    _statement, columns, _key = _plan(cls)
    given = obj.__dict__
    return cls, tuple(attr for attr, _column in columns if attr in given)


def _bound(
    dialect: Dialect, cls: type[Base], present: tuple[str, ...]
) -> dict[str, tuple[str | None, Any]] | None:
    """Each column an INSERT of these attributes binds, with the attribute it is read from
    or (no attribute) its scalar default, as SQLAlchemy sends it; None if SQLAlchemy would not
    send the values given as they are (a column given has a bind processor for the dialect),
    or a column left out has a default that is not a scalar."""
    bound: dict[str, tuple[str | None, Any]] = {}
    for prop in inspect(cls).column_attrs:
        column = prop.columns[0]
        processor = column.type.dialect_impl(dialect).bind_processor(dialect)
        if prop.key in present:
            if processor is not None:
                return None
            bound[column.key] = (prop.key, None)
        elif column.default is not None:
            if not column.default.is_scalar:
                return None
            value = column.default.arg
            bound[column.key] = (None, value if processor is None else processor(value))
    return bound
