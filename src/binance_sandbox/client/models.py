"""Typed results of the Connect Prime API (docs/connect-prime.md, "Endpoints").

Models read the camelCase wire names and also accept the snake_case field names. Amounts are
`Decimal`: the API sends them as JSON strings (webhooks as JSON numbers, which
`_json` parses to `Decimal`); a `float` is refused so that nothing inexact
ever gets in. Times are integers in milliseconds, except in `PrimeOrderEvent` (guide §8:
seconds in its example, and the sandbox keeps them so).
"""

from __future__ import annotations

import builtins
import enum
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator


def _camel(name: str) -> str:
    # pydantic's to_camel turns `volume24h` into `volume24H`; the wire says `volume24h`.
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _refuse_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError("amounts must not be floats; use Decimal or a decimal string")
    return value


Amount = Annotated[Decimal, BeforeValidator(_refuse_float)]


class _WireModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=_camel,
        validate_by_alias=True,
        validate_by_name=True,
        frozen=True,
        extra="ignore",
    )


class Direction(enum.StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class AmountType(enum.IntEnum):
    """What `amount` counts in a limit or quote request (guide §6 step 3)."""

    FIAT = 1
    CRYPTO = 2


class OrderStatus(enum.StrEnum):
    """Order states (guide §6 step 7): PROCESSING (1) → FILLED (20) or FAILED (99)."""

    PROCESSING = "PROCESSING"
    FILLED = "FILLED"
    FAILED = "FAILED"

    @property
    def is_final(self) -> bool:
        return self is not OrderStatus.PROCESSING


class FiatCurrency(_WireModel):
    currency: str
    precision: int


class CryptoCurrency(_WireModel):
    crypto_currency: str
    precision: int


class TradingPair(_WireModel):
    """A pair offered in one direction; `precision` is the crypto's for BUY, the fiat's for
    SELL (guide §6 step 2, §7 step 2)."""

    fiat_currency: str
    crypto_currency: str
    precision: int


class AmountLimits(_WireModel):
    fiat_min_limit: Amount
    fiat_max_limit: Amount
    crypto_min_limit: Amount
    crypto_max_limit: Amount


class Quote(_WireModel):
    """An executable quote: 1 crypto = `quote_price` fiat, valid until `expired_at` (ms)."""

    quote_id: str
    total_amount: Amount
    quote_price: Amount
    expired_at: int
    spread_amount: Amount


class ExecuteResult(_WireModel):
    order_id: str
    status: OrderStatus


class Order(_WireModel):
    order_id: str
    client_order_id: str
    user_id: str
    direction: Direction
    fiat_currency: str
    crypto_currency: str
    fiat_amount: Amount
    crypto_amount: Amount
    price: Amount
    spread_amount: Amount
    status: OrderStatus
    status_code: int
    create_time: int
    settle_time: int | None = None
    fail_reason: str | None = None
    # Sells only: the state of the partner's fiat transfer after the fill (sandbox).
    transfer_status: str | None = None


class TransactionPage(_WireModel):
    total: int
    page: int
    rows: int
    list: builtins.list[Order]


class Asset(_WireModel):
    asset: str
    free: Amount
    locked: Amount


class SymbolDetail(_WireModel):
    crypto_currency: str
    name: str
    fiat_currency: str
    price: Amount
    rank: int | None = None
    market_cap: Amount | None = None
    circulating_supply: Amount | None = None
    max_supply: Amount | None = None
    volume24h: Amount | None = None
    price_change_percent24h: Amount | None = None
    description: str | None = None


_KLINE_FIELDS = (
    "open_time",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "close_time",
    "quote_volume",
    "trades",
    "taker_buy_base",
    "taker_buy_quote",
)


class Kline(_WireModel):
    """One candle, read from the spot 12-element array (the last element is ignored)."""

    open_time: int
    open: Amount
    high: Amount
    low: Amount
    close: Amount
    volume: Amount
    close_time: int
    quote_volume: Amount
    trades: int
    taker_buy_base: Amount
    taker_buy_quote: Amount

    @model_validator(mode="before")
    @classmethod
    def _from_array(cls, value: Any) -> Any:
        if isinstance(value, builtins.list | tuple):
            if len(value) < len(_KLINE_FIELDS):
                raise ValueError(f"a kline has {len(_KLINE_FIELDS) + 1} elements")
            return dict(zip(_KLINE_FIELDS, value, strict=False))
        return value


class DiscoverPrice(_WireModel):
    crypto_currency: str
    fiat_currency: str
    price: Amount
    price_change_percent24h: Amount
    high24h: Amount
    low24h: Amount
    volume24h: Amount


class PrimeOrderEvent(_WireModel):
    """The `prime_order_event` webhook body (guide §8); only final states are sent.

    `create_time` and `settle_time` are as the platform sends them: seconds in the guide's
    example, unlike the API's milliseconds (guide §11, "Timestamp note").
    """

    webhook_event_type: Literal["prime_order_event"]
    order_id: str
    client_order_id: str
    direction: Direction
    fiat_currency: str
    crypto_currency: str
    fiat_amount: Amount
    crypto_amount: Amount
    price: Amount
    status: OrderStatus
    create_time: int
    settle_time: int | None = None
