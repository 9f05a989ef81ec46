"""Credentials of every family in one place: rotate a partner's signAccessToken (and its RSA
public key with it), rotate a merchant's apiKey and apiSecret, rotate and revoke a user's
Wallet API keys, and list them all without their secrets. Each family does its own
(`rotate`, `credentials` in its `admin.py`); this puts them side by side.

A new secret is in the answer of the call that issued it and nowhere after that. The old
credential is refused as soon as the change commits in this process, and within the
directories' cache time (`access.CachedDirectory`, 2 s) in every other process.
"""

from __future__ import annotations

from typing import Any

from binance_sandbox.connect.admin import PartnerAdmin
from binance_sandbox.connect.admin_schemas import PartnerRotate
from binance_sandbox.pay.admin import PayAdmin
from binance_sandbox.wallet.admin import WalletAdmin

KINDS = ("partner", "merchant", "wallet")


class Credentials:
    def __init__(self, partners: PartnerAdmin, pay: PayAdmin, wallet: WalletAdmin) -> None:
        self.partners = partners
        self.pay = pay
        self.wallet = wallet

    async def rotate_partner(self, client_id: str, req: PartnerRotate) -> dict[str, Any]:
        return await self.partners.rotate(client_id, req)

    async def rotate_merchant(self, merchant_id: str) -> dict[str, Any]:
        return await self.pay.rotate_merchant(merchant_id)

    async def rotate_wallet_key(self, api_key: str) -> dict[str, Any]:
        return await self.wallet.rotate_key(api_key)

    async def revoke_wallet_key(self, api_key: str) -> dict[str, Any]:
        return await self.wallet.revoke_key(api_key)

    async def overview(
        self, kind: str | None = None, owner: str | None = None
    ) -> list[dict[str, Any]]:
        """Partners' access tokens, merchants' API keys and users' Wallet API keys (of one
        owner: a clientId, merchantId or userId): whose, when issued, the first characters
        only, and whether they are accepted."""
        rows: list[dict[str, Any]] = []
        if kind in (None, "partner"):
            rows += await self.partners.credentials(owner)
        if kind in (None, "merchant"):
            rows += await self.pay.credentials(owner)
        if kind in (None, "wallet"):
            rows += await self.wallet.credentials(owner)
        return rows
