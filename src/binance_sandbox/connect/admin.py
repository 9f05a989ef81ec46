"""What the control API does for Connect partners, whom Connect Prime and Connect Deposit
share: onboard one (guide §2: what Binance gives the partner), edit it, list and show them.
A new signAccessToken is in the answer of the call that issued it and nowhere after that.
Errors are the control API's own."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.admin_errors import Conflict, Invalid, NotFound
from binance_sandbox.admin_fields import checked_url, masked, whitelist_json
from binance_sandbox.connect import admin_schemas as schemas
from binance_sandbox.connect.auth import PartnerDirectory
from binance_sandbox.platform import Platform
from binance_sandbox.signing import (
    RsaKeyError,
    generate_private_key,
    load_public_key,
    private_key_to_pem,
    public_key_to_der_b64,
)
from binance_sandbox.storage import test_clocks
from binance_sandbox.storage.models import Partner


def spreads(low: Decimal, high: Decimal) -> tuple[str, str]:
    if not Decimal(0) <= low <= high < 1:
        raise Invalid("customSpreadMin and customSpreadMax must satisfy 0 <= min <= max < 1.")
    return format(low, "f"), format(high, "f")


def public_key_der(text: str) -> str:
    """The partner's RSA public key (PEM or base64 DER), as stored: base64 DER."""
    try:
        key = load_public_key(text)
    except RsaKeyError as exc:
        raise Invalid(f"rsaPublicKey: {exc}") from exc
    return public_key_to_der_b64(key)


def partner_out(p: Partner) -> dict[str, Any]:
    return {
        "clientId": p.client_id,
        "name": p.name,
        "active": p.active,
        "ipWhitelist": json.loads(p.ip_whitelist),
        "webhookUrl": p.webhook_url,
        "merchantApiBaseUrl": p.merchant_api_base_url,
        "customSpreadMin": p.custom_spread_min,
        "customSpreadMax": p.custom_spread_max,
        "webhookPublicKey": p.webhook_public_key,
        "createdAt": p.created_at,
        "credentialsIssuedAt": p.credentials_issued_at or p.created_at,
        "testClockId": p.test_clock_id,
    }


async def find_partner(session: AsyncSession, client_id: str) -> Partner:
    partner = (
        await session.execute(select(Partner).where(Partner.client_id == client_id))
    ).scalar_one_or_none()
    if partner is None:
        raise NotFound(f"No partner {client_id}.")
    return partner


class PartnerAdmin:
    def __init__(self, platform: Platform, partners: PartnerDirectory) -> None:
        self.p = platform
        self.partners = partners

    async def create(self, req: schemas.PartnerCreate) -> dict[str, Any]:
        low, high = spreads(req.customSpreadMin, req.customSpreadMax)
        rsa_public_key = public_key_der(req.rsaPublicKey)
        webhook_key = await asyncio.to_thread(generate_private_key, 2048)
        partner = Partner(
            client_id=req.clientId or self.p.ids.alnum(20),
            name=req.name,
            sign_access_token=req.signAccessToken or self.p.ids.secret(40),
            rsa_public_key=rsa_public_key,
            ip_whitelist=whitelist_json(req.ipWhitelist),
            webhook_url=checked_url(req.webhookUrl, "webhookUrl"),
            merchant_api_base_url=checked_url(req.merchantApiBaseUrl, "merchantApiBaseUrl"),
            merchant_api_token=req.merchantApiToken,
            custom_spread_min=low,
            custom_spread_max=high,
            webhook_private_key=private_key_to_pem(webhook_key),
            webhook_public_key=public_key_to_der_b64(webhook_key.public_key()),
            active=True,
            created_at=self.p.clock.now_ms(),
            test_clock_id=req.testClockId,
        )
        try:
            async with self.p.db.write() as session:
                clock_now = await test_clocks.now_of(session, req.testClockId)
                partner.created_at = clock_now or partner.created_at
                session.add(partner)
        except IntegrityError as exc:
            raise Conflict(f"clientId {partner.client_id} exists.") from exc
        self.partners.invalidate(partner.client_id)
        # Guide §2: what Binance gives the partner.
        return {**partner_out(partner), "signAccessToken": partner.sign_access_token}

    async def update(self, client_id: str, req: schemas.PartnerUpdate) -> dict[str, Any]:
        async with self.p.db.write() as session:
            partner = await find_partner(session, client_id)
            fields = req.model_fields_set
            if "name" in fields and req.name:
                partner.name = req.name
            if "rsaPublicKey" in fields and req.rsaPublicKey:
                partner.rsa_public_key = public_key_der(req.rsaPublicKey)
            if "ipWhitelist" in fields:
                partner.ip_whitelist = whitelist_json(req.ipWhitelist or [])
            if "webhookUrl" in fields:
                partner.webhook_url = checked_url(req.webhookUrl, "webhookUrl")
            if "merchantApiBaseUrl" in fields:
                partner.merchant_api_base_url = checked_url(
                    req.merchantApiBaseUrl, "merchantApiBaseUrl"
                )
            if "merchantApiToken" in fields:
                partner.merchant_api_token = req.merchantApiToken
            if fields & {"customSpreadMin", "customSpreadMax"}:
                low = (
                    req.customSpreadMin
                    if req.customSpreadMin is not None
                    else Decimal(partner.custom_spread_min)
                )
                high = (
                    req.customSpreadMax
                    if req.customSpreadMax is not None
                    else Decimal(partner.custom_spread_max)
                )
                partner.custom_spread_min, partner.custom_spread_max = spreads(low, high)
            if "active" in fields and req.active is not None:
                partner.active = req.active
            out = partner_out(partner)
        self.partners.invalidate(client_id)
        return out

    async def all(self) -> list[dict[str, Any]]:
        async with self.p.db.read() as session:
            rows = (await session.execute(select(Partner).order_by(Partner.id))).scalars()
            return [partner_out(p) for p in rows]

    async def get(self, client_id: str) -> dict[str, Any]:
        async with self.p.db.read() as session:
            return partner_out(await find_partner(session, client_id))

    async def rotate(self, client_id: str, req: schemas.PartnerRotate) -> dict[str, Any]:
        """A new signAccessToken (guide §2), and the RSA public key too when one is given."""
        public_key = public_key_der(req.rsaPublicKey) if req.rsaPublicKey else None
        now = self.p.clock.now_ms()
        async with self.p.db.write() as session:
            partner = await find_partner(session, client_id)
            partner.sign_access_token = self.p.ids.secret(40)
            if public_key is not None:
                partner.rsa_public_key = public_key
            partner.credentials_issued_at = now
            out = {**partner_out(partner), "signAccessToken": partner.sign_access_token}
        self.partners.invalidate(client_id)
        return out

    async def credentials(self, owner: str | None) -> list[dict[str, Any]]:
        """Partners' access tokens (of one clientId), without the secret."""
        stmt = select(Partner).order_by(Partner.id)
        if owner:
            stmt = stmt.where(Partner.client_id == owner)
        async with self.p.db.read() as session:
            return [
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
                for p in (await session.execute(stmt)).scalars()
            ]
