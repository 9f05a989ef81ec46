"""Random ids from a seedable source, so that a run can be reproduced; secrets (tokens, API
secrets) from the operating system's source, never from the seed: a shared sandbox's
credentials must not be guessable by anyone who knows its seed."""

from __future__ import annotations

import random
import secrets
import string
import threading

_ALNUM = string.ascii_letters + string.digits


class IdSource:
    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def hex(self, length: int = 32) -> str:
        with self._lock:
            return "".join(self._random.choice("0123456789abcdef") for _ in range(length))

    def alnum(self, length: int = 32) -> str:
        with self._lock:
            return "".join(self._random.choice(_ALNUM) for _ in range(length))

    def digits(self, length: int = 11) -> str:
        with self._lock:
            first = self._random.choice("123456789")
            return first + "".join(self._random.choice(string.digits) for _ in range(length - 1))

    def secret(self, length: int = 64) -> str:
        """Letters and digits that no seed reproduces."""
        return "".join(secrets.choice(_ALNUM) for _ in range(length))
