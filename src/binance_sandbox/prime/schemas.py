"""Connect Prime wire models (guide §6, §7, §10; docs/connect-prime.md for the sandbox's
shapes where the guide gives none). Requests are parsed from the raw body with decimals;
answers carry amounts as decimal strings."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class Request(BaseModel):
    model_config = ConfigDict(coerce_numbers_to_str=True, extra="ignore")


class UserRequest(Request):
    userId: str = Field(min_length=1, max_length=32)


class TradingPairRequest(UserRequest):
    direction: str
    fiatCurrency: str | None = None
    cryptoCurrency: str | None = None


class AmountLimitRequest(UserRequest):
    fiatCurrency: str
    cryptoCurrency: str
    direction: str
    amount: Decimal | None = None
    amountType: int | None = None
    customSpread: Decimal | None = None


class QuoteRequest(UserRequest):
    fiatCurrency: str
    cryptoCurrency: str
    direction: str
    amount: Decimal
    amountType: int
    customSpread: Decimal | None = None


class ExecuteRequest(Request):
    quoteId: str = Field(min_length=1, max_length=64)
    clientOrderId: str = Field(min_length=1)


class TransactionRequest(Request):
    orderId: str | None = None
    clientOrderId: str | None = None


class TransactionsRequest(Request):
    startTime: int
    endTime: int
    page: int = Field(default=1, ge=1)
    rows: int = Field(default=20, ge=1, le=100)
    userId: str | None = None
    status: str | None = None
    direction: str | None = None


class UserAssetsRequest(UserRequest):
    asset: str | None = None


class SymbolDetailRequest(Request):
    cryptoCurrency: str
    fiatCurrency: str | None = None


class KlinesRequest(Request):
    cryptoCurrency: str
    interval: str
    startTime: int | None = None
    endTime: int | None = None
    fiatCurrency: str | None = None
    limit: int | None = Field(default=None, ge=1, le=1000)


class DiscoverRequest(Request):
    fiatCurrency: str


# Answers (for the OpenAPI document; the service builds the same shapes).


class FiatCurrencyOut(BaseModel):
    currency: str
    precision: int


class FiatListOut(BaseModel):
    fiatCurrencies: list[FiatCurrencyOut]


class CryptoCurrencyOut(BaseModel):
    cryptoCurrency: str
    precision: int


class CryptoListOut(BaseModel):
    cryptoCurrencies: list[CryptoCurrencyOut]


class TradingPairOut(BaseModel):
    fiatCurrency: str
    cryptoCurrency: str
    precision: int


class AmountLimitOut(BaseModel):
    fiatMinLimit: str
    fiatMaxLimit: str
    cryptoMinLimit: str
    cryptoMaxLimit: str


class QuoteOut(BaseModel):
    quoteId: str
    totalAmount: str
    quotePrice: str
    expiredAt: int
    spreadAmount: str


class ExecuteOut(BaseModel):
    orderId: str
    status: str


class OrderOut(BaseModel):
    orderId: str
    clientOrderId: str
    userId: str
    direction: str
    fiatCurrency: str
    cryptoCurrency: str
    fiatAmount: str
    cryptoAmount: str
    price: str
    spreadAmount: str
    status: str
    statusCode: int
    createTime: int
    settleTime: int | None
    failReason: str | None


class TransactionsOut(BaseModel):
    total: int
    page: int
    rows: int
    list: list[OrderOut]


class AssetOut(BaseModel):
    asset: str
    free: str
    locked: str


class SymbolDetailOut(BaseModel):
    cryptoCurrency: str
    name: str
    fiatCurrency: str
    price: str
    rank: int
    marketCap: str
    circulatingSupply: str
    maxSupply: str | None
    volume24h: str
    priceChangePercent24h: str
    description: str


class DiscoverOut(BaseModel):
    cryptoCurrency: str
    fiatCurrency: str
    price: str
    priceChangePercent24h: str
    high24h: str
    low24h: str
    volume24h: str
