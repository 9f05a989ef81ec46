"""What every family's renderer knows how to answer besides its own errors: a request it
could not read, a database that could not take it now, a value the database refused."""

from __future__ import annotations

from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class BadRequest(Exception):
    """The request could not be read (not JSON, not an object, a field of the wrong kind)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Busy(Exception):
    """The database could not take the request now (locked, serialization failure, a
    connection it dropped)."""


class UnknownEndpoint(Exception):
    """No operation at this path (404), or none for this method (405), under a family's
    prefix: answered in that family's envelope with this status."""

    def __init__(self, status_code: int) -> None:
        self.status_code = status_code
        self.message = "Unknown endpoint." if status_code == 404 else "HTTP 405: Method Not Allowed"
        super().__init__(self.message)


_BUSY_MARKERS = (
    "database is locked",
    "could not serialize",
    "deadlock detected",
    "lock timeout",
    "canceling statement due to lock timeout",
    "busy",
)


def is_busy(exc: BaseException) -> bool:
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True  # the database dropped the connection (a restart): a retry gets a new one
    if isinstance(exc, OperationalError | DBAPIError):
        text = str(exc.orig if isinstance(exc, DBAPIError) else exc).lower()
        return any(marker in text for marker in _BUSY_MARKERS)
    return False


def is_bad_value(exc: BaseException) -> bool:
    """The database or its driver refused a value the request carried: a NUL character or a
    string longer than its column (PostgreSQL), an integer past the column's range."""
    if isinstance(exc, DataError | OverflowError):
        return True
    if isinstance(exc, DBAPIError):
        # asyncpg's errors reach SQLAlchemy as its generic `DBAPIError`: PostgreSQL's "data
        # exception" class (SQLSTATE 22…), or a value asyncpg itself could not encode.
        sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
        cause = exc.orig.__cause__ if exc.orig is not None else None
        return sqlstate.startswith("22") or isinstance(cause, ValueError)
    return False


BAD_VALUE = (
    "Illegal parameter: a value cannot be stored or looked up "
    "(a NUL character, too long, or a number out of range)."
)


def expected(exc: Exception) -> Exception:
    """The failure as a renderer should see it (a refused value is bad input); a failure
    that is not one of these, nor a domain error with a code, is a bug worth a log line."""
    return BadRequest(BAD_VALUE) if is_bad_value(exc) else exc


def is_bug(exc: Exception) -> bool:
    return not (isinstance(exc, BadRequest | Busy) or is_busy(exc) or getattr(exc, "code", None))
