"""Single-statement reads run by a `sqlite3` connection itself (`Database.rows` on SQLite).

SQLAlchemy's execution of a small indexed read (its cache key, execution context, result
and row processing) costs twice what SQLite spends on the read. `PlainReads` compiles each
statement once and then runs its SQL on the driver connection with the values as they are,
the rows wrapped as SQLAlchemy's own `Row`s. It does so only where SQLAlchemy would also pass
the values and return the columns unchanged: no parameter has a bind processor, none is
expanding (`IN`), computed at execution or rendered into the SQL, and no result column has a
result processor for the dialect. Any other statement has no plan and goes through
SQLAlchemy as before.

Each plan's rows are of a `Row` subclass of its own that names the columns in its class
(`row.status` is a descriptor read, where `Row` finds a column by `__getattr__`, after the
ordinary lookup has failed and formatted an AttributeError): the same rows, values, `_mapping`
and equality as SQLAlchemy's, five times cheaper to read by name.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Dialect, Executable, Row
from sqlalchemy.engine.result import SimpleResultMetaData
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

_REQUIRED = object()


@dataclass(frozen=True, slots=True)
class PlainRead:
    """A read as the driver takes it: its SQL (qmark parameters), each parameter's name in
    order with the value the statement binds itself (or none: the caller's), and the
    result's column keys."""

    sql: str
    parameters: tuple[tuple[str, Any], ...]
    required: frozenset[str]
    columns: SimpleResultMetaData
    row: type[Row[Any]]

    def rows(self, connection: sqlite3.Connection, params: Mapping[str, Any]) -> Sequence[Row[Any]]:
        # `PlainReads.plan` saw every required name given.
        values = tuple(params.get(name, default) for name, default in self.parameters)
        try:
            fetched = connection.execute(self.sql, values).fetchall()
        except sqlite3.Error as error:
            raise DBAPIError.instance(self.sql, values, error, sqlite3.Error) from error
        # As a result without processors makes its rows (`Result._row_getter`).
        columns, row = self.columns, self.row
        return [row(columns, None, columns._key_to_index, data) for data in fetched]


def row_class(keys: Sequence[str]) -> type[Row[Any]]:
    """A `Row` whose class reads each column by name. A name `Row` itself has (`count`,
    `index`, `_mapping`, …) keeps its meaning, as on any `Row`."""
    named = {
        key: property(itemgetter(i))
        for i, key in enumerate(keys)
        if key.isidentifier() and not hasattr(Row, key)
    }
    return type("PlainRow", (Row,), {"__slots__": (), **named})


class PlainReads:
    """The `PlainRead` of each statement, for one dialect, made once.

    Keyed by the statement object: the hot reads are statements built once (module
    constants, cached builders). Past `MOST` statements no more plans are made, so a caller
    that builds its statement for every call gets SQLAlchemy's own execution, not a growing
    cache."""

    MOST = 256

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._plans: dict[Executable, PlainRead | None] = {}

    def plan(self, statement: Executable, params: Mapping[str, Any]) -> PlainRead | None:
        try:
            plan = self._plans[statement]
        except KeyError:
            if len(self._plans) >= self.MOST:
                return None
            plan = self._plans[statement] = self._make(statement)
        if plan is None or not plan.required <= params.keys():
            return None  # SQLAlchemy says which value is missing
        return plan

    def _make(self, statement: Executable) -> PlainRead | None:
        if not isinstance(statement, ClauseElement):
            return None
        compiled = statement.compile(dialect=self._dialect)
        if (
            not isinstance(compiled, SQLCompiler)
            or self._dialect.paramstyle != "qmark"
            or compiled.positiontup is None
            or compiled._bind_processors
            or compiled.literal_execute_params
            or compiled.post_compile_params
            or compiled.escaped_bind_names
            or not compiled._result_columns
        ):
            return None
        parameters = []
        for name in compiled.positiontup:
            bind = compiled.binds[name]
            if bind.expanding or bind.callable is not None:
                return None
            parameters.append((name, _REQUIRED if bind.required else bind.effective_value))
        keys = []
        for column in compiled._result_columns:
            if column.type._cached_result_processor(self._dialect, None) is not None:
                return None
            keys.append(column.keyname)
        if len(set(keys)) < len(keys):
            return None
        required = frozenset(name for name, default in parameters if default is _REQUIRED)
        return PlainRead(
            compiled.string,
            tuple(parameters),
            required,
            SimpleResultMetaData(keys),
            row_class(keys),
        )
