"""The long-lived resources of one process, created in the app's lifespan and passed in."""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

import httpx
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from binance_sandbox.admin_errors import Invalid
from binance_sandbox.cache import MemoryNonceCache, NonceCache, nonce_cache
from binance_sandbox.clock import Clock, ClockState
from binance_sandbox.config import Settings
from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import (
    PLATFORM,
    WORLD,
    external_account,
    post,
    system_account,
    transfer,
)
from binance_sandbox.market import CRYPTOS, FIATS, PriceSource, create_price_source
from binance_sandbox.signing.keys import PlatformKeys
from binance_sandbox.storage import meta
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.ids import IdSource
from binance_sandbox.storage.migrate import upgrade
from binance_sandbox.storage.models import Partner
from binance_sandbox.storage.models import RequestLog as RequestLogRow
from binance_sandbox.storage.snapshot import Snapshot
from binance_sandbox.web import RequestLog

log = logging.getLogger("binance_sandbox")

CLOCK_MAX_AGE_S = 0.5
# The latest time the sandbox clock may show (3000-01-01T00:00:00Z): every time stored is a
# 64-bit integer of milliseconds, and later times computed from it must still be dates.
CLOCK_MAX_MS = 32_503_680_000_000


@dataclass
class Platform:
    settings: Settings
    db: Database
    clock: Clock
    market: PriceSource
    ids: IdSource
    http: httpx.AsyncClient
    keys: PlatformKeys
    nonces: NonceCache = field(default_factory=MemoryNonceCache)
    request_log: RequestLog = field(default_factory=RequestLog)
    wakers: list[object] = field(default_factory=list)
    # The clock as stored: other processes may move it (CLOCK_MAX_AGE_S).
    _stored_clock: Snapshot[ClockState | None] = field(init=False)

    def __post_init__(self) -> None:
        self._stored_clock = Snapshot(
            self._load_clock, None, max_age_s=CLOCK_MAX_AGE_S, kept=self._apply_clock
        )
        # A platform is made with the clock just read from its database.
        self._stored_clock.put(self.clock.state)

    def wake_worker(self) -> None:
        for waker in self.wakers:
            waker.wake()  # type: ignore[attr-defined]

    async def _load_clock(self) -> ClockState | None:
        rows = await self.db.rows(meta.STORED_CLOCK)
        return meta.clock_state(rows[0][0]) if rows else None

    def _apply_clock(self, state: ClockState | None) -> None:
        if state is not None:
            self.clock.load(state)

    async def refresh_clock(self) -> None:
        await self._stored_clock.reload()

    async def refresh_clock_if_stale(self) -> None:
        """Other processes may move the clock; look again at most every CLOCK_MAX_AGE_S."""
        await self._stored_clock.get()

    async def set_clock(self, state: ClockState) -> None:
        async with self.db.write() as session:
            await meta.save_clock(session, state)
        self._stored_clock.put(state)
        self.wake_worker()

    # -- the sandbox clock as an operator moves it (errors are the control API's own) -------

    def clock_out(self) -> dict[str, Any]:
        return {"nowMs": self.clock.now_ms(), "frozen": self.clock.frozen}

    async def advance_clock(self, ms: int) -> dict[str, Any]:
        """Move the clock on by `ms`; the worker, woken, runs what fell due."""
        await self.refresh_clock()
        if self.clock.now_ms() + ms > CLOCK_MAX_MS:
            raise Invalid("The sandbox clock stops at 3000-01-01T00:00:00Z.")
        await self.set_clock(self.clock.advanced(ms))
        return self.clock_out()

    async def move_clock(self, *, frozen: bool | None, now_ms: int | None) -> dict[str, Any]:
        """Freeze or release the clock, and set it to a later time."""
        await self.refresh_clock()
        freeze = self.clock.frozen if frozen is None else frozen
        if now_ms is not None and now_ms < self.clock.now_ms() - 1:
            raise Invalid("The sandbox clock only moves forward.")
        await self.set_clock(self.clock.frozen_state(freeze, now_ms))
        return self.clock_out()

    async def flush_request_log(self) -> None:
        entries = self.request_log.drain()
        if not entries:
            return
        # One Core executemany, in one unit: ORM objects would each be tracked and have their
        # new id read back, for rows nobody reads again in this process.
        # In transactions of at most REQUEST_LOG_CHUNK rows: on SQLite writes take turns, and
        # a second's requests at once would keep the writes of requests waiting behind them.
        rows = [entry.__dict__ for entry in entries]
        for start in range(0, len(rows), REQUEST_LOG_CHUNK):
            await self.db.run_write(_insert_request_log, rows[start : start + REQUEST_LOG_CHUNK])

    async def aclose(self) -> None:
        await self.nonces.aclose()
        await self.http.aclose()
        await self.db.dispose()


REQUEST_LOG_CHUNK = 100


def _insert_request_log(session: Session, rows: list[dict[str, Any]]) -> None:
    session.connection().execute(insert(cast(Table, RequestLogRow.__table__)), rows)


async def open_platform(settings: Settings) -> Platform:
    await asyncio.to_thread(upgrade, settings.database_url)
    db = Database(
        settings.database_url,
        pool_size=settings.db_pool_size,
        lock_timeout_ms=settings.db_lock_timeout_ms,
    )
    async with db.write() as session:
        boot = await meta.next_boot(session)
        state = await meta.load_clock(session)
        if state is None:
            state = ClockState(0, settings.clock_start_ms, 1)
            await meta.save_clock(session, state)
    clock = Clock(state)
    platform = Platform(
        settings=settings,
        db=db,
        clock=clock,
        market=create_price_source(settings.market, settings.seed),
        ids=IdSource(settings.seed * 1_000_003 + boot),
        http=httpx.AsyncClient(timeout=settings.outbound_timeout_s),
        keys=PlatformKeys(functools.partial(_webhook_private_key, db)),
        nonces=nonce_cache(settings.redis_url),
    )
    await mint_treasury(platform)
    return platform


async def _webhook_private_key(db: Database, client_id: str) -> str:
    async with db.read() as session:
        pem = (
            await session.execute(
                select(Partner.webhook_private_key).where(Partner.client_id == client_id)
            )
        ).scalar_one()
    return str(pem)


async def mint_treasury(platform: Platform) -> None:
    """Give the platform its liquidity, once per asset for the life of the database."""
    amount = money.to_units(Decimal(platform.settings.treasury_amount))
    async with platform.db.write() as session:
        for asset in [*CRYPTOS, *FIATS]:
            if await meta.insert_once(session, f"treasury:{asset}", str(amount)):
                legs = transfer(
                    external_account(WORLD, asset), system_account(PLATFORM, asset), amount
                )
                await post(
                    session,
                    "treasury_mint",
                    legs,
                    at=platform.clock.now_ms(),
                    memo="platform liquidity",
                )
