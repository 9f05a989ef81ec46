"""The long-lived resources of one process, created in the app's lifespan and passed in."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

import httpx
from sqlalchemy import Select, Table, insert, select
from sqlalchemy.orm import Session

from binance_sandbox.cache import MemoryNonceCache, NonceCache, nonce_cache
from binance_sandbox.clock import Clock, ClockState, pin
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
from binance_sandbox.storage import test_clocks as stored_test_clocks
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
    # The clock as stored: other processes may move it (CLOCK_MAX_AGE_S).
    # Test clocks' times as last read: (when read, monotonic s; now_ms), CLOCK_MAX_AGE_S.
    _test_clocks: dict[str, tuple[float, int]] = field(init=False, default_factory=dict)
    _flushing: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)
    _stored_clock: Snapshot[ClockState | None] = field(init=False)

    def __post_init__(self) -> None:
        self._stored_clock = Snapshot(
            self._load_clock, None, max_age_s=CLOCK_MAX_AGE_S, kept=self._apply_clock
        )
        # A platform is made with the clock just read from its database.
        self._stored_clock.put(self.clock.state)

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
        # Held as read: the clock's listeners (the worker) see the move at once.
        self._stored_clock.put(state)

    # -- test clocks: a tenant's own frozen clock (docs/testing.md) ---------------------------

    async def test_clock_now(self, clock_id: str) -> int:
        """The test clock's time; another process may move it (seen within CLOCK_MAX_AGE_S)."""
        held = self._test_clocks.get(clock_id)
        if held is not None and time.monotonic() - held[0] < CLOCK_MAX_AGE_S:
            return held[1]
        async with self.db.read() as session:
            row = await stored_test_clocks.find(session, clock_id)
        if row is None:
            raise LookupError(f"no test clock {clock_id}")
        self.saw_test_clock(clock_id, row.now_ms)
        return self._test_clocks[clock_id][1]

    def saw_test_clock(self, clock_id: str, now_ms: int) -> None:
        held = self._test_clocks.get(clock_id)
        # A read that raced with a move must never take the clock back.
        self._test_clocks[clock_id] = (time.monotonic(), max(now_ms, held[1] if held else 0))

    async def act_for(self, test_clock_id: str | None) -> None:
        """The current request acts for a tenant: on a test clock, it runs at that clock's time
        (`binance_sandbox.clock`; the request chain unpins on its way out)."""
        if test_clock_id is not None:
            pin(test_clock_id, await self.test_clock_now(test_clock_id))

    async def act_for_stored(self, clock_of: Select[Any]) -> None:
        """`act_for` the tenant whose test clock `clock_of` selects (storage/test_clocks.py):
        one read statement, no session."""
        rows = await self.db.rows(clock_of)
        await self.act_for(rows[0][0] if rows else None)

    # -- the global clock as the control API shows it (delivery/clocks.py moves it) ---------

    def clock_out(self) -> dict[str, Any]:
        return {"nowMs": self.clock.global_now_ms(), "frozen": self.clock.frozen}

    async def flush_request_log(self) -> None:
        # One flush at a time: a read that flushes first waits for a flush under way, so a
        # request already answered is in what it reads.
        async with self._flushing:
            await self._flush_request_log()

    async def _flush_request_log(self) -> None:
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
                await session.run_sync(
                    post,
                    "treasury_mint",
                    legs,
                    at=platform.clock.now_ms(),
                    memo="platform liquidity",
                )
