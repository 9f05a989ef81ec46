"""The merchant's fiat ledger: accounts per (owner, currency) and balanced movements.

Each movement is one `FiatEntry` taking `amount` out of one account and into another, so every
entry balances by construction and the sum of all balances per currency stays zero. Only the
`external` account (where deposits come from) may go negative; for every other account the
debit is a conditional UPDATE, and the table's CHECK constraint backs it up.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.merchant.amounts import format_units
from binance_sandbox.merchant.context import MerchantContext
from binance_sandbox.merchant.errors import InsufficientBalance
from binance_sandbox.merchant.models import FiatAccount, FiatEntry
from binance_sandbox.merchant.storage import upsert

BINANCE = "binance"
"""Binance's fiat settlement account on the merchant's side (guide §6 step 5)."""
EXTERNAL = "external"
"""The world outside the merchant: deposits come from it, sell proceeds are paid from it."""


def user_account(user_id: str) -> str:
    return f"user:{user_id}"


async def account_id(session: AsyncSession, owner: str, currency: str) -> int:
    """The account's id, creating it (race-free) on first use."""
    await session.execute(
        upsert(session, FiatAccount)
        .values(owner=owner, currency=currency, balance=0, may_go_negative=owner == EXTERNAL)
        .on_conflict_do_nothing(index_elements=["owner", "currency"])
    )
    found = await session.scalar(
        select(FiatAccount.id).where(FiatAccount.owner == owner, FiatAccount.currency == currency)
    )
    assert found is not None
    return found


async def move(
    session: AsyncSession,
    *,
    from_owner: str,
    to_owner: str,
    currency: str,
    amount: int,
    kind: str,
    reference: str,
    now: int,
) -> None:
    """Move `amount` (in 10⁻⁸ units) between two accounts, in the caller's transaction."""
    from_id = await account_id(session, from_owner, currency)
    to_id = await account_id(session, to_owner, currency)
    debited = await session.scalar(
        update(FiatAccount)
        .where(
            FiatAccount.id == from_id,
            or_(FiatAccount.balance >= amount, FiatAccount.may_go_negative),
        )
        .values(balance=FiatAccount.balance - amount)
        .returning(FiatAccount.id)
        .execution_options(synchronize_session=False)
    )
    if debited is None:
        have = await session.scalar(select(FiatAccount.balance).where(FiatAccount.id == from_id))
        raise InsufficientBalance(
            f"Insufficient fiat balance: {from_owner} has {format_units(have or 0)} {currency},"
            f" needs {format_units(amount)}."
        )
    await session.execute(
        update(FiatAccount)
        .where(FiatAccount.id == to_id)
        .values(balance=FiatAccount.balance + amount)
        .execution_options(synchronize_session=False)
    )
    session.add(
        FiatEntry(
            currency=currency,
            amount=amount,
            from_account_id=from_id,
            to_account_id=to_id,
            kind=kind,
            reference=reference,
            created_at=now,
        )
    )


async def balances(session: AsyncSession, owner: str) -> dict[str, int]:
    rows = await session.execute(
        select(FiatAccount.currency, FiatAccount.balance)
        .where(FiatAccount.owner == owner)
        .order_by(FiatAccount.currency)
    )
    return {currency: balance for currency, balance in rows}


async def all_accounts(ctx: MerchantContext) -> list[FiatAccount]:
    async with ctx.sessions.begin() as session:
        result = await session.scalars(
            select(FiatAccount).order_by(FiatAccount.currency, FiatAccount.owner)
        )
        return list(result)


async def journal(ctx: MerchantContext, limit: int) -> list[tuple[FiatEntry, str, str]]:
    """The newest entries, each with its from and to owners."""
    source = FiatAccount.__table__.alias("source")
    target = FiatAccount.__table__.alias("target")
    async with ctx.sessions.begin() as session:
        rows = await session.execute(
            select(FiatEntry, source.c.owner, target.c.owner)
            .join(source, source.c.id == FiatEntry.from_account_id)
            .join(target, target.c.id == FiatEntry.to_account_id)
            .order_by(FiatEntry.id.desc())
            .limit(limit)
        )
        return [(entry, from_owner, to_owner) for entry, from_owner, to_owner in rows]
