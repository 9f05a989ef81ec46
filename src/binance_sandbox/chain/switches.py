"""Deposits and withdrawals switched off (and on again) per coin and network at run time.

Binance suspends a network now and then; the Wallet API then answers `-4019` ("Current asset
is not open for withdrawal/deposit") and the coin lists show `withdrawEnable`/`depositEnable`
false. The control API (`/sandbox/v1/networks`) sets these switches. They are rows of
`sandbox_meta` (`network:<coin>:<network>`), so every API process of a database applies
them; each process reads them again at once after changing one itself, and otherwise at
most every `refresh_ms`.
"""

from __future__ import annotations

import dataclasses
import json

from sqlalchemy import select

from binance_sandbox.chain.networks import Network
from binance_sandbox.storage import meta
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.models import Meta
from binance_sandbox.storage.snapshot import Snapshot

PREFIX = "network:"

# (coin, network) -> (withdrawals on, deposits on), for the networks switched at run time.
Switched = dict[tuple[str, str], tuple[bool, bool]]


class NetworkSwitches:
    def __init__(self, db: Database, *, refresh_ms: int = 500) -> None:
        self._db = db
        self._switched = Snapshot(self._load, Switched(), max_age_s=refresh_ms / 1000)

    async def _load(self) -> Switched:
        async with self._db.read() as session:
            rows = await session.execute(
                select(Meta.key, Meta.value).where(Meta.key.like(f"{PREFIX}%"))
            )
            switched = Switched()
            for key, value in rows:
                _prefix, coin, network = key.split(":", 2)
                flags = json.loads(value)
                switched[(coin, network)] = (bool(flags["withdraw"]), bool(flags["deposit"]))
        return switched

    async def refresh(self) -> None:
        await self._switched.reload()

    async def fresh(self) -> NetworkSwitches:
        """This, read again from the database when older than `refresh_ms`."""
        await self._switched.get()
        return self

    def apply(self, net: Network) -> Network:
        """The network as it is now: its published flags, or the switches set on it."""
        flags = self._switched.value.get((net.coin, net.network))
        if flags is None:
            return net
        return dataclasses.replace(net, withdraw_enable=flags[0], deposit_enable=flags[1])

    async def set(self, net: Network, *, withdraw: bool, deposit: bool) -> Network:
        value = json.dumps({"withdraw": withdraw, "deposit": deposit})
        async with self._db.write() as session:
            await meta.put(session, f"{PREFIX}{net.coin}:{net.network}", value)
        await self.refresh()
        return self.apply(net)
