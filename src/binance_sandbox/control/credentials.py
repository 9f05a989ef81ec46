"""Credentials of every family in one place: rotate a partner's signAccessToken (and its RSA
public key with it), rotate a merchant's apiKey and apiSecret, rotate and revoke a user's
Wallet API keys, and list them all without their secrets.

A new secret is in the answer of the call that issued it and nowhere after that. The old
credential is refused as soon as the change commits in this process, and within the
directories' cache time (`access.CachedDirectory`, 2 s) in every other process.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from binance_sandbox.admin_errors import Conflict, NotFound
from binance_sandbox.connect.admin import partner_out, public_key_der
from binance_sandbox.connect.admin_schemas import PartnerRotate
from binance_sandbox.connect.auth import PartnerDirectory
from binance_sandbox.pay.admin import merchant_out
from binance_sandbox.pay.auth import MerchantDirectory
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import Merchant, Partner, User, WalletApiKey
from binance_sandbox.wallet.admin import key_out
from binance_sandbox.wallet.auth import KeyDirectory

KINDS = ("partner", "merchant", "wallet")


def masked(value: str, shown: int = 4) -> str:
    """The first characters of a credential, enough to tell two apart, never enough to use."""
    if len(value) < 4 * shown:
        return "…"
    return f"{value[:shown]}…"


class Credentials:
    def __init__(
        self,
        platform: Platform,
        partners: PartnerDirectory,
        merchants: MerchantDirectory,
        wallet_keys: KeyDirectory,
    ) -> None:
        self.p = platform
        self.partners = partners
        self.merchants = merchants
        self.wallet_keys = wallet_keys

    # -- Connect partners -------------------------------------------------------------------

    async def rotate_partner(self, client_id: str, req: PartnerRotate) -> dict[str, Any]:
        """A new signAccessToken (guide §2), and the RSA public key too when one is given."""
        public_key = public_key_der(req.rsaPublicKey) if req.rsaPublicKey else None
        now = self.p.clock.now_ms()
        async with self.p.db.write() as session:
            partner = (
                await session.execute(select(Partner).where(Partner.client_id == client_id))
            ).scalar_one_or_none()
            if partner is None:
                raise NotFound(f"No partner {client_id}.")
            partner.sign_access_token = self.p.ids.secret(40)
            if public_key is not None:
                partner.rsa_public_key = public_key
            partner.credentials_issued_at = now
            out = {**partner_out(partner), "signAccessToken": partner.sign_access_token}
        self.partners.invalidate(client_id)
        return out

    # -- Binance Pay merchants --------------------------------------------------------------

    async def rotate_merchant(self, merchant_id: str) -> dict[str, Any]:
        """A new apiKey and apiSecret; the old key is unknown from now on (400004)."""
        now = self.p.clock.now_ms()
        try:
            async with self.p.db.write() as session:
                merchant = (
                    await session.execute(
                        select(Merchant).where(Merchant.merchant_id == merchant_id)
                    )
                ).scalar_one_or_none()
                if merchant is None:
                    raise NotFound(f"No merchant {merchant_id}.")
                old_key = merchant.api_key
                merchant.api_key = self.p.ids.alnum(64).lower()
                merchant.api_secret = self.p.ids.secret(64).lower()
                merchant.credentials_issued_at = now
                out = {
                    **merchant_out(merchant),
                    "apiKey": merchant.api_key,
                    "apiSecret": merchant.api_secret,
                }
        except IntegrityError as exc:
            raise Conflict("The new apiKey collided with another merchant's; retry.") from exc
        self.merchants.invalidate(old_key)
        self.merchants.invalidate(out["apiKey"])
        return out

    # -- Wallet API keys --------------------------------------------------------------------

    async def _wallet_key(self, session: Any, api_key: str) -> WalletApiKey:
        found = (
            await session.execute(select(WalletApiKey).where(WalletApiKey.api_key == api_key))
        ).scalar_one_or_none()
        if not isinstance(found, WalletApiKey):
            raise NotFound(f"No API key {api_key}.")
        return found

    async def rotate_wallet_key(self, api_key: str) -> dict[str, Any]:
        """A new key and secret for the same user, permissions, whitelist and status, in place
        of the old key, which is deleted (-2015 from now on)."""
        now = self.p.clock.now_ms()
        try:
            async with self.p.db.write() as session:
                old = await self._wallet_key(session, api_key)
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
        self.wallet_keys.invalidate(api_key)
        self.wallet_keys.invalidate(new.api_key)
        return {**key_out(new), "secretKey": new.secret_key, "replacesApiKey": api_key}

    async def revoke_wallet_key(self, api_key: str) -> dict[str, Any]:
        """Delete the key (as deleting it on Binance does): -2015 from now on."""
        async with self.p.db.write() as session:
            key = await self._wallet_key(session, api_key)
            user_id = key.user_id
            await session.delete(key)
        self.wallet_keys.invalidate(api_key)
        return {"apiKey": api_key, "userId": user_id, "revoked": True}

    # -- every credential, without secrets --------------------------------------------------

    async def overview(
        self, kind: str | None = None, owner: str | None = None
    ) -> list[dict[str, Any]]:
        """Partners' access tokens, merchants' API keys and users' Wallet API keys (of one
        owner: a clientId, merchantId or userId): whose, when issued, the first characters
        only, and whether they are accepted."""
        rows: list[dict[str, Any]] = []
        async with self.p.db.read() as session:
            if kind in (None, "partner"):
                partners = select(Partner).order_by(Partner.id)
                if owner:
                    partners = partners.where(Partner.client_id == owner)
                for p in (await session.execute(partners)).scalars():
                    rows.append(
                        {
                            "kind": "partner",
                            "credential": "signAccessToken",
                            "ref": p.client_id,
                            "owner": p.client_id,
                            "ownerName": p.name,
                            "masked": masked(p.sign_access_token),
                            "issuedAt": p.credentials_issued_at or p.created_at,
                            "status": "active" if p.active else "inactive",
                        }
                    )
            if kind in (None, "merchant"):
                merchants = select(Merchant).order_by(Merchant.id)
                if owner:
                    merchants = merchants.where(Merchant.merchant_id == owner)
                for m in (await session.execute(merchants)).scalars():
                    rows.append(
                        {
                            "kind": "merchant",
                            "credential": "apiKey + apiSecret",
                            "ref": m.merchant_id,
                            "owner": m.merchant_id,
                            "ownerName": m.name,
                            "masked": masked(m.api_key, 8),
                            "issuedAt": m.credentials_issued_at or m.created_at,
                            "status": "active" if m.active else "inactive",
                        }
                    )
            if kind in (None, "wallet"):
                keys = (
                    select(WalletApiKey, User.email)
                    .join(User, User.user_id == WalletApiKey.user_id)
                    .order_by(WalletApiKey.id)
                )
                if owner:
                    keys = keys.where(WalletApiKey.user_id == owner)
                for k, email in (await session.execute(keys)).all():
                    rows.append(
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
                    )
        return rows
