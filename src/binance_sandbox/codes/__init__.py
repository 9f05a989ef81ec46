"""The error codes of every API family, as data: one table that the server and the SDK both
read, so that neither copies the other.

Each family has its module (`connect`, `pay`, `wallet`); each code is a `Code` constant named
after the spec's name for it, and the module's `ALL` lists them. The server builds its
exception classes from these rows (`<family>/errors.py`); the SDK maps an answer to its
exception class with them (`client/*errors.py`). Nothing here imports the rest of the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

C = TypeVar("C", str, int)


@dataclass(frozen=True, slots=True)
class Code(Generic[C]):
    """One error code of a family.

    `code` is what the envelope carries (Connect and Pay: a string of digits; Wallet: a
    negative integer), `name` the spec's name for it, `message` the text the server answers
    when it has nothing more precise to say, `http_status` the status the server answers with,
    and `retryable` whether a client may repeat a read after it (the platform did nothing).
    """

    code: C
    name: str
    message: str
    http_status: int = 200
    retryable: bool = False


__all__ = ["Code"]
