"""Quote arithmetic (docs/connect-prime.md, "Pricing"). Pure and exact: decimals only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_UP, Decimal

PRICE_PLACES = 8


def _q(value: Decimal, places: int, rounding: str) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def plain(value: Decimal) -> str:
    """A decimal without exponent and without trailing zeros (`97849.27000000` → `97849.27`)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True)
class Priced:
    fiat_amount: Decimal
    crypto_amount: Decimal
    quote_price: Decimal
    spread_amount: Decimal
    total_amount: Decimal


def quote_price(direction: str, mid: Decimal, spread: Decimal) -> Decimal:
    factor = 1 + spread if direction == "BUY" else 1 - spread
    return _q(mid * factor, PRICE_PLACES, ROUND_HALF_EVEN)


def price_quote(
    *,
    direction: str,
    amount_type: int,
    amount: Decimal,
    mid: Decimal,
    spread: Decimal,
    fiat_places: int,
    crypto_places: int,
) -> Priced:
    price = quote_price(direction, mid, spread)
    buy = direction == "BUY"
    if amount_type == 1:
        fiat = _q(amount, fiat_places, ROUND_DOWN)
        # The user pays at most `fiat` (buy) or receives at least `fiat` (sell).
        crypto = _q(fiat / price, crypto_places, ROUND_DOWN if buy else ROUND_UP)
        total = crypto
    else:
        crypto = _q(amount, crypto_places, ROUND_DOWN)
        fiat = _q(crypto * price, fiat_places, ROUND_UP if buy else ROUND_DOWN)
        total = fiat
    at_mid = crypto * mid
    spread_amount = _q(fiat - at_mid if buy else at_mid - fiat, fiat_places, ROUND_DOWN)
    return Priced(
        fiat_amount=fiat,
        crypto_amount=crypto,
        quote_price=price,
        spread_amount=max(spread_amount, Decimal(0)),
        total_amount=total,
    )


def crypto_limit(fiat_limit: Decimal, price: Decimal, crypto_places: int, *, up: bool) -> Decimal:
    return _q(fiat_limit / price, crypto_places, ROUND_UP if up else ROUND_DOWN)
