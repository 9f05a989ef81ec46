"""Test clocks as stored (`test_clocks`), and which tenants live on one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.admin_errors import Invalid
from binance_sandbox.storage.models import (
    DepositSession,
    Merchant,
    Partner,
    PayOrder,
    TestClock,
    User,
)


async def find(session: AsyncSession, clock_id: str) -> TestClock | None:
    return (
        await session.execute(select(TestClock).where(TestClock.id == clock_id))
    ).scalar_one_or_none()


async def listed(session: AsyncSession) -> list[TestClock]:
    return list(
        (await session.execute(select(TestClock).order_by(TestClock.created_at, TestClock.id)))
        .scalars()
        .all()
    )


async def move(session: AsyncSession, clock_id: str, now_ms: int) -> None:
    """Set the clock to `now_ms`; it never goes back."""
    await session.execute(
        update(TestClock)
        .where(TestClock.id == clock_id, TestClock.now_ms < now_ms)
        .values(now_ms=now_ms, version=TestClock.version + 1)
    )


async def tenants(session: AsyncSession, clock_id: str) -> int:
    """How many partners, merchants and users live on the clock."""
    total = 0
    for model in (Partner, Merchant, User):
        total += (
            await session.execute(
                select(func.count()).select_from(model).where(model.test_clock_id == clock_id)
            )
        ).scalar_one()
    return total


async def now_of(session: AsyncSession, clock_id: str | None) -> int | None:
    """The time of a tenant's `testClockId` as given on its creation (None: no test clock);
    `Invalid` if there is no such clock."""
    if clock_id is None:
        return None
    row = await find(session, clock_id)
    if row is None:
        raise Invalid(f"No test clock {clock_id}.")
    return row.now_ms


# Whose clock an action runs on, when it is not a tenant's own API request (docs/testing.md,
# "Test clocks"): an action on a Pay order runs on its merchant's clock, on a deposit session
# on its partner's, and value arriving from outside the sandbox on the receiving user's.


def of_pay_order(prepay_id: str) -> Select[Any]:
    return (
        select(Merchant.test_clock_id)
        .join(PayOrder, PayOrder.merchant_id == Merchant.merchant_id)
        .where(PayOrder.prepay_id == prepay_id)
    )


def of_deposit_session(session_id: str) -> Select[Any]:
    return (
        select(Partner.test_clock_id)
        .join(DepositSession, DepositSession.partner_id == Partner.id)
        .where(DepositSession.session_id == session_id)
    )


async def of_user(session: AsyncSession, user_id: str) -> str | None:
    return (
        await session.execute(select(User.test_clock_id).where(User.user_id == user_id))
    ).scalar_one_or_none()
