"""Fault rules and the book that holds them (docs/faults.md).

Rules are rows of the sandbox's database, so every API process and delivery worker of one
database applies the same rules. Each process keeps a snapshot and reads the table again when
it changes a rule itself, and otherwise at most every `refresh_ms` (500 ms by default): a rule
made through one API process reaches the others within that time.

A rule with `count` is used up after that many matches. The use is taken in the database
(`remaining = remaining - 1 WHERE remaining > 0`), so two requests, in one process or in two,
never take the same last use. A rule with `share` matches that fraction of the requests it
could, drawn from a source seeded with the sandbox's seed, so a run can be reproduced.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update

from binance_sandbox.storage.db import Database
from binance_sandbox.storage.models import FaultRuleRow
from binance_sandbox.storage.snapshot import Snapshot

API_FAMILIES = ("connect", "pay", "wallet")
FAMILIES = (*API_FAMILIES, "merchant", "delivery")

# What each kind of rule may do.
ACTIONS = {
    "connect": ("error", "http504", "latency", "ratelimit"),
    "pay": ("error", "http504", "latency", "ratelimit"),
    "wallet": ("error", "http504", "latency", "ratelimit"),
    "merchant": ("status", "http500"),
    "delivery": ("duplicate", "delay", "reorder", "timeout", "down"),
}
SCOPE_KEYS = ("partnerClientId", "merchantId", "userId", "apiKey", "owner")
MAX_LATENCY_MS = 10_000
PPM = 1_000_000


def rule_id(seq: int) -> str:
    return f"F{seq:06d}"


def rule_seq(rule_id: str) -> int | None:
    digits = rule_id[1:]
    if not rule_id.startswith("F") or not digits.isdigit() or len(digits) > 12:
        return None
    return int(digits)


@dataclass
class FaultRule:
    seq: int
    family: str
    scope: dict[str, str]
    endpoint: str
    action: dict[str, Any]
    count: int | None
    share_ppm: int | None
    created_at: int
    hits: int = 0

    @property
    def id(self) -> str:
        return rule_id(self.seq)

    @classmethod
    def from_row(cls, row: FaultRuleRow) -> FaultRule:
        return cls(
            seq=row.seq,
            family=row.family,
            scope=json.loads(row.scope),
            endpoint=row.endpoint,
            action=json.loads(row.action),
            count=row.remaining,
            share_ppm=row.share_ppm,
            created_at=row.created_at,
            hits=row.hits,
        )

    def out(self) -> dict[str, Any]:
        share = None if self.share_ppm is None else Decimal(self.share_ppm) / PPM
        return {
            "id": self.id,
            "family": self.family,
            "scope": dict(self.scope),
            "endpoint": self.endpoint,
            "action": dict(self.action),
            "count": self.count,
            "share": share,
            "hits": self.hits,
            "createdAt": self.created_at,
        }

    def covers(self, path: str) -> bool:
        return self.endpoint == "*" or path == self.endpoint or path.endswith(self.endpoint)


@dataclass
class Identity:
    """Who a call is for, as far as scopes go."""

    partner_client_id: str | None = None
    merchant_id: str | None = None
    user_id: str | None = None
    api_key: str | None = None
    owner: str | None = None

    def matches(self, scope: dict[str, str]) -> bool:
        mine = {
            "partnerClientId": self.partner_client_id,
            "merchantId": self.merchant_id,
            "userId": self.user_id,
            "apiKey": self.api_key,
            "owner": self.owner,
        }
        return all(mine.get(key) == value for key, value in scope.items())


class FaultBook:
    """The rules of one database, as this process sees them."""

    def __init__(self, db: Database, seed: int, *, refresh_ms: int = 500) -> None:
        self._db = db
        self._random = random.Random(seed)
        self._rules: Snapshot[list[FaultRule]] = Snapshot(
            self._load, [], max_age_s=refresh_ms / 1000
        )

    async def _load(self) -> list[FaultRule]:
        async with self._db.read() as session:
            rows = (
                await session.execute(select(FaultRuleRow).order_by(FaultRuleRow.seq))
            ).scalars()
            return [FaultRule.from_row(row) for row in rows]

    async def refresh(self) -> list[FaultRule]:
        return await self._rules.reload()

    async def add(
        self,
        *,
        family: str,
        scope: dict[str, str],
        endpoint: str,
        action: dict[str, Any],
        count: int | None,
        share: Decimal | None,
        now: int,
    ) -> FaultRule:
        row = FaultRuleRow(
            family=family,
            scope=json.dumps(scope, sort_keys=True),
            endpoint=endpoint,
            action=json.dumps(action, sort_keys=True),
            remaining=count,
            share_ppm=None if share is None else int(share * PPM),
            hits=0,
            created_at=now,
            partner_client_id=scope.get("partnerClientId") or scope.get("owner"),
        )
        async with self._db.write() as session:
            session.add(row)
            await session.flush()
            rule = FaultRule.from_row(row)
        await self.refresh()
        return rule

    async def list(self) -> list[FaultRule]:
        return list(await self.refresh())

    async def remove(self, rule_id: str) -> FaultRule | None:
        seq = rule_seq(rule_id)
        if seq is None:
            return None
        async with self._db.write() as session:
            row = await session.get(FaultRuleRow, seq)
            if row is None:
                return None
            rule = FaultRule.from_row(row)
            await session.delete(row)
        await self.refresh()
        return rule

    async def clear(self, partner_client_id: str | None = None) -> None:
        """Every rule, or those scoped to one partner (its `partnerClientId`, or as `owner`
        of its webhooks)."""
        query = delete(FaultRuleRow)
        if partner_client_id is not None:
            query = query.where(FaultRuleRow.partner_client_id == partner_client_id)
        async with self._db.write() as session:
            await session.execute(query)
        await self.refresh()

    async def any_live(self) -> bool:
        """Whether any rule is live: most of the time none is, and a request then looks no
        further."""
        return bool(await self._rules.get())

    async def take(
        self, family: str, path: str, who: Identity, *, kinds: tuple[str, ...] | None = None
    ) -> FaultRule | None:
        """The first live rule that applies (of the action types `kinds`, when given), with
        one of its uses taken."""
        for rule in await self._rules.get():
            if rule.family != family or not rule.covers(path) or not who.matches(rule.scope):
                continue
            if kinds is not None and rule.action["type"] not in kinds:
                continue
            if rule.share_ppm is not None and self._random.randrange(PPM) >= rule.share_ppm:
                continue
            if await self._use(rule):
                return rule
        return None

    async def _use(self, rule: FaultRule) -> bool:
        """Count one use in the database; False when another request took the last one."""
        async with self._db.write() as session:
            if rule.count is None:
                done = await session.execute(
                    update(FaultRuleRow)
                    .where(FaultRuleRow.seq == rule.seq)
                    .values(hits=FaultRuleRow.hits + 1)
                )
            else:
                done = await session.execute(
                    update(FaultRuleRow)
                    .where(FaultRuleRow.seq == rule.seq, FaultRuleRow.remaining > 0)
                    .values(remaining=FaultRuleRow.remaining - 1, hits=FaultRuleRow.hits + 1)
                )
                await session.execute(
                    delete(FaultRuleRow).where(
                        FaultRuleRow.seq == rule.seq, FaultRuleRow.remaining <= 0
                    )
                )
            used = bool(getattr(done, "rowcount", 0))
        if not used or rule.count is not None:
            # Used up here or elsewhere: forget it now rather than at the next refresh.
            await self.refresh()
        else:
            rule.hits += 1
        return used
