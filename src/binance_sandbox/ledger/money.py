"""Exact amounts. The ledger stores integers in units of 1e-8 (`UNIT`); the wire carries
decimal strings. Nothing here ever touches `float`."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_UP, Decimal, InvalidOperation

SCALE = 8
UNIT = Decimal(1).scaleb(-SCALE)  # 0.00000001
# The largest amount a BIGINT column holds at this scale.
MAX_AMOUNT = Decimal(2**63 - 1).scaleb(-SCALE)


class AmountError(ValueError):
    """An amount that is not a finite decimal, or has more places than allowed."""


def parse_decimal(value: object) -> Decimal:
    """A wire value (JSON number parsed as Decimal/int, or a numeric string) as a Decimal."""
    if isinstance(value, bool) or value is None:
        raise AmountError("not a number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation as exc:
            raise AmountError("not a number") from exc
    else:
        raise AmountError("not a number")
    if not result.is_finite():
        raise AmountError("not a finite number")
    return result


def to_units(amount: Decimal) -> int:
    """Decimal → integer units; refuses anything finer than 1e-8 rather than rounding it."""
    if abs(amount) > MAX_AMOUNT:
        raise AmountError("amount too large")
    scaled = amount.scaleb(SCALE)
    if scaled != scaled.to_integral_value():
        raise AmountError(f"more than {SCALE} decimal places")
    return int(scaled)


def from_units(units: int) -> Decimal:
    return Decimal(units).scaleb(-SCALE)


def quantize(amount: Decimal, places: int, *, up: bool = False) -> Decimal:
    exp = Decimal(1).scaleb(-places)
    return amount.quantize(exp, rounding=ROUND_UP if up else ROUND_DOWN)


def fmt(units: int, places: int = SCALE) -> str:
    """Integer units as a fixed point string with `places` decimals (10000000000, 2: `100.00`)."""
    return format(quantize(from_units(units), places), "f")


def places_of(amount: Decimal) -> int:
    exponent = amount.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
