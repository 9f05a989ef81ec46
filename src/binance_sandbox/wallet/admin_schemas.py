"""The control requests of the user's Binance account and its Wallet API (docs/wallet-api.md,
"Control API")."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApiKeyCreate(Body):
    userId: str = Field(min_length=1)
    permissions: list[str] | None = None
    ipWhitelist: list[str] = Field(default_factory=list)
    apiKey: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{16,128}$")
    secretKey: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{16,128}$")


class ApiKeyUpdate(Body):
    permissions: list[str] | None = None
    ipWhitelist: list[str] | None = None
    active: bool | None = None


class SubAccountUpdate(Body):
    status: Literal["enabled", "disabled"] | None = None
    activated: bool | None = None
    mobile: str | None = Field(default=None, max_length=32)
    gAuth: bool | None = None


class DividendCreate(Body):
    userId: str = Field(min_length=1)
    asset: str = Field(pattern=r"^[A-Z0-9]{1,16}$")
    amount: Decimal
    info: str | None = Field(default=None, max_length=256)


class SystemStatusSet(Body):
    status: Literal[0, 1]
    msg: str | None = Field(default=None, max_length=256)


class AccountStatusSet(Body):
    userId: str = Field(min_length=1)
    msg: str | None = Field(default=None, max_length=512)
    objs: list[str] | None = None
    apiTradingLocked: bool | None = None
    plannedRecoverTime: int | None = Field(default=None, ge=0)


class UserCreate(Body):
    partnerClientId: str | None = None
    email: str | None = Field(default=None, max_length=254)
    userId: str | None = Field(default=None, pattern=r"^[0-9]{6,20}$")
    # Makes the new user a Wallet API sub-account of this (master) user.
    masterUserId: str | None = None
    # The user's partner's, when not given.
    # The test clock the user lives on (docs/testing.md): its requests, orders, expiries
    # and webhooks read that clock.
    testClockId: str | None = Field(default=None, min_length=1, max_length=40)


class Credit(Body):
    userId: str
    asset: str
    amount: Decimal
    wallet: str = "SPOT"
