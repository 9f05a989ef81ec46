"""Faults on the API families' own routes, applied once authentication knows the caller.

`before` runs after the route's dependencies (authentication) and before the endpoint's body;
`after` sees the answer. The web layer calls both (`binance_sandbox.web.RequestHook`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from fastapi import Request
from starlette.responses import Response

from binance_sandbox.connect import errors as connect_errors
from binance_sandbox.faults.rules import MAX_LATENCY_MS, ROUTE_FAMILIES, FaultBook, Identity
from binance_sandbox.pay import errors as pay_errors
from binance_sandbox.wallet import errors as wallet_errors
from binance_sandbox.web import noted

_UNKNOWN_OUTCOME = "bsx_fault_504"


def identity(fault_family: str, request: Request) -> Identity:
    caller = noted(request, "caller")
    if fault_family == "connect":
        return Identity(partner_client_id=caller)
    if fault_family == "pay":
        return Identity(merchant_id=caller)
    return Identity(user_id=caller, api_key=request.headers.get("x-mbx-apikey", "").strip())


def injected_error(route_family: str, code: str, message: str | None) -> Exception:
    """An error of the route's family carrying the rule's code, for its own renderer."""
    text = message or "Injected by a sandbox fault rule."
    if route_family == "connect":
        known = {cls.code: cls for cls in connect_errors.ConnectError.__subclasses__()}
        connect_error = known.get(code, connect_errors.ConnectError)(text)
        connect_error.code = code
        return connect_error
    if route_family == "pay":
        pay_error = pay_errors.PayError(text)
        pay_error.code = code
        return pay_error
    wallet_error = wallet_errors.WalletError(text)
    try:
        wallet_error.code = int(code)
    except ValueError:
        wallet_error.code = wallet_errors.WalletError.code
    return wallet_error


def rate_limited(route_family: str) -> Exception:
    # Connect: SYS_BUSY, retried after 1–2 s (guide §11); Pay: 400000; Wallet: 429.
    if route_family == "connect":
        return connect_errors.SysBusy("System busy, please retry in 1-2 seconds.")
    if route_family == "pay":
        return pay_errors.UnknownError("Too many requests; try again later.")
    return wallet_errors.TooManyRequests(
        "Too many requests; current limit is reached (sandbox fault).",
        retry_after_s=1,
        used_weight=0,
    )


@dataclass
class ApiFaults:
    book: FaultBook

    async def before(self, route_family: str, request: Request) -> None:
        fault_family = ROUTE_FAMILIES.get(route_family)
        if fault_family is None or not await self.book.any_live():
            return
        rule = await self.book.take(
            fault_family, request.scope["path"], identity(fault_family, request)
        )
        if rule is None:
            return
        kind = rule.action["type"]
        if kind == "latency":
            await asyncio.sleep(min(int(rule.action.get("ms", 0)), MAX_LATENCY_MS) / 1000)
        elif kind == "error":
            raise injected_error(route_family, str(rule.action["code"]), rule.action.get("message"))
        elif kind == "ratelimit":
            raise rate_limited(route_family)
        elif kind == "http504":
            setattr(request.state, _UNKNOWN_OUTCOME, rule.id)

    def after(self, route_family: str, request: Request, response: Response) -> Response:
        if noted(request, _UNKNOWN_OUTCOME) is None:
            return response
        # The operation ran; the caller only learns that the outcome is unknown.
        return Response(status_code=504)
