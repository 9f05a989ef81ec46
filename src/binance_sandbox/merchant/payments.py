"""The buy side: the merchant's users' fiat, and Check Transaction (guide §6 step 5, §9.1).

Before executing a buy quote the partner moves the user's fiat into Binance's account on its
own side (a `FiatTransfer`, keyed by the order's clientOrderId); Binance then asks Check
Transaction whether that fiat has arrived.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.merchant import ledger
from binance_sandbox.merchant.amounts import format_units
from binance_sandbox.merchant.context import MerchantContext
from binance_sandbox.merchant.errors import DuplicateClientOrderId, InvalidStatus, NotFound
from binance_sandbox.merchant.models import FiatTransfer, Refund
from binance_sandbox.merchant.schemas import CheckTransactionRequest, FiatTransferRequest
from binance_sandbox.merchant.states import (
    FIAT_TRANSFER_TRANSITIONS,
    CheckStatus,
    FiatTransferStatus,
    PayoutStatus,
    check_transition,
)
from binance_sandbox.merchant.storage import create_once


async def credit_user(ctx: MerchantContext, user_id: str, currency: str, amount: int) -> None:
    """Fund a user's fiat account from outside (a deposit into the partner's app)."""
    async with ctx.sessions.begin() as session:
        await ledger.move(
            session,
            from_owner=ledger.EXTERNAL,
            to_owner=ledger.user_account(user_id),
            currency=currency,
            amount=amount,
            kind="deposit",
            reference=ctx.ids.new("DEP"),
            now=ctx.clock(),
        )


async def user_balances(ctx: MerchantContext, user_id: str) -> dict[str, int]:
    async with ctx.sessions.begin() as session:
        return await ledger.balances(session, ledger.user_account(user_id))


async def create_fiat_transfer(ctx: MerchantContext, req: FiatTransferRequest) -> FiatTransfer:
    """Move the user's fiat to Binance's account; idempotent on clientOrderId."""

    async def existing(session: AsyncSession) -> FiatTransfer | None:
        found = await _by_client_order_id(session, req.client_order_id)
        return None if found is None else _same_transfer(found, req)

    async def create(session: AsyncSession) -> FiatTransfer:
        now = ctx.clock()
        transfer = FiatTransfer(
            transaction_id=ctx.ids.new("FT"),
            client_order_id=req.client_order_id,
            user_id=req.user_id,
            currency=req.fiat_currency,
            amount=req.amount,
            status=FiatTransferStatus.COMPLETED,
            check_polls=0,
            confirmed=False,
            created_at=now,
            updated_at=now,
        )
        session.add(transfer)
        await ledger.move(
            session,
            from_owner=ledger.user_account(req.user_id),
            to_owner=ledger.BINANCE,
            currency=req.fiat_currency,
            amount=req.amount,
            kind="fiat_transfer",
            reference=transfer.transaction_id,
            now=now,
        )
        return transfer

    return await create_once(ctx.sessions, existing, create)


async def get_fiat_transfer(ctx: MerchantContext, client_order_id: str) -> FiatTransfer:
    async with ctx.sessions.begin() as session:
        transfer = await _by_client_order_id(session, client_order_id)
    if transfer is None:
        raise NotFound(f"Unknown clientOrderId: {client_order_id}.")
    return transfer


async def fail_fiat_transfer(ctx: MerchantContext, client_order_id: str) -> FiatTransfer:
    """Mark the transfer failed and give the fiat back to the user (a bounced payment)."""
    async with ctx.sessions.begin() as session:
        transfer = await _by_client_order_id(session, client_order_id, lock=True)
        if transfer is None:
            raise NotFound(f"Unknown clientOrderId: {client_order_id}.")
        if transfer.status == FiatTransferStatus.FAILED:
            return transfer
        what = f"The fiat transfer for clientOrderId {client_order_id}"
        if transfer.confirmed:
            raise InvalidStatus(f"{what} was already confirmed to Binance as COMPLETED.")
        if await refunded_units(session, client_order_id):
            raise InvalidStatus(f"{what} has been refunded.")
        check_transition(
            FIAT_TRANSFER_TRANSITIONS, what, transfer.status, FiatTransferStatus.FAILED
        )
        now = ctx.clock()
        await ledger.move(
            session,
            from_owner=ledger.BINANCE,
            to_owner=ledger.user_account(transfer.user_id),
            currency=transfer.currency,
            amount=transfer.amount,
            kind="fiat_transfer_reversal",
            reference=transfer.transaction_id,
            now=now,
        )
        transfer.status = FiatTransferStatus.FAILED
        transfer.updated_at = now
        return transfer


async def check_transaction(
    ctx: MerchantContext, req: CheckTransactionRequest
) -> tuple[str | None, CheckStatus]:
    """Has the fiat for this order arrived in Binance's account? (guide §9.1)

    Returns the merchant's transactionId (None while there is no transfer) and the status.
    """
    async with ctx.sessions.begin() as session:
        transfer = await _by_client_order_id(session, req.client_order_id, lock=True)
        if transfer is None:
            return None, CheckStatus.PENDING
        if transfer.order_id is None:
            transfer.order_id = req.order_id
            transfer.updated_at = ctx.clock()
        if transfer.status == FiatTransferStatus.FAILED or not _matches(transfer, req):
            return transfer.transaction_id, CheckStatus.FAILED
        if not transfer.confirmed:
            transfer.check_polls += 1
            if transfer.check_polls <= ctx.settings.check_pending_polls:
                return transfer.transaction_id, CheckStatus.PENDING
            transfer.confirmed = True
            transfer.updated_at = ctx.clock()
        return transfer.transaction_id, CheckStatus.COMPLETED


def _matches(transfer: FiatTransfer, req: CheckTransactionRequest) -> bool:
    return (
        transfer.order_id == req.order_id
        and transfer.user_id == req.user_id
        and transfer.currency == req.fiat_currency
        and transfer.amount >= req.fiat_amount
    )


async def refunded_units(session: AsyncSession, client_order_id: str) -> int:
    """What has been (or is being) refunded on this clientOrderId."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.client_order_id == client_order_id, Refund.status != PayoutStatus.FAILED
        )
    )
    return int(total or 0)


async def _by_client_order_id(
    session: AsyncSession, client_order_id: str, *, lock: bool = False
) -> FiatTransfer | None:
    query = select(FiatTransfer).where(FiatTransfer.client_order_id == client_order_id)
    return await session.scalar(query.with_for_update() if lock else query)


def _same_transfer(existing: FiatTransfer, req: FiatTransferRequest) -> FiatTransfer:
    if (existing.user_id, existing.currency, existing.amount) != (
        req.user_id,
        req.fiat_currency,
        req.amount,
    ):
        raise DuplicateClientOrderId(
            f"clientOrderId {req.client_order_id} is already used by a fiat transfer of"
            f" {format_units(existing.amount)} {existing.currency} for user {existing.user_id}."
        )
    return existing
