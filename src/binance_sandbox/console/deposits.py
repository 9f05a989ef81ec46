"""Connect Deposit sessions and Binance Pay payouts in the console: lists with filters, and
each one with its timeline, its webhook deliveries and (payouts) the journal entries it made.
A deposit session's page updates live as the user answers and the partner reports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from binance_sandbox.console.common import (
    COOKIE_PATH,
    control,
    page_router,
    render,
)
from binance_sandbox.console.ledger import views
from binance_sandbox.console.live import Parts, deposit_parts, live, polled
from binance_sandbox.control.errors import Invalid
from binance_sandbox.deposit.lifecycle import SessionStatus
from binance_sandbox.pay.lifecycle import PayoutStatus

DEPOSIT_STATUSES = tuple(s.value for s in SessionStatus)
PAYOUT_STATUSES = tuple(s.value for s in PayoutStatus)

router = page_router()
# What the live pages poll: plain routes, kept out of the request log (see `live.polled`).
api = APIRouter(prefix=f"{COOKIE_PATH}/api")


# --- Connect Deposit sessions ---------------------------------------------------------------


@router.get("/deposits")
async def deposits(
    request: Request,
    partner: str | None = None,
    status: str | None = None,
    user: str | None = None,
) -> Response:
    if status and status not in DEPOSIT_STATUSES:
        raise Invalid("status must be INIT, AUTHORIZED, REJECTED or EXPIRED.")
    svc = control(request)
    rows = await svc.deposits(
        partner_client_id=partner or None,
        status=status or None,
        user_id=user or None,
        limit=200,
        base_url=str(request.base_url),
    )
    return render(
        request,
        "deposits.html",
        sessions=rows,
        partners=await svc.list_partners(),
        statuses=DEPOSIT_STATUSES,
        partner=partner or "",
        status=status or "",
        user=user or "",
    )


async def deposit_view(
    request: Request, deposit_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A session, known by its own id, with its timeline; and its webhook deliveries."""
    partner, external_order_id = await views(request).deposit_key(deposit_id)
    svc = control(request)
    found = await svc.deposit(partner, external_order_id, str(request.base_url))
    deliveries = await svc.webhooks(owner=None, ref=found["depositId"], status=None, limit=100)
    return found, deliveries


@router.get("/deposits/{deposit_id}")
async def deposit(deposit_id: str, request: Request) -> Response:
    found, deliveries = await deposit_view(request, deposit_id)
    version = live(deposit_parts(found, deliveries))["version"]
    return render(request, "deposit.html", d=found, deliveries=deliveries, live_version=version)


@api.get("/deposits/{deposit_id}")
async def deposit_json(deposit_id: str, request: Request) -> Response:
    """What a deposit session's page polls: its status, and its live parts as HTML."""

    async def read() -> tuple[dict[str, Any], Parts]:
        found, deliveries = await deposit_view(request, deposit_id)
        fields = {"depositId": found["depositId"], "status": found["status"]}
        return fields, deposit_parts(found, deliveries)

    return await polled(request, read)


# --- Binance Pay payouts ----------------------------------------------------------------------


@router.get("/pay/payouts")
async def payouts(
    request: Request, merchant: str | None = None, status: str | None = None
) -> Response:
    if status and status not in PAYOUT_STATUSES:
        raise Invalid(f"status must be one of {', '.join(PAYOUT_STATUSES)}.")
    rows = await views(request).payouts(
        merchant_id=merchant or None, status=status or None, limit=200
    )
    return render(
        request,
        "payouts.html",
        payouts=rows,
        merchants=await control(request).list_merchants(),
        statuses=PAYOUT_STATUSES,
        merchant=merchant or "",
        status=status or "",
    )


@router.get("/pay/payouts/{payout_id}")
async def payout(payout_id: str, request: Request) -> Response:
    found = await views(request).payout(payout_id)
    deliveries = await control(request).webhooks(owner=None, ref=payout_id, status=None, limit=100)
    return render(request, "payout.html", p=found, deliveries=deliveries)
