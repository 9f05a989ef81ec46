"""What the routes and services share: built once in the app's lifespan, never at import."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from binance_sandbox.merchant.settings import MerchantSettings


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class IdSource:
    """The kit's own references; seeded for reproducible runs, else from the OS."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.SystemRandom() if seed is None else random.Random(seed)

    def new(self, prefix: str) -> str:
        return f"{prefix}{self._random.getrandbits(96):024x}"


@dataclass(frozen=True)
class MerchantContext:
    settings: MerchantSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    webhook_key: RSAPublicKey | None
    ids: IdSource
    clock: Callable[[], int] = field(default=wall_clock_ms)
