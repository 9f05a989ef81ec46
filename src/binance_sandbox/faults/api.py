"""Faults on the API families' own operations: the request chain's fault hook
(`binance_sandbox.web.chain.FaultHook`), applied once authentication knows the caller.

`before` runs between authentication and the handler; `after` sees the answer. What a fault
looks like in a family (its caller's identity, an error of a given code, its rate-limited
answer) the family itself gives, so this module names none of them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from binance_sandbox.faults.rules import MAX_LATENCY_MS, FaultBook, Identity
from binance_sandbox.web.chain import ApiFamily, Exchange

_UNKNOWN_OUTCOME = "fault_504"


@dataclass
class ApiFaults:
    book: FaultBook

    async def before(self, family: ApiFamily[Any], exchange: Exchange) -> None:
        if not await self.book.any_live():
            return
        rule = await self.book.take(
            family.fault_family,
            exchange.request.scope["path"],
            Identity(**family.identity(exchange)),
        )
        if rule is None:
            return
        kind = rule.action["type"]
        if kind == "latency":
            await asyncio.sleep(min(int(rule.action.get("ms", 0)), MAX_LATENCY_MS) / 1000)
        elif kind == "error":
            message = rule.action.get("message") or "Injected by a sandbox fault rule."
            raise family.injected_error(str(rule.action["code"]), message)
        elif kind == "ratelimit":
            raise family.rate_limited()
        elif kind == "http504":
            exchange.notes[_UNKNOWN_OUTCOME] = rule.id

    def after(self, exchange: Exchange, response: Response) -> Response:
        if _UNKNOWN_OUTCOME not in exchange.notes:
            return response
        # The operation ran; the caller only learns that the outcome is unknown.
        return Response(status_code=504)
