"""What the control API and the console do for users, as after Binance Link KYC: create them
(for a partner, or as a Wallet API sub-account), list them, show and credit their balances
(the faucet), give their deposit addresses, and remove them with everything of theirs.
Errors are the control API's own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.admin_errors import Conflict, Invalid, NotFound
from binance_sandbox.chain.admin import forget_user
from binance_sandbox.chain.errors import ChainError
from binance_sandbox.chain.service_addresses import AddressService
from binance_sandbox.connect.admin import find_partner
from binance_sandbox.delivery.admin import delete_owned
from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import (
    WORLD,
    AccountRef,
    balances_of,
    external_account,
    post,
    transfer,
    user_account,
)
from binance_sandbox.market import CRYPTOS, FIATS
from binance_sandbox.pay.service_shared import PAY_CURRENCIES
from binance_sandbox.platform import Platform
from binance_sandbox.storage import test_clocks
from binance_sandbox.storage.models import (
    Account,
    Partner,
    User,
    WalletAccountStatus,
    WalletApiKey,
    WalletDividend,
    WalletDustLog,
    WalletSubAccount,
    WalletSubAccountTransfer,
)
from binance_sandbox.wallet import admin_schemas as schemas
from binance_sandbox.wallet.admin import link_sub_account

KNOWN_ASSETS = (*CRYPTOS, *FIATS, *(c for c in PAY_CURRENCIES if c not in CRYPTOS))


async def user_exists(session: AsyncSession, user_id: str) -> None:
    found = (
        await session.execute(select(User.id).where(User.user_id == user_id))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"No user {user_id}.")


async def remove_user(session: AsyncSession, user_id: str, now: int) -> None:
    """Remove a user with everything of theirs, as a reset of their partner does. Their
    balances are burned back to the outside world first (a `faucet` entry, the mint/burn kind
    of control credits), so the totals stay conserved and the ledger's audit stays clean."""
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
        await session.run_sync(post, "faucet", legs, at=now, memo=f"partner reset: burn {owner}")
    # Their jobs (chain confirmations, withdrawal steps) and what their wallet did.
    await delete_owned(session, user_id)
    await forget_user(session, user_id)
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
    await session.execute(delete(User).where(User.user_id == user_id))


class UserAdmin:
    def __init__(self, platform: Platform, addresses: AddressService) -> None:
        self.p = platform
        self.addresses = addresses

    async def create(self, req: schemas.UserCreate) -> dict[str, Any]:
        now = self.p.clock.now_ms()
        async with self.p.db.write() as session:
            partner_id = None
            test_clock_id = req.testClockId
            if req.partnerClientId:
                partner = await find_partner(session, req.partnerClientId)
                partner_id = partner.id
                if "testClockId" not in req.model_fields_set:
                    test_clock_id = partner.test_clock_id
            now = await test_clocks.now_of(session, test_clock_id) or now
            user_id = req.userId or self.p.ids.digits(11)
            email = (req.email or f"user{user_id}@sandbox.test").strip().lower()
            if "@" not in email:
                raise Invalid("email must contain @.")
            user = User(
                user_id=user_id,
                email=email,
                partner_id=partner_id,
                pay_id=self.p.ids.digits(9),
                created_at=now,
                test_clock_id=test_clock_id,
            )
            try:
                async with session.begin_nested():
                    session.add(user)
            except IntegrityError as exc:
                raise Conflict("A user with that userId or email exists.") from exc
            if req.masterUserId:
                await link_sub_account(session, req.masterUserId, user_id, now)
        return {
            "userId": user.user_id,
            "email": user.email,
            "payId": user.pay_id,
            "partnerClientId": req.partnerClientId,
            "testClockId": user.test_clock_id,
            **({"masterUserId": req.masterUserId} if req.masterUserId else {}),
        }

    async def all(self, partner_client_id: str | None) -> list[dict[str, Any]]:
        stmt = select(User, Partner.client_id).outerjoin(Partner, Partner.id == User.partner_id)
        if partner_client_id:
            stmt = stmt.where(Partner.client_id == partner_client_id)
        async with self.p.db.read() as session:
            rows = (await session.execute(stmt.order_by(User.id))).all()
            return [
                {
                    "userId": u.user_id,
                    "email": u.email,
                    "payId": u.pay_id,
                    "partnerClientId": cid,
                    "createdAt": u.created_at,
                    "testClockId": u.test_clock_id,
                }
                for u, cid in rows
            ]

    async def credit(self, req: schemas.Credit) -> dict[str, Any]:
        """The faucet: a mint from the outside world into the user's wallet."""
        if req.asset not in KNOWN_ASSETS:
            raise Invalid(f"Unknown asset {req.asset}; known: {', '.join(KNOWN_ASSETS)}.")
        if req.amount <= 0:
            raise Invalid("amount must be greater than 0.")
        try:
            units = money.to_units(req.amount)
        except money.AmountError as exc:
            raise Invalid(f"amount: {exc}") from exc
        now = self.p.clock.now_ms()
        async with self.p.db.write() as session:
            await user_exists(session, req.userId)
            await session.run_sync(
                post,
                "faucet",
                transfer(
                    external_account(f"{WORLD}:faucet", req.asset),
                    user_account(req.userId, req.asset, req.wallet),
                    units,
                ),
                at=now,
                ref_type="user",
                ref_id=req.userId,
                memo="control API credit",
            )
        return await self.balances(req.userId)

    async def balances(self, user_id: str) -> dict[str, Any]:
        async with self.p.db.read() as session:
            await user_exists(session, user_id)
            accounts = await session.run_sync(balances_of, f"user:{user_id}")
        return {
            "userId": user_id,
            "balances": [
                {
                    "asset": a.asset,
                    "wallet": a.wallet,
                    "amount": format(money.from_units(a.balance), "f"),
                }
                for a in accounts
            ],
        }

    async def deposit_address(self, user_id: str, coin: str, network: str | None) -> dict[str, Any]:
        """A user's deposit address for a coin (on its default network unless one is named)."""
        try:
            async with self.p.db.write() as session:
                await user_exists(session, user_id)
                found = await self.addresses.deposit_address(session, user_id, coin, network)
        except ChainError as exc:
            raise Invalid(exc.message) from exc
        return {
            "coin": found.coin,
            "network": found.network,
            "address": found.address,
            "addressTag": found.tag,
        }
