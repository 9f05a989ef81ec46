"""Reset: everything, or one partner's data, keeping the ledger's invariants true.

- Whole sandbox: every table but `sandbox_meta` is emptied (settings, the clock and the
  platform's signing keys stay), then the treasury is minted again — a new ledger.
- One partner: its orders, quotes, deposit sessions, webhooks and merchant calls, and its
  users with everything of theirs (API keys, deposit addresses, chain deposits, withdrawals,
  sub-account transfers, dust conversions, dividends, and their pending jobs). The partner
  itself stays. Each user's balances are burned back to the outside world first (a `faucet`
  entry, the mint/burn kind of control credits), so the totals stay conserved and the audit
  stays clean; other partners' data is never touched. Binance Pay orders a user paid belong
  to their merchants and stay.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.admin_errors import NotFound
from binance_sandbox.ledger.service import WORLD, AccountRef, external_account, post, transfer
from binance_sandbox.platform import Platform, mint_treasury
from binance_sandbox.storage.models import (
    Account,
    Base,
    ChainTransfer,
    DeliveryAttempt,
    DepositAddress,
    DepositReport,
    DepositSession,
    Meta,
    OrderEvent,
    OutboxItem,
    Partner,
    PrimeOrder,
    Quote,
    User,
    WalletAccountStatus,
    WalletApiKey,
    WalletDividend,
    WalletDustLog,
    WalletSubAccount,
    WalletSubAccountTransfer,
    Withdrawal,
)


async def reset_all(platform: Platform) -> dict[str, Any]:
    async with platform.db.write() as session:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != Meta.__tablename__:
                await session.execute(table.delete())
        await session.execute(delete(Meta).where(Meta.key.like("treasury:%")))
        await session.execute(delete(Meta).where(Meta.key.like("network:%")))
    await mint_treasury(platform)
    return {"reset": "all", "nowMs": platform.clock.now_ms()}


async def reset_partner(platform: Platform, client_id: str) -> dict[str, Any]:
    now = platform.clock.now_ms()
    async with platform.db.write() as session:
        partner = (
            await session.execute(select(Partner).where(Partner.client_id == client_id))
        ).scalar_one_or_none()
        if partner is None:
            raise NotFound(f"No partner {client_id}.")
        orders = await _delete_orders(session, partner.id)
        sessions = await _delete_deposit_sessions(session, partner.id)
        outbox_ids = select(OutboxItem.id).where(OutboxItem.owner == client_id)
        await session.execute(
            delete(DeliveryAttempt).where(DeliveryAttempt.outbox_id.in_(outbox_ids))
        )
        webhooks = _deleted(
            await session.execute(delete(OutboxItem).where(OutboxItem.owner == client_id))
        )
        users = list(
            (
                await session.execute(select(User.user_id).where(User.partner_id == partner.id))
            ).scalars()
        )
        for user_id in users:
            await _remove_user(session, user_id, now)
    return {
        "reset": client_id,
        "orders": orders,
        "depositSessions": sessions,
        "outboxItems": webhooks,
        "users": len(users),
    }


async def _delete_orders(session: AsyncSession, partner_id: int) -> int:
    order_ids = select(PrimeOrder.order_id).where(PrimeOrder.partner_id == partner_id)
    await session.execute(delete(OrderEvent).where(OrderEvent.order_ref.in_(order_ids)))
    count = _deleted(
        await session.execute(delete(PrimeOrder).where(PrimeOrder.partner_id == partner_id))
    )
    await session.execute(delete(Quote).where(Quote.partner_id == partner_id))
    return count


async def _delete_deposit_sessions(session: AsyncSession, partner_id: int) -> int:
    ids = select(DepositSession.session_id).where(DepositSession.partner_id == partner_id)
    await session.execute(delete(DepositReport).where(DepositReport.session_id.in_(ids)))
    await session.execute(delete(OrderEvent).where(OrderEvent.order_ref.in_(ids)))
    count = _deleted(
        await session.execute(delete(DepositSession).where(DepositSession.partner_id == partner_id))
    )
    return count


async def _remove_user(session: AsyncSession, user_id: str, now: int) -> None:
    owner = f"user:{user_id}"
    accounts = (
        await session.execute(select(Account).where(Account.owner == owner, Account.balance > 0))
    ).scalars()
    for account in list(accounts):
        legs = transfer(
            AccountRef(owner, account.asset, account.wallet, account.kind),
            external_account(WORLD, account.asset),
            account.balance,
        )
        await post(session, "faucet", legs, at=now, memo=f"partner reset: burn {owner}")
    # Its jobs (chain confirmations, withdrawal steps) and what its wallet did.
    jobs = select(OutboxItem.id).where(OutboxItem.owner == user_id)
    await session.execute(delete(DeliveryAttempt).where(DeliveryAttempt.outbox_id.in_(jobs)))
    await session.execute(delete(OutboxItem).where(OutboxItem.owner == user_id))
    withdrawals = select(Withdrawal.id).where(Withdrawal.user_id == user_id)
    await session.execute(delete(OrderEvent).where(OrderEvent.order_ref.in_(withdrawals)))
    await session.execute(delete(Withdrawal).where(Withdrawal.user_id == user_id))
    await session.execute(delete(ChainTransfer).where(ChainTransfer.user_id == user_id))
    await session.execute(
        delete(WalletSubAccountTransfer).where(
            (WalletSubAccountTransfer.master_user_id == user_id)
            | (WalletSubAccountTransfer.from_user_id == user_id)
            | (WalletSubAccountTransfer.to_user_id == user_id)
        )
    )
    await session.execute(delete(WalletDustLog).where(WalletDustLog.user_id == user_id))
    await session.execute(delete(WalletDividend).where(WalletDividend.user_id == user_id))
    await session.execute(delete(WalletApiKey).where(WalletApiKey.user_id == user_id))
    await session.execute(
        delete(WalletSubAccount).where(
            (WalletSubAccount.user_id == user_id) | (WalletSubAccount.master_user_id == user_id)
        )
    )
    await session.execute(delete(WalletAccountStatus).where(WalletAccountStatus.user_id == user_id))
    await session.execute(delete(DepositAddress).where(DepositAddress.user_id == user_id))
    await session.execute(delete(User).where(User.user_id == user_id))


def _deleted(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
