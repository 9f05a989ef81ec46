"""Fault rules and the book that holds them (docs/faults.md).

Rules live in the memory of the process that serves the control API: they act on that
process's API routes and on its embedded delivery worker, not on a separate
`binance-sandbox worker`. A rule with `count` is used up after that many matches (decremented
in the event loop, between two awaits, so two requests never take the same last use); a rule
with `share` matches that fraction of the requests it could, drawn from a seeded source so a
run can be reproduced.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

API_FAMILIES = ("connect", "pay", "wallet")
FAMILIES = (*API_FAMILIES, "merchant", "delivery")

# What each kind of rule may do.
ACTIONS = {
    "connect": ("error", "http504", "latency", "ratelimit"),
    "pay": ("error", "http504", "latency", "ratelimit"),
    "wallet": ("error", "http504", "latency", "ratelimit"),
    "merchant": ("status", "http500"),
    "delivery": ("duplicate", "delay"),
}
SCOPE_KEYS = ("partnerClientId", "merchantId", "userId", "apiKey", "owner")
MAX_LATENCY_MS = 10_000

# The web layer's family names → the fault family that covers them.
ROUTE_FAMILIES = {
    "connect": "connect",
    "pay": "pay",
    "wapi": "wallet",
    "sapi": "wallet",
    "api": "wallet",
}


@dataclass
class FaultRule:
    id: str
    family: str
    scope: dict[str, str]
    endpoint: str
    action: dict[str, Any]
    count: int | None
    share: float | None
    created_at: int
    hits: int = 0

    def out(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "family": self.family,
            "scope": dict(self.scope),
            "endpoint": self.endpoint,
            "action": dict(self.action),
            "count": self.count,
            "share": self.share,
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


@dataclass
class FaultBook:
    seed: int
    rules: dict[str, FaultRule] = field(default_factory=dict)
    _next: int = 0
    _random: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def add(
        self,
        *,
        family: str,
        scope: dict[str, str],
        endpoint: str,
        action: dict[str, Any],
        count: int | None,
        share: float | None,
        now: int,
    ) -> FaultRule:
        self._next += 1
        rule = FaultRule(
            id=f"F{self._next:06d}",
            family=family,
            scope=scope,
            endpoint=endpoint,
            action=action,
            count=count,
            share=share,
            created_at=now,
        )
        self.rules[rule.id] = rule
        return rule

    def remove(self, rule_id: str) -> FaultRule | None:
        return self.rules.pop(rule_id, None)

    def clear(self, partner_client_id: str | None = None) -> None:
        if partner_client_id is None:
            self.rules.clear()
            return
        for rule in list(self.rules.values()):
            if rule.scope.get("partnerClientId") == partner_client_id:
                del self.rules[rule.id]

    def take(self, family: str, path: str, who: Identity) -> FaultRule | None:
        """The first live rule that applies, with one of its uses taken. No await inside:
        the check and the decrement are one step for the event loop."""
        for rule in list(self.rules.values()):
            if rule.family != family or not rule.covers(path) or not who.matches(rule.scope):
                continue
            if rule.share is not None and self._random.random() >= rule.share:
                continue
            rule.hits += 1
            if rule.count is not None:
                rule.count -= 1
                if rule.count <= 0:
                    del self.rules[rule.id]
            return rule
        return None
