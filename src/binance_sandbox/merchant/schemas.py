"""Wire models: the callback contract (docs/connect-prime.md) and the merchant's own API.

Bodies are parsed with `wire.loads`, so a JSON number arrives as `Decimal`, never `float`;
amounts are accepted as decimal strings (what the platform sends) or JSON numbers.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, PlainValidator, StringConstraints, ValidationError
from pydantic.alias_generators import to_camel

from binance_sandbox import wire
from binance_sandbox.merchant.amounts import to_units
from binance_sandbox.merchant.errors import InvalidRequest


def _units(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError("must be a decimal string")
    if isinstance(value, str) and not _DECIMAL.fullmatch(value):
        raise ValueError("must be a decimal string")
    amount = Decimal(value)
    if not amount.is_finite() or amount <= 0:
        raise ValueError("must be a positive decimal")
    units = to_units(amount)
    if units > MAX_UNITS:
        raise ValueError("is too large")
    return units


def _currency(value: Any) -> str:
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise ValueError("must be an upper-case currency code such as EUR")
    return value


_CURRENCY = re.compile(r"[A-Z][A-Z0-9]{1,15}")
_DECIMAL = re.compile(r"[+-]?\d+(\.\d+)?")
MAX_UNITS = 10**17
"""At most one billion of a fiat in one amount, so balances stay far inside 64 bits."""
Units = Annotated[int, PlainValidator(_units)]
"""A positive amount, validated exact and converted to 10⁻⁸ units."""
Currency = Annotated[str, PlainValidator(_currency)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class WireModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, strict=False)


class CheckTransactionRequest(WireModel):
    order_id: Id
    client_order_id: Id
    user_id: Id
    fiat_currency: Currency
    fiat_amount: Units


class RefundRequest(WireModel):
    refund_id: Id
    order_id: Id
    client_order_id: Id
    user_id: Id
    fiat_currency: Currency
    fiat_amount: Units
    reason: str | None = None


class RefundQuery(WireModel):
    refund_id: Id


class TransferRequest(WireModel):
    transfer_id: Id
    order_id: Id
    client_order_id: Id
    user_id: Id
    fiat_currency: Currency
    fiat_amount: Units


class TransferQuery(WireModel):
    transfer_id: Id


class CreditRequest(WireModel):
    currency: Currency
    amount: Units


class FiatTransferRequest(WireModel):
    client_order_id: Id
    user_id: Id
    fiat_currency: Currency
    amount: Units


Model = TypeVar("Model", bound=WireModel)


def parse_body(raw: bytes, model: type[Model]) -> Model:
    """Parse a request body into `model`, or raise InvalidRequest with a clear message."""
    try:
        data = wire.loads(raw) if raw.strip() else None
    except ValueError:
        raise InvalidRequest("Request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise InvalidRequest("Request body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in error["loc"]) or "body"
    if error["type"] == "missing":
        return f"Missing field: {field}."
    message = error["msg"].removeprefix("Value error, ")
    return f"Invalid field {field}: {message}."
