"""Binance Pay's control requests: merchants, acting as the payer, refusing a refund."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MerchantCreate(Body):
    name: str = Field(min_length=1, max_length=200)
    webhookUrl: str | None = None
    ipWhitelist: list[str] = Field(default_factory=list)
    directDebitWhitelisted: bool = False
    merchantId: str | None = Field(default=None, pattern=r"^[0-9]{6,19}$")
    apiKey: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{16,128}$")
    apiSecret: str | None = Field(default=None, min_length=16, max_length=128)
    # The test clock the tenant lives on (docs/testing.md): its requests, orders, expiries
    # and webhooks read that clock.
    testClockId: str | None = Field(default=None, min_length=1, max_length=40)


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
