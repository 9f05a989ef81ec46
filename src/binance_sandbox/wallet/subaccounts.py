"""Sub-accounts: sandbox users owned by a master user. The master's key lists them, reads
their SPOT balances and moves assets between itself and them (ledger kind
`sub_account_transfer`); transfer history is kept per sub-account email."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import InsufficientBalance, balances_of, post, transfer
from binance_sandbox.ledger.service import user_account as ledger_account
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import User, WalletSubAccount, WalletSubAccountTransfer
from binance_sandbox.wallet import errors
from binance_sandbox.wallet.params import invalid

SPOT = "SPOT"
HISTORY_DEFAULT_MS = 100 * 86_400_000  # "Default return the history with in 100 days"


@dataclass(frozen=True)
class Member:
    """The master or one of its sub-accounts, as a transfer sees it."""

    user_id: str
    email: str
    enabled: bool


def sub_account_out(sub: WalletSubAccount, email: str) -> dict[str, Any]:
    return {
        "email": email,
        "status": sub.status,
        "activated": sub.activated,
        "mobile": sub.mobile,
        "gAuth": sub.g_auth,
        "createTime": sub.created_at,
    }


class SubAccountService:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    async def _sub_by_email(
        self, session: AsyncSession, master_user_id: str, email: str
    ) -> tuple[WalletSubAccount, User]:
        row = (
            await session.execute(
                select(WalletSubAccount, User)
                .join(User, User.user_id == WalletSubAccount.user_id)
                .where(WalletSubAccount.master_user_id == master_user_id, User.email == email)
            )
        ).first()
        if row is None:
            raise errors.NotRelated()
        return row[0], row[1]

    async def _member(self, session: AsyncSession, master_user_id: str, email: str) -> Member:
        master = (
            await session.execute(select(User).where(User.user_id == master_user_id))
        ).scalar_one_or_none()
        if master is not None and master.email == email:
            return Member(master.user_id, master.email, True)
        sub, user = await self._sub_by_email(session, master_user_id, email)
        return Member(user.user_id, user.email, sub.status == "enabled")

    async def list(
        self,
        master_user_id: str,
        *,
        email: str | None,
        status: str | None,
        offset: int,
        limit: int,
    ) -> dict[str, Any]:
        if status is not None and status not in ("enabled", "disabled"):
            raise invalid("status")
        stmt = (
            select(WalletSubAccount, User.email)
            .join(User, User.user_id == WalletSubAccount.user_id)
            .where(WalletSubAccount.master_user_id == master_user_id)
        )
        if email is not None:
            stmt = stmt.where(User.email == email)
        if status is not None:
            stmt = stmt.where(WalletSubAccount.status == status)
        stmt = stmt.order_by(WalletSubAccount.created_at, User.id).offset(offset).limit(limit)
        async with self.p.db.read() as session:
            rows = (await session.execute(stmt)).all()
        return {"success": True, "subAccounts": [sub_account_out(s, e) for s, e in rows]}

    async def assets(
        self, master_user_id: str, *, email: str, symbol: str | None
    ) -> dict[str, Any]:
        async with self.p.db.read() as session:
            _sub, user = await self._sub_by_email(session, master_user_id, email)
            accounts = await session.run_sync(balances_of, f"user:{user.user_id}")
        held = {a.asset: a.balance for a in accounts if a.wallet == SPOT}
        if symbol is not None:
            held = {symbol: held.get(symbol, 0)}
        else:
            held = {asset: units for asset, units in held.items() if units}
        return {
            "success": True,
            "balances": [
                {"asset": asset, "free": money.from_units(units).normalize(), "locked": 0}
                for asset, units in sorted(held.items())
            ],
        }

    async def transfer(
        self,
        master_user_id: str,
        *,
        from_email: str,
        to_email: str,
        asset: str,
        amount: Decimal,
    ) -> dict[str, Any]:
        if amount <= 0:
            raise errors.InvalidParameter("Data sent for parameter 'amount' is not valid.")
        if money.places_of(amount) > money.SCALE:
            raise errors.BadPrecision()
        units = money.to_units(amount)
        now = self.p.clock.now_ms()
        txn_id = self.p.ids.digits(10)
        try:
            async with self.p.db.write() as session:
                src = await self._member(session, master_user_id, from_email)
                dst = await self._member(session, master_user_id, to_email)
                if src.user_id == dst.user_id:
                    raise errors.SameAccount("fromEmail and toEmail must be different accounts.")
                for member in (src, dst):
                    if not member.enabled:
                        raise errors.SubAccountDisabled(f"Sub-account {member.email} is disabled.")
                session.add(
                    WalletSubAccountTransfer(
                        txn_id=txn_id,
                        master_user_id=master_user_id,
                        from_user_id=src.user_id,
                        to_user_id=dst.user_id,
                        from_email=src.email,
                        to_email=dst.email,
                        asset=asset,
                        amount=units,
                        created_at=now,
                    )
                )
                await session.flush()
                try:
                    async with session.begin_nested():
                        await session.run_sync(
                            post,
                            "sub_account_transfer",
                            transfer(
                                ledger_account(src.user_id, asset),
                                ledger_account(dst.user_id, asset),
                                units,
                            ),
                            at=now,
                            ref_type="sub_account_transfer",
                            ref_id=txn_id,
                        )
                except InsufficientBalance as exc:
                    raise errors.InsufficientBalance(
                        f"{src.email} has insufficient {asset} balance."
                    ) from exc
        except IntegrityError as exc:
            # A txnId drawn twice: vanishingly rare; the caller may simply retry.
            raise errors.Busy() from exc
        return {"success": True, "txnId": txn_id}

    async def history(
        self,
        master_user_id: str,
        *,
        email: str,
        start: int | None,
        end: int | None,
        offset: int,
        limit: int,
    ) -> dict[str, Any]:
        until = end if end is not None else self.p.clock.now_ms()
        since = start if start is not None else until - HISTORY_DEFAULT_MS
        async with self.p.db.read() as session:
            _sub, user = await self._sub_by_email(session, master_user_id, email)
            rows = (
                await session.execute(
                    select(WalletSubAccountTransfer)
                    .where(
                        or_(
                            WalletSubAccountTransfer.from_user_id == user.user_id,
                            WalletSubAccountTransfer.to_user_id == user.user_id,
                        ),
                        WalletSubAccountTransfer.created_at >= since,
                        WalletSubAccountTransfer.created_at <= until,
                    )
                    .order_by(WalletSubAccountTransfer.created_at, WalletSubAccountTransfer.id)
                    .offset(offset)
                    .limit(limit)
                )
            ).scalars()
            transfers = [
                {
                    "from": t.from_email,
                    "to": t.to_email,
                    "asset": t.asset,
                    "qty": format(money.from_units(t.amount).normalize(), "f"),
                    "time": t.created_at,
                }
                for t in rows
            ]
        return {"success": True, "transfers": transfers}
