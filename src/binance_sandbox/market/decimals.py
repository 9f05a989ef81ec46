"""Exact decimal arithmetic for market values, independent of the caller's decimal context.

Every computation here runs in `CONTEXT` (34 digits, half-even), never in the thread's
current context, so a price is the same whatever another part of the process did to
`decimal.getcontext()`. Prices are quantized to `PRICE_PLACES`; amounts of crypto are
counted in integer atoms of `10**-AMOUNT_PLACES`.
"""

from __future__ import annotations

from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

CONTEXT = Context(
    prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
PRICE_PLACES = 8
AMOUNT_PLACES = 8
PRICE_QUANTUM = Decimal(1).scaleb(-PRICE_PLACES)
_PERCENT_QUANTUM = Decimal("0.01")
_PRICE_ATOMS = 10**PRICE_PLACES


def quantum(places: int) -> Decimal:
    if places < 0:
        raise ValueError(f"decimal places must not be negative, got {places}")
    return Decimal(1).scaleb(-places)


def quantize_price(value: Decimal) -> Decimal:
    return value.quantize(PRICE_QUANTUM, context=CONTEXT)


def fixed(value: Decimal, places: int) -> str:
    """`value` as a fixed-point string with exactly `places` decimals, e.g. "65000.10000000"."""
    return format(value.quantize(quantum(places), context=CONTEXT), "f")


def from_atoms(atoms: int, places: int = AMOUNT_PLACES) -> Decimal:
    return Decimal(atoms).scaleb(-places, context=CONTEXT)


def price_atoms(price: Decimal) -> int:
    """A price already quantized to `PRICE_PLACES` as an exact integer count of atoms."""
    return int(price.scaleb(PRICE_PLACES, context=CONTEXT))


def _round_half_even_div(numerator: int, denominator: int) -> int:
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient


def interpolate(p0: Decimal, p1: Decimal, offset: int, span: int) -> Decimal:
    """The price `offset/span` of the way from `p0` to `p1`, rounded once, half-even.

    Done on integer atoms so there is a single rounding; since both ends are on the price
    grid, the result never leaves `[min(p0, p1), max(p0, p1)]`.
    """
    if offset == 0 or p0 == p1:
        return p0
    a0, a1 = price_atoms(p0), price_atoms(p1)
    atoms = _round_half_even_div(a0 * (span - offset) + a1 * offset, span)
    return from_atoms(atoms, PRICE_PLACES)


def convert(usd_price: Decimal, usd_rate: Decimal) -> Decimal:
    """A USD price in another fiat: `usd_price * usd_rate`, quantized (monotone in the price)."""
    return quantize_price(CONTEXT.multiply(usd_price, usd_rate))


def times(amount: Decimal, price: Decimal) -> Decimal:
    return quantize_price(CONTEXT.multiply(amount, price))


def typical_price(open_: Decimal, high: Decimal, low: Decimal, close: Decimal) -> Decimal:
    with localcontext(CONTEXT):
        return quantize_price((open_ + high + low + close) / 4)


def change_percent(open_: Decimal, last: Decimal) -> Decimal:
    if open_ == 0:
        return Decimal("0.00")
    with localcontext(CONTEXT):
        return ((last - open_) * 100 / open_).quantize(_PERCENT_QUANTUM)
