"""The ledger's invariants, enforced by the database on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from binance_sandbox.ledger.service import (
    InsufficientBalance,
    LedgerError,
    Leg,
    balance,
    external_account,
    post,
    system_account,
    transfer,
    user_account,
)
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.migrate import upgrade
from binance_sandbox.storage.models import Account
from sandbox_harness import create_database


@pytest_asyncio.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    from binance_sandbox.config import normalize_database_url

    url, drop = create_database(tmp_path, "ledger")
    url = normalize_database_url(url)
    await asyncio.to_thread(upgrade, url)
    database = Database(url)
    yield database
    await database.dispose()
    drop()


ALICE = user_account("1001", "BTC")
BOB = user_account("1002", "BTC")
FAUCET = external_account("world:faucet", "BTC")


async def fund(db: Database, units: int) -> None:
    async with db.write() as s:
        await s.run_sync(post, "faucet", transfer(FAUCET, ALICE, units), at=1)


async def test_entries_must_balance_per_asset(db: Database) -> None:
    async with db.write() as s:
        with pytest.raises(LedgerError, match="does not balance"):
            await s.run_sync(post, "adjust", [Leg(ALICE, 5), Leg(BOB, -4)], at=1)
        with pytest.raises(LedgerError, match="does not balance"):
            await s.run_sync(
                post, "adjust", [Leg(ALICE, 5), Leg(user_account("1002", "ETH"), -5)], at=1
            )
        with pytest.raises(LedgerError, match="positive amount"):
            transfer(ALICE, BOB, 0)


async def test_only_mint_and_burn_entries_touch_the_outside(db: Database) -> None:
    async with db.write() as s:
        with pytest.raises(LedgerError, match="cannot touch an external account"):
            await s.run_sync(post, "prime_buy", transfer(FAUCET, ALICE, 10), at=1)


async def test_no_balance_goes_negative_and_nothing_half_written(db: Database) -> None:
    await fund(db, 100)
    with pytest.raises(InsufficientBalance):
        async with db.write() as s:
            await s.run_sync(post, "transfer", transfer(ALICE, BOB, 101), at=2)
    async with db.read() as s:
        assert await s.run_sync(balance, ALICE) == 100
        assert await s.run_sync(balance, BOB) == 0


async def test_the_database_itself_refuses_a_negative_balance(db: Database) -> None:
    await fund(db, 1)
    with pytest.raises(IntegrityError):
        async with db.write() as s:
            await s.execute(text("UPDATE accounts SET balance = -5 WHERE owner = 'user:1001'"))


async def test_concurrent_debits_never_overdraw(db: Database) -> None:
    await fund(db, 10)

    async def spend() -> bool:
        try:
            async with db.write() as s:
                await s.run_sync(post, "transfer", transfer(ALICE, BOB, 3), at=3)
            return True
        except InsufficientBalance:
            return False

    results = await asyncio.gather(*(spend() for _ in range(8)))
    assert results.count(True) == 3
    async with db.read() as s:
        assert await s.run_sync(balance, ALICE) == 1 and await s.run_sync(balance, BOB) == 9
        accounts = (
            (await s.execute(select(Account).where(Account.kind != "external"))).scalars().all()
        )
        assert sum(a.balance for a in accounts if a.asset == "BTC") == 10


async def test_system_accounts_cannot_go_negative_either(db: Database) -> None:
    with pytest.raises(InsufficientBalance):
        async with db.write() as s:
            await s.run_sync(
                post, "prime_buy", transfer(system_account("platform", "BTC"), ALICE, 1), at=1
            )
