"""Control API request models."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

# The Wallet API's control requests are its own (wallet/admin_schemas.py).
from binance_sandbox.wallet.admin_schemas import (
    AccountStatusSet as AccountStatusSet,
)
from binance_sandbox.wallet.admin_schemas import (
    ApiKeyCreate as ApiKeyCreate,
)
from binance_sandbox.wallet.admin_schemas import (
    ApiKeyUpdate as ApiKeyUpdate,
)
from binance_sandbox.wallet.admin_schemas import (
    DividendCreate as DividendCreate,
)
from binance_sandbox.wallet.admin_schemas import (
    SubAccountUpdate as SubAccountUpdate,
)
from binance_sandbox.wallet.admin_schemas import (
    SystemStatusSet as SystemStatusSet,
)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PartnerCreate(Body):
    name: str = Field(min_length=1, max_length=200)
    rsaPublicKey: str = Field(min_length=1)
    ipWhitelist: list[str] = Field(default_factory=list)
    webhookUrl: str | None = None
    merchantApiBaseUrl: str | None = None
    merchantApiToken: str | None = None
    customSpreadMin: Decimal = Decimal(0)
    customSpreadMax: Decimal = Decimal("0.05")
    clientId: str | None = Field(default=None, min_length=4, max_length=64)
    signAccessToken: str | None = Field(default=None, min_length=8, max_length=128)


class PartnerUpdate(Body):
    name: str | None = None
    rsaPublicKey: str | None = None
    ipWhitelist: list[str] | None = None
    webhookUrl: str | None = None
    merchantApiBaseUrl: str | None = None
    merchantApiToken: str | None = None
    customSpreadMin: Decimal | None = None
    customSpreadMax: Decimal | None = None
    active: bool | None = None


class PartnerRotate(Body):
    # Replaces the RSA public key in the same change as the token, when given.
    rsaPublicKey: str | None = None


class UserCreate(Body):
    partnerClientId: str | None = None
    email: str | None = Field(default=None, max_length=254)
    userId: str | None = Field(default=None, pattern=r"^[0-9]{6,20}$")
    # Makes the new user a Wallet API sub-account of this (master) user.
    masterUserId: str | None = None


class MerchantCreate(Body):
    name: str = Field(min_length=1, max_length=200)
    webhookUrl: str | None = None
    ipWhitelist: list[str] = Field(default_factory=list)
    directDebitWhitelisted: bool = False
    merchantId: str | None = Field(default=None, pattern=r"^[0-9]{6,19}$")
    apiKey: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{16,128}$")
    apiSecret: str | None = Field(default=None, min_length=16, max_length=128)


class MerchantUpdate(Body):
    name: str | None = None
    webhookUrl: str | None = None
    ipWhitelist: list[str] | None = None
    directDebitWhitelisted: bool | None = None
    active: bool | None = None


class PayOrderPay(Body):
    payerUserId: str = Field(min_length=1)


class RefundReject(Body):
    merchantId: str
    refundRequestId: str
    reason: str | None = Field(default=None, max_length=256)


class Credit(Body):
    userId: str
    asset: str
    amount: Decimal
    wallet: str = "SPOT"


# The latest time the sandbox clock may show (3000-01-01T00:00:00Z): every time stored is a
# 64-bit integer of milliseconds, and later times computed from it must still be dates.
CLOCK_MAX_MS = 32_503_680_000_000


class ClockAdvance(Body):
    ms: int = Field(ge=0, le=10 * 365 * 86_400_000)


class ClockSet(Body):
    frozen: bool | None = None
    nowMs: int | None = Field(default=None, ge=0, le=CLOCK_MAX_MS)


class OrderFail(Body):
    reason: str | None = Field(default=None, max_length=64)


class ChainTransferIn(Body):
    network: str
    address: str = Field(min_length=1, max_length=128)
    addressTag: str | None = Field(default=None, max_length=64)
    asset: str
    amount: Decimal


class DepositDecision(Body):
    # externalOrderId is unique per partner (NOTES.md "Deposit").
    partnerClientId: str = Field(min_length=1)
