"""Money the platform tells the merchant to pay its user: Refund (guide §9.2) and, for sells,
Transfer (guide §9.3). Both are idempotent on the platform's id, by unique constraint: a retry
(or a race of two calls) returns the first call's record and never pays twice.

A refund pays from Binance's account, which holds the user's fiat transfer. A sell transfer is
paid from `external`: the kit does not model how Binance settles sell proceeds with the partner,
only that the user receives them.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

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

FAILED_BY_MERCHANT = "Failed by the merchant."


# Refunds


async def request_refund(ctx: MerchantContext, req: RefundRequest) -> Refund:
    try:
        async with ctx.sessions.begin() as session:
            existing = await _refund(session, req.refund_id)
            if existing is not None:
                return existing
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
                    await _pay_refund(ctx, session, refund)
            return refund
    except IntegrityError:
        # A concurrent call with the same refundId committed first.
        async with ctx.sessions.begin() as session:
            existing = await _refund(session, req.refund_id)
        if existing is None:
            raise
        return existing


async def get_refund(ctx: MerchantContext, refund_id: str) -> Refund:
    async with ctx.sessions.begin() as session:
        return await _known_refund(session, refund_id)


async def complete_refund(ctx: MerchantContext, refund_id: str) -> Refund:
    async with ctx.sessions.begin() as session:
        refund = await _known_refund(session, refund_id, lock=True)
        if refund.status != PayoutStatus.SUCCESS:
            await _pay_refund(ctx, session, refund)
        return refund


async def fail_refund(ctx: MerchantContext, refund_id: str) -> Refund:
    async with ctx.sessions.begin() as session:
        refund = await _known_refund(session, refund_id, lock=True)
        if refund.status != PayoutStatus.FAILED:
            check_transition(
                PAYOUT_TRANSITIONS, f"Refund {refund_id}", refund.status, PayoutStatus.FAILED
            )
            refund.status = PayoutStatus.FAILED
            refund.fail_reason = FAILED_BY_MERCHANT
            refund.updated_at = ctx.clock()
        return refund


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


async def _pay_refund(ctx: MerchantContext, session: AsyncSession, refund: Refund) -> None:
    what = f"Refund {refund.refund_id}"
    check_transition(PAYOUT_TRANSITIONS, what, refund.status, PayoutStatus.SUCCESS)
    now = ctx.clock()
    await ledger.move(
        session,
        from_owner=ledger.BINANCE,
        to_owner=ledger.user_account(refund.user_id),
        currency=refund.currency,
        amount=refund.amount,
        kind="refund",
        reference=refund.refund_id,
        now=now,
    )
    refund.status = PayoutStatus.SUCCESS
    refund.updated_at = now


async def _refund(session: AsyncSession, refund_id: str, *, lock: bool = False) -> Refund | None:
    query = select(Refund).where(Refund.refund_id == refund_id)
    return await session.scalar(query.with_for_update() if lock else query)


async def _known_refund(session: AsyncSession, refund_id: str, *, lock: bool = False) -> Refund:
    refund = await _refund(session, refund_id, lock=lock)
    if refund is None:
        raise NotFound(f"Unknown refundId: {refund_id}.")
    return refund


# Sell transfers


async def request_transfer(ctx: MerchantContext, req: TransferRequest) -> Transfer:
    try:
        async with ctx.sessions.begin() as session:
            existing = await _transfer(session, req.transfer_id)
            if existing is not None:
                return existing
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
                await _pay_transfer(ctx, session, transfer)
            return transfer
    except IntegrityError:
        # A concurrent call with the same transferId committed first.
        async with ctx.sessions.begin() as session:
            existing = await _transfer(session, req.transfer_id)
        if existing is None:
            raise
        return existing


async def get_transfer(ctx: MerchantContext, transfer_id: str) -> Transfer:
    async with ctx.sessions.begin() as session:
        return await _known_transfer(session, transfer_id)


async def complete_transfer(ctx: MerchantContext, transfer_id: str) -> Transfer:
    async with ctx.sessions.begin() as session:
        transfer = await _known_transfer(session, transfer_id, lock=True)
        if transfer.status != PayoutStatus.SUCCESS:
            await _pay_transfer(ctx, session, transfer)
        return transfer


async def fail_transfer(ctx: MerchantContext, transfer_id: str) -> Transfer:
    async with ctx.sessions.begin() as session:
        transfer = await _known_transfer(session, transfer_id, lock=True)
        if transfer.status != PayoutStatus.FAILED:
            check_transition(
                PAYOUT_TRANSITIONS, f"Transfer {transfer_id}", transfer.status, PayoutStatus.FAILED
            )
            transfer.status = PayoutStatus.FAILED
            transfer.fail_reason = FAILED_BY_MERCHANT
            transfer.updated_at = ctx.clock()
        return transfer


async def _pay_transfer(ctx: MerchantContext, session: AsyncSession, transfer: Transfer) -> None:
    what = f"Transfer {transfer.transfer_id}"
    check_transition(PAYOUT_TRANSITIONS, what, transfer.status, PayoutStatus.SUCCESS)
    now = ctx.clock()
    await ledger.move(
        session,
        from_owner=ledger.EXTERNAL,
        to_owner=ledger.user_account(transfer.user_id),
        currency=transfer.currency,
        amount=transfer.amount,
        kind="sell_payout",
        reference=transfer.transfer_id,
        now=now,
    )
    transfer.status = PayoutStatus.SUCCESS
    transfer.updated_at = now


async def _transfer(
    session: AsyncSession, transfer_id: str, *, lock: bool = False
) -> Transfer | None:
    query = select(Transfer).where(Transfer.transfer_id == transfer_id)
    return await session.scalar(query.with_for_update() if lock else query)


async def _known_transfer(
    session: AsyncSession, transfer_id: str, *, lock: bool = False
) -> Transfer:
    transfer = await _transfer(session, transfer_id, lock=lock)
    if transfer is None:
        raise NotFound(f"Unknown transferId: {transfer_id}.")
    return transfer
