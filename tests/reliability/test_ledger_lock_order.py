"""The ledger locks the accounts of an entry in one global order, whichever way the money
moves: two entries moving money opposite ways between the same accounts then never wait on
each other in a cycle (a deadlock on PostgreSQL, found by the bank test)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import event

from binance_sandbox.config import normalize_database_url
from binance_sandbox.ledger.service import external_account, post, transfer, user_account
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.migrate import upgrade
from sandbox_harness import create_database

ALICE = user_account("1001", "USDT")
BOB = user_account("1002", "USDT", "FUNDING")
FAUCET = external_account("world:faucet", "USDT")


async def test_opposite_transfers_lock_accounts_in_the_same_order(tmp_path: Path) -> None:
    url, drop = create_database(tmp_path, "lockorder")
    url = normalize_database_url(url)
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    updated: list[int] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        # `UPDATE accounts SET balance=… WHERE accounts.id = ?`: keep the account's id.
        if statement.startswith("UPDATE accounts SET balance"):
            if isinstance(params, dict):
                updated.append(next(v for k, v in params.items() if k.startswith("id")))
            else:
                updated.append(params[-1])

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        async with db.write() as s:
            await s.run_sync(post, "faucet", transfer(FAUCET, ALICE, 100), at=1)
            await s.run_sync(post, "faucet", transfer(FAUCET, BOB, 100), at=1)
        orders = []
        for src, dst in ((ALICE, BOB), (BOB, ALICE)):
            updated.clear()
            async with db.write() as s:
                await s.run_sync(post, "sub_account_transfer", transfer(src, dst, 10), at=2)
            orders.append(list(updated))
        # The same two accounts, updated in the same order both ways.
        assert len(orders[0]) == 2 and orders[0] == orders[1], orders
    finally:
        await db.dispose()
        drop()
