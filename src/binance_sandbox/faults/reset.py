"""Reset: everything, or one partner's data, keeping the ledger's invariants true.

- Whole sandbox: every table but `sandbox_meta` is emptied (settings, the clock and the
  platform's signing keys stay), then the treasury is minted again — a new ledger.
- One partner: its orders, quotes, deposit sessions, webhooks and merchant calls, and its
  users with everything of theirs (API keys, deposit addresses, chain deposits, withdrawals,
  sub-account transfers, dust conversions, dividends, and their pending jobs), each removed by
  its family's `admin.py`. The partner itself stays. Each user's balances are burned back to
  the outside world first, so the totals stay conserved and the audit stays clean; other
  partners' data is never touched. Binance Pay orders a user paid belong to their merchants
  and stay.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from binance_sandbox.connect.admin import find_partner
from binance_sandbox.delivery.admin import delete_owned
from binance_sandbox.deposit.admin import delete_partner_sessions
from binance_sandbox.platform import Platform, mint_treasury
from binance_sandbox.prime.admin import delete_partner_orders
from binance_sandbox.storage.models import Base, Meta, User
from binance_sandbox.wallet.admin_users import remove_user


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
        partner = await find_partner(session, client_id)
        orders = await delete_partner_orders(session, partner.id)
        sessions = await delete_partner_sessions(session, partner.id)
        webhooks = await delete_owned(session, client_id)
        users = list(
            (
                await session.execute(select(User.user_id).where(User.partner_id == partner.id))
            ).scalars()
        )
        for user_id in users:
            await remove_user(session, user_id, now)
    return {
        "reset": client_id,
        "orders": orders,
        "depositSessions": sessions,
        "outboxItems": webhooks,
        "users": len(users),
    }
