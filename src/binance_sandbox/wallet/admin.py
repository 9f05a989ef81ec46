"""What the control API does for the Wallet API: API keys, sub-accounts, dividends, the
system status switch and per-user account / API-trading status (docs/wallet-api.md,
"Control API"). Errors are the control API's own."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.admin_errors import Conflict, Invalid, NotFound
from binance_sandbox.admin_fields import masked, whitelist_json
from binance_sandbox.ledger import money
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import (
    User,
    WalletAccountStatus,
    WalletApiKey,
    WalletSubAccount,
)
from binance_sandbox.wallet import admin_schemas as schemas
from binance_sandbox.wallet.auth import SECURITY_TYPES, KeyDirectory
from binance_sandbox.wallet.dividends import credit_dividend, dividend_out
from binance_sandbox.wallet.status import StatusService
from binance_sandbox.wallet.subaccounts import sub_account_out


def _permissions(items: list[str] | None) -> str:
    chosen = list(SECURITY_TYPES) if items is None else items
    unknown = sorted(set(chosen) - set(SECURITY_TYPES))
    if unknown:
        raise Invalid(f"permissions: unknown {unknown}; known: {', '.join(SECURITY_TYPES)}.")
    return json.dumps([p for p in SECURITY_TYPES if p in chosen])


def key_out(k: WalletApiKey) -> dict[str, Any]:
    return {
        "apiKey": k.api_key,
        "userId": k.user_id,
        "permissions": json.loads(k.permissions),
        "ipWhitelist": json.loads(k.ip_whitelist),
        "active": k.active,
        "createdAt": k.created_at,
    }


async def _user(session: AsyncSession, user_id: str) -> User:
    found = (
        await session.execute(select(User).where(User.user_id == user_id))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"No user {user_id}.")
    return found


async def link_sub_account(
    session: AsyncSession, master_user_id: str, user_id: str, now: int
) -> None:
    """Make the new user `user_id` a sub-account of `master_user_id` (a user that is not a
    sub-account itself), inside the transaction that creates it."""
    await _user(session, master_user_id)
    is_sub = (
        await session.execute(
            select(WalletSubAccount.user_id).where(WalletSubAccount.user_id == master_user_id)
        )
    ).scalar_one_or_none()
    if is_sub is not None:
        raise Invalid(f"User {master_user_id} is a sub-account and cannot be a master.")
    session.add(
        WalletSubAccount(
            user_id=user_id,
            master_user_id=master_user_id,
            status="enabled",
            activated=True,
            mobile="",
            g_auth=True,
            created_at=now,
        )
    )
    await session.flush()


class WalletAdmin:
    def __init__(self, platform: Platform, keys: KeyDirectory, status: StatusService) -> None:
        self.p = platform
        self.keys = keys
        self.status = status

    # -- API keys -------------------------------------------------------------------------

    async def create_key(self, req: schemas.ApiKeyCreate) -> dict[str, Any]:
        key = WalletApiKey(
            api_key=req.apiKey or self.p.ids.alnum(64),
            secret_key=req.secretKey or self.p.ids.secret(64),
            user_id=req.userId,
            permissions=_permissions(req.permissions),
            ip_whitelist=whitelist_json(req.ipWhitelist),
            active=True,
            created_at=self.p.clock.now_ms(),
        )
        try:
            async with self.p.db.write() as session:
                await _user(session, req.userId)
                session.add(key)
        except IntegrityError as exc:
            raise Conflict(f"API key {key.api_key} exists.") from exc
        self.keys.invalidate(key.api_key)
        return {**key_out(key), "secretKey": key.secret_key}

    async def list_keys(self, user_id: str | None) -> list[dict[str, Any]]:
        stmt = select(WalletApiKey).order_by(WalletApiKey.id)
        if user_id:
            stmt = stmt.where(WalletApiKey.user_id == user_id)
        async with self.p.db.read() as session:
            return [key_out(k) for k in (await session.execute(stmt)).scalars()]

    async def update_key(self, api_key: str, req: schemas.ApiKeyUpdate) -> dict[str, Any]:
        async with self.p.db.write() as session:
            key = (
                await session.execute(select(WalletApiKey).where(WalletApiKey.api_key == api_key))
            ).scalar_one_or_none()
            if key is None:
                raise NotFound(f"No API key {api_key}.")
            fields = req.model_fields_set
            if "permissions" in fields:
                key.permissions = _permissions(req.permissions or [])
            if "ipWhitelist" in fields:
                key.ip_whitelist = whitelist_json(req.ipWhitelist or [])
            if "active" in fields and req.active is not None:
                key.active = req.active
            out = key_out(key)
        self.keys.invalidate(api_key)
        return out

    async def _key(self, session: AsyncSession, api_key: str) -> WalletApiKey:
        found = (
            await session.execute(select(WalletApiKey).where(WalletApiKey.api_key == api_key))
        ).scalar_one_or_none()
        if found is None:
            raise NotFound(f"No API key {api_key}.")
        return found

    async def rotate_key(self, api_key: str) -> dict[str, Any]:
        """A new key and secret for the same user, permissions, whitelist and status, in place
        of the old key, which is deleted (-2015 from now on)."""
        now = self.p.clock.now_ms()
        try:
            async with self.p.db.write() as session:
                old = await self._key(session, api_key)
                new = WalletApiKey(
                    api_key=self.p.ids.alnum(64),
                    secret_key=self.p.ids.secret(64),
                    user_id=old.user_id,
                    permissions=old.permissions,
                    ip_whitelist=old.ip_whitelist,
                    active=old.active,
                    created_at=now,
                )
                await session.delete(old)
                session.add(new)
        except IntegrityError as exc:
            raise Conflict("The new API key collided with an existing one; retry.") from exc
        self.keys.invalidate(api_key)
        self.keys.invalidate(new.api_key)
        return {**key_out(new), "secretKey": new.secret_key, "replacesApiKey": api_key}

    async def revoke_key(self, api_key: str) -> dict[str, Any]:
        """Delete the key (as deleting it on Binance does): -2015 from now on."""
        async with self.p.db.write() as session:
            key = await self._key(session, api_key)
            user_id = key.user_id
            await session.delete(key)
        self.keys.invalidate(api_key)
        return {"apiKey": api_key, "userId": user_id, "revoked": True}

    async def credentials(self, owner: str | None) -> list[dict[str, Any]]:
        """Users' API keys (of one userId), without the secret."""
        stmt = (
            select(WalletApiKey, User.email)
            .join(User, User.user_id == WalletApiKey.user_id)
            .order_by(WalletApiKey.id)
        )
        if owner:
            stmt = stmt.where(WalletApiKey.user_id == owner)
        async with self.p.db.read() as session:
            return [
                {
                    "kind": "wallet",
                    "credential": "apiKey + secretKey",
                    "ref": k.api_key,
                    "owner": k.user_id,
                    "ownerName": email,
                    "masked": masked(k.api_key, 8),
                    "issuedAt": k.created_at,
                    "status": "active" if k.active else "disabled",
                }
                for k, email in (await session.execute(stmt)).all()
            ]

    # -- sub-accounts ---------------------------------------------------------------------

    async def update_sub_account(
        self, user_id: str, req: schemas.SubAccountUpdate
    ) -> dict[str, Any]:
        async with self.p.db.write() as session:
            row = (
                await session.execute(
                    select(WalletSubAccount, User.email)
                    .join(User, User.user_id == WalletSubAccount.user_id)
                    .where(WalletSubAccount.user_id == user_id)
                )
            ).first()
            if row is None:
                raise NotFound(f"User {user_id} is not a sub-account.")
            sub, email = row
            if req.status is not None:
                sub.status = req.status
            if req.activated is not None:
                sub.activated = req.activated
            if req.mobile is not None:
                sub.mobile = req.mobile
            if req.gAuth is not None:
                sub.g_auth = req.gAuth
            return {
                "userId": user_id,
                "masterUserId": sub.master_user_id,
                **sub_account_out(sub, email),
            }

    # -- dividends ------------------------------------------------------------------------

    async def create_dividend(self, req: schemas.DividendCreate) -> dict[str, Any]:
        if req.amount <= 0:
            raise Invalid("amount must be greater than 0.")
        if money.places_of(req.amount) > money.SCALE:
            raise Invalid(f"amount: more than {money.SCALE} decimal places.")
        try:
            money.to_units(req.amount)
        except money.AmountError as exc:
            raise Invalid(f"amount: {exc}") from exc
        async with self.p.db.write() as session:
            await _user(session, req.userId)
            record = await credit_dividend(
                self.p,
                session,
                user_id=req.userId,
                asset=req.asset,
                amount=req.amount,
                info=req.info,
                at=self.p.clock.now_ms(),
            )
            return {"userId": req.userId, **dividend_out(record)}

    # -- statuses -------------------------------------------------------------------------

    async def system_status(self) -> dict[str, Any]:
        return (await self.status.system()).out()

    async def set_system_status(self, req: schemas.SystemStatusSet) -> dict[str, Any]:
        return (await self.status.set_system(req.status, req.msg)).out()

    async def set_account_status(self, req: schemas.AccountStatusSet) -> dict[str, Any]:
        now = self.p.clock.now_ms()
        async with self.p.db.write() as session:
            await _user(session, req.userId)
            row = (
                await session.execute(
                    select(WalletAccountStatus).where(WalletAccountStatus.user_id == req.userId)
                )
            ).scalar_one_or_none()
            if row is None:
                row = WalletAccountStatus(
                    user_id=req.userId,
                    msg="Normal",
                    objs="[]",
                    api_locked=False,
                    planned_recover_time=0,
                    updated_at=now,
                )
                session.add(row)
            if req.msg is not None:
                row.msg = req.msg
            if req.objs is not None:
                row.objs = json.dumps(req.objs)
            if req.apiTradingLocked is not None:
                row.api_locked = req.apiTradingLocked
            if req.plannedRecoverTime is not None:
                row.planned_recover_time = req.plannedRecoverTime
            row.updated_at = now
            return {
                "userId": req.userId,
                "msg": row.msg,
                "objs": json.loads(row.objs),
                "apiTradingLocked": row.api_locked,
                "plannedRecoverTime": row.planned_recover_time,
            }
