"""Connect partners as the control API creates, edits and rotates them (guide §2)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


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
    # The test clock the tenant lives on (docs/testing.md): its requests, orders, expiries
    # and webhooks read that clock.
    testClockId: str | None = Field(default=None, min_length=1, max_length=40)


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
