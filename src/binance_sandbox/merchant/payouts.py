"""Money the platform tells the merchant to pay its user: Refund (guide §9.2) and, for sells,
Transfer (guide §9.3). Both are idempotent on the platform's id, by unique constraint: a retry
(or a race of two calls) returns the first call's record and never pays twice.

A refund pays from Binance's account, which holds the user's fiat transfer. A sell transfer is
paid from `external`: the kit does not model how Binance settles sell proceeds with the partner,
only that the user receives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from binance_sandbox.merchant import ledger
from binance_sandbox.merchant.amounts import format_units
from binance_sandbox.merchant.context import MerchantContext
from binance_sandbox.merchant.errors import NotFound
from binance_sandbox.merchant.models import FiatTransfer, Refund, Transfer
from binance_sandbox.merchant.payments import refunded_units
from binance_sandbox.merchant.schemas import RefundRequest, TransferRequest
from binance_sandbox.merchant.states import (
    PAYOUT_TRANSITIONS,
    FiatTransferStatus,
    PayoutStatus,
    check_transition,
)
from binance_sandbox.merchant.storage import create_once

FAILED_BY_MERCHANT = "Failed by the merchant."

Payout = TypeVar("Payout", Refund, Transfer)


@dataclass(frozen=True, slots=True)
class _PayoutKind(Generic[Payout]):
    """What tells a refund from a sell transfer: its table and id, and who pays it."""

    model: type[Payout]
    id_column: InstrumentedAttribute[str]
    id_name: str
    """The platform's name of the id, as in `Unknown refundId: …`."""
    label: str
    payer: str
    """The ledger owner the money leaves."""
    entry_kind: str

    def id_of(self, payout: Payout) -> str:
        return str(getattr(payout, self.id_column.key))


_REFUNDS = _PayoutKind(Refund, Refund.refund_id, "refundId", "Refund", ledger.BINANCE, "refund")
_TRANSFERS = _PayoutKind(
    Transfer, Transfer.transfer_id, "transferId", "Transfer", ledger.EXTERNAL, "sell_payout"
)


# Refunds


async def request_refund(ctx: MerchantContext, req: RefundRequest) -> Refund:
    async def create(session: AsyncSession) -> Refund:
        transfer = await session.scalar(
            select(FiatTransfer)
            .where(FiatTransfer.client_order_id == req.client_order_id)
            .with_for_update()
        )
        problem = await _refund_problem(session, transfer, req)
        now = ctx.clock()
        refund = Refund(
            refund_id=req.refund_id,
            refund_reference=ctx.ids.new("RF"),
            order_id=req.order_id,
            client_order_id=req.client_order_id,
            user_id=req.user_id,
            currency=req.fiat_currency,
            amount=req.fiat_amount,
            reason=req.reason,
            status=PayoutStatus.FAILED if problem else PayoutStatus.PENDING,
            fail_reason=problem,
            created_at=now,
            updated_at=now,
        )
        session.add(refund)
        if problem is None:
            assert transfer is not None
            if transfer.order_id is None:
                transfer.order_id = req.order_id
            if ctx.settings.auto_complete_transfers:
                await _pay(ctx, session, _REFUNDS, refund)
        return refund

    return await create_once(
        ctx.sessions, lambda session: _find(session, _REFUNDS, req.refund_id), create
    )


async def get_refund(ctx: MerchantContext, refund_id: str) -> Refund:
    return await _get(ctx, _REFUNDS, refund_id)


async def complete_refund(ctx: MerchantContext, refund_id: str) -> Refund:
    return await _complete(ctx, _REFUNDS, refund_id)


async def fail_refund(ctx: MerchantContext, refund_id: str) -> Refund:
    return await _fail(ctx, _REFUNDS, refund_id)


async def _refund_problem(
    session: AsyncSession, transfer: FiatTransfer | None, req: RefundRequest
) -> str | None:
    """Why this refund cannot be paid, or None."""
    what = f"fiat transfer for clientOrderId {req.client_order_id}"
    if transfer is None or transfer.status != FiatTransferStatus.COMPLETED:
        return f"No completed fiat transfer exists for clientOrderId {req.client_order_id}."
    if transfer.order_id is not None and transfer.order_id != req.order_id:
        return f"clientOrderId {req.client_order_id} belongs to order {transfer.order_id}."
    if transfer.user_id != req.user_id:
        return f"userId {req.user_id} did not make the {what}."
    if transfer.currency != req.fiat_currency:
        return f"The {what} is in {transfer.currency}, not {req.fiat_currency}."
    left = transfer.amount - await refunded_units(session, req.client_order_id)
    if req.fiat_amount > left:
        return (
            f"Refund of {format_units(req.fiat_amount)} {req.fiat_currency} exceeds the"
            f" {format_units(left)} left to refund on clientOrderId {req.client_order_id}."
        )
    return None


# Sell transfers


async def request_transfer(ctx: MerchantContext, req: TransferRequest) -> Transfer:
    async def create(session: AsyncSession) -> Transfer:
        now = ctx.clock()
        transfer = Transfer(
            transfer_id=req.transfer_id,
            transfer_reference=ctx.ids.new("TR"),
            order_id=req.order_id,
            client_order_id=req.client_order_id,
            user_id=req.user_id,
            currency=req.fiat_currency,
            amount=req.fiat_amount,
            status=PayoutStatus.PENDING,
            created_at=now,
            updated_at=now,
        )
        session.add(transfer)
        if ctx.settings.auto_complete_transfers:
            await _pay(ctx, session, _TRANSFERS, transfer)
        return transfer

    return await create_once(
        ctx.sessions, lambda session: _find(session, _TRANSFERS, req.transfer_id), create
    )


async def get_transfer(ctx: MerchantContext, transfer_id: str) -> Transfer:
    return await _get(ctx, _TRANSFERS, transfer_id)


async def complete_transfer(ctx: MerchantContext, transfer_id: str) -> Transfer:
    return await _complete(ctx, _TRANSFERS, transfer_id)


async def fail_transfer(ctx: MerchantContext, transfer_id: str) -> Transfer:
    return await _fail(ctx, _TRANSFERS, transfer_id)


# Both


async def _get(ctx: MerchantContext, kind: _PayoutKind[Payout], payout_id: str) -> Payout:
    async with ctx.sessions.begin() as session:
        return await _known(session, kind, payout_id)


async def _complete(ctx: MerchantContext, kind: _PayoutKind[Payout], payout_id: str) -> Payout:
    async with ctx.sessions.begin() as session:
        payout = await _known(session, kind, payout_id, lock=True)
        if payout.status != PayoutStatus.SUCCESS:
            await _pay(ctx, session, kind, payout)
        return payout


async def _fail(ctx: MerchantContext, kind: _PayoutKind[Payout], payout_id: str) -> Payout:
    async with ctx.sessions.begin() as session:
        payout = await _known(session, kind, payout_id, lock=True)
        if payout.status != PayoutStatus.FAILED:
            what = f"{kind.label} {payout_id}"
            check_transition(PAYOUT_TRANSITIONS, what, payout.status, PayoutStatus.FAILED)
            payout.status = PayoutStatus.FAILED
            payout.fail_reason = FAILED_BY_MERCHANT
            payout.updated_at = ctx.clock()
        return payout


async def _pay(
    ctx: MerchantContext, session: AsyncSession, kind: _PayoutKind[Payout], payout: Payout
) -> None:
    payout_id = kind.id_of(payout)
    what = f"{kind.label} {payout_id}"
    check_transition(PAYOUT_TRANSITIONS, what, payout.status, PayoutStatus.SUCCESS)
    now = ctx.clock()
    await ledger.move(
        session,
        from_owner=kind.payer,
        to_owner=ledger.user_account(payout.user_id),
        currency=payout.currency,
        amount=payout.amount,
        kind=kind.entry_kind,
        reference=payout_id,
        now=now,
    )
    payout.status = PayoutStatus.SUCCESS
    payout.updated_at = now


async def _find(
    session: AsyncSession, kind: _PayoutKind[Payout], payout_id: str, *, lock: bool = False
) -> Payout | None:
    query = select(kind.model).where(kind.id_column == payout_id)
    return await session.scalar(query.with_for_update() if lock else query)


async def _known(
    session: AsyncSession, kind: _PayoutKind[Payout], payout_id: str, *, lock: bool = False
) -> Payout:
    payout = await _find(session, kind, payout_id, lock=lock)
    if payout is None:
        raise NotFound(f"Unknown {kind.id_name}: {payout_id}.")
    return payout
