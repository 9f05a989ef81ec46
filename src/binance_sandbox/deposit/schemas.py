"""Connect Deposit wire models (connect-deposit-flow.txt, NOTES.md "Deposit";
docs/connect-deposit.md for the sandbox's shapes where neither gives one). Requests are parsed
from the raw body with decimals; answers carry amounts as decimal strings."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class Request(BaseModel):
    model_config = ConfigDict(coerce_numbers_to_str=True, extra="ignore")


class InitiateRequest(Request):
    externalOrderId: str
    userId: str = Field(min_length=1, max_length=32)
    cryptoCurrency: str = Field(min_length=1, max_length=16)
    networks: list[str]
    redirectUrl: str | None = None


class AuthorizationRequest(Request):
    externalOrderId: str = Field(min_length=1)


class ReportRequest(Request):
    externalOrderId: str = Field(min_length=1)
    txHash: str
    amount: Decimal | None = None
    cryptoCurrency: str | None = None
    network: str | None = None


# Answers (for the OpenAPI document; the service builds the same shapes).


class NetworkOut(BaseModel):
    network: str
    addressRegex: str
    memoRegex: str
    withdrawFee: str
    withdrawMinAmount: str
    withdrawMaxAmount: str
    contractAddress: str
    withdrawEnable: bool
    depositEnable: bool
    depositDust: str


class CryptoNetworkOut(BaseModel):
    cryptoCurrency: str
    networks: list[NetworkOut]


class InitiateOut(BaseModel):
    link: str
    linkExpireTime: int


class DepositAddressOut(BaseModel):
    depositAddress: str
    network: str
    addressTag: str | None
    minAmount: str


class AuthorizationOut(BaseModel):
    externalOrderId: str
    userId: str
    status: str
    statusCode: int
    cryptoCurrency: str
    networks: list[str]
    depositAddresses: list[DepositAddressOut]
    expireTime: int
