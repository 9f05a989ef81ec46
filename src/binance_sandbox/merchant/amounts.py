"""Exact fiat amounts.

The kit does not know each fiat's precision (the platform does), so every amount is stored as
an integer count of 10⁻⁸ units of its currency: exact, comparable in SQL (the ledger's CHECK
constraints need that), and wide enough for any fiat the platform quotes. An amount with more
than eight decimal places is refused rather than rounded.
"""

from __future__ import annotations

from decimal import Decimal

SCALE = 8
_UNIT = Decimal(1).scaleb(-SCALE)


def to_units(amount: Decimal) -> int:
    """`amount` as an integer count of 10⁻⁸; ValueError if it is not exact at that scale."""
    if not amount.is_finite():
        raise ValueError("must be a finite decimal")
    units = amount.scaleb(SCALE)
    if units != units.to_integral_value():
        raise ValueError(f"must have at most {SCALE} decimal places")
    return int(units)


def to_decimal(units: int) -> Decimal:
    return Decimal(units).scaleb(-SCALE)


def format_units(units: int) -> str:
    """A plain decimal string with at least two decimals, as fiat is usually shown: 100.00."""
    text = format(to_decimal(units).normalize(), "f")
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"
