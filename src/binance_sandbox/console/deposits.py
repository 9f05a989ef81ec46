"""Connect Deposit sessions and Binance Pay payouts in the console: lists with filters, and
each one with its timeline, its webhook deliveries and (payouts) the journal entries it made.
A deposit session's page updates live as the user answers and the partner reports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from binance_sandbox.console.common import (
    COOKIE_PATH,
    ledger_views,
    page_router,
    render,
)
from binance_sandbox.console.live import Parts, deposit_parts, live, polled
from binance_sandbox.control.deps import deliveries, deposit_admin, partner_admin, pay_admin
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
    rows = await deposit_admin(request).sessions(
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
        partners=await partner_admin(request).all(),
        statuses=DEPOSIT_STATUSES,
        partner=partner or "",
        status=status or "",
        user=user or "",
    )


async def deposit_view(
    request: Request, deposit_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A session, known by its own id, with its timeline; and its webhook deliveries."""
    admin = deposit_admin(request)
    partner, external_order_id = await admin.session_key(deposit_id)
    found = await admin.session(partner, external_order_id, str(request.base_url))
    sent = await deliveries(request).webhooks(
        owner=None, ref=found["depositId"], status=None, limit=100
    )
    return found, sent


@router.get("/deposits/{deposit_id}")
async def deposit(deposit_id: str, request: Request) -> Response:
    found, sent = await deposit_view(request, deposit_id)
    version = live(deposit_parts(found, sent))["version"]
    return render(request, "deposit.html", d=found, deliveries=sent, live_version=version)


@api.get("/deposits/{deposit_id}")
async def deposit_json(deposit_id: str, request: Request) -> Response:
    """What a deposit session's page polls: its status, and its live parts as HTML."""

    async def read() -> tuple[dict[str, Any], Parts]:
        found, sent = await deposit_view(request, deposit_id)
        fields = {"depositId": found["depositId"], "status": found["status"]}
        return fields, deposit_parts(found, sent)

    return await polled(request, read)


# --- Binance Pay payouts ----------------------------------------------------------------------


@router.get("/pay/payouts")
async def payouts(
    request: Request, merchant: str | None = None, status: str | None = None
) -> Response:
    if status and status not in PAYOUT_STATUSES:
        raise Invalid(f"status must be one of {', '.join(PAYOUT_STATUSES)}.")
    pay = pay_admin(request)
    rows = await pay.payouts(merchant_id=merchant or None, status=status or None, limit=200)
    return render(
        request,
        "payouts.html",
        payouts=rows,
        merchants=await pay.merchants_list(),
        statuses=PAYOUT_STATUSES,
        merchant=merchant or "",
        status=status or "",
    )


@router.get("/pay/payouts/{payout_id}")
async def payout(payout_id: str, request: Request) -> Response:
    found = await pay_admin(request).payout(payout_id)
    found["entries"] = await ledger_views(request).entries_for("pay_payout", payout_id)
    sent = await deliveries(request).webhooks(owner=None, ref=payout_id, status=None, limit=100)
    return render(request, "payout.html", p=found, deliveries=sent)
