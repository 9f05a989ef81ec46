"""The simulated chains in the console: transfers arriving on chain (chain deposits) and
Wallet withdrawals, each with its steps, the journal entries it made, and what it is linked
to; and an operator's cancel, reject or fail of a withdrawal that has not gone out. A
withdrawal's and a chain deposit's pages update live as the sandbox clock moves them along."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from binance_sandbox.chain.admin import WITHDRAW_STATUSES, transfer_view
from binance_sandbox.chain.lifecycle import TransferStatus
from binance_sandbox.chain.networks import COINS
from binance_sandbox.console.common import (
    COOKIE_PATH,
    back,
    ledger_views,
    page_router,
    render,
)
from binance_sandbox.console.live import Parts, chain_deposit_parts, live, polled, withdrawal_parts
from binance_sandbox.control.deps import chain_admin
from binance_sandbox.control.errors import Invalid

TRANSFER_STATUSES = tuple(s.value for s in TransferStatus)
NETWORKS = sorted({n.network for nets in COINS.values() for n in nets})
OUTCOMES = ("cancel", "reject", "fail")

router = page_router()
# What the live pages poll: plain routes, kept out of the request log (see `live.polled`).
api = APIRouter(prefix=f"{COOKIE_PATH}/api")


async def chain_deposit_view(request: Request, tx_hash: str) -> dict[str, Any]:
    """A transfer with its steps, what it is linked to, and the journal entries it made."""
    t = await chain_admin(request).transfer(tx_hash)
    return {**t, "entries": await ledger_views(request).entries_for("chain_transfer", tx_hash)}


async def withdrawal_view(request: Request, withdrawal_id: str) -> dict[str, Any]:
    """A withdrawal with its steps, the transfer it sent, and the journal entries it made."""
    w = await chain_admin(request).withdrawal(withdrawal_id)
    return {**w, "entries": await ledger_views(request).entries_for("withdrawal", w["id"])}


@router.get("/chain/deposits")
async def chain_deposits(
    request: Request,
    status: str | None = None,
    network: str | None = None,
    user: str | None = None,
) -> Response:
    if status and status not in TRANSFER_STATUSES:
        raise Invalid(f"status must be one of {', '.join(TRANSFER_STATUSES)}.")
    if network and network not in NETWORKS:
        raise Invalid(f"network must be one of {', '.join(NETWORKS)}.")
    rows = await chain_admin(request).transfers(
        status=status or None,
        network=network or None,
        user_id=user or None,
        limit=200,
        shape=transfer_view,
    )
    return render(
        request,
        "chain_deposits.html",
        transfers=rows,
        statuses=TRANSFER_STATUSES,
        networks=NETWORKS,
        status=status or "",
        network=network or "",
        user=user or "",
    )


@router.get("/chain/deposits/{tx_hash}")
async def chain_deposit(tx_hash: str, request: Request) -> Response:
    t = await chain_deposit_view(request, tx_hash)
    version = live(chain_deposit_parts(t))["version"]
    return render(request, "chain_deposit.html", t=t, live_version=version)


@api.get("/chain/deposits/{tx_hash}")
async def chain_deposit_json(tx_hash: str, request: Request) -> Response:
    """What a chain deposit's page polls: its status, and its live parts as HTML."""

    async def read() -> tuple[dict[str, Any], Parts]:
        t = await chain_deposit_view(request, tx_hash)
        return {"txHash": t["txHash"], "status": t["status"]}, chain_deposit_parts(t)

    return await polled(request, read)


@router.get("/withdrawals")
async def withdrawals(
    request: Request,
    user: str | None = None,
    status: str | None = None,
    asset: str | None = None,
) -> Response:
    code = None
    if status:
        if status not in {str(s) for s in WITHDRAW_STATUSES}:
            raise Invalid("status must be a withdrawal status from 0 to 6.")
        code = int(status)
    rows = await chain_admin(request).withdrawals(
        user_id=user or None, status=code, asset=asset or None, limit=200
    )
    return render(
        request,
        "withdrawals.html",
        withdrawals=rows,
        statuses=WITHDRAW_STATUSES,
        status=status or "",
        user=user or "",
        asset=asset or "",
    )


@router.get("/withdrawals/{withdrawal_id}")
async def withdrawal(withdrawal_id: str, request: Request) -> Response:
    w = await withdrawal_view(request, withdrawal_id)
    version = live(withdrawal_parts(w, OUTCOMES))["version"]
    return render(request, "withdrawal.html", w=w, outcomes=OUTCOMES, live_version=version)


@api.get("/withdrawals/{withdrawal_id}")
async def withdrawal_json(withdrawal_id: str, request: Request) -> Response:
    """What a withdrawal's page polls: its status, and its live parts as HTML."""

    async def read() -> tuple[dict[str, Any], Parts]:
        w = await withdrawal_view(request, withdrawal_id)
        fields = {"id": w["id"], "status": w["status"], "statusName": w["statusName"]}
        return fields, withdrawal_parts(w, OUTCOMES)

    return await polled(request, read)


@router.post("/withdrawals/{withdrawal_id}/{outcome}")
async def resolve_withdrawal(withdrawal_id: str, outcome: str, request: Request) -> Response:
    """As `POST /sandbox/v1/withdrawals/{id}/cancel|reject|fail`: amount and fee go back."""
    if outcome not in OUTCOMES:
        raise Invalid("cancel, reject or fail.")
    await chain_admin(request).resolve_withdrawal(withdrawal_id, outcome)
    return back(f"{COOKIE_PATH}/withdrawals/{withdrawal_id}")
