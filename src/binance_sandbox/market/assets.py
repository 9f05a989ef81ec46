"""The asset catalog: the cryptos and fiats the sandbox trades, and which pairs Connect Prime
offers in which direction.

Reference prices and supplies are round, plausible numbers, not live data; the simulated
market wanders around `usd_price` (see `simulated.py`). Precisions are the decimals Connect
Prime uses for amounts of each asset (`trading-pair`, guide §4).

The pair table has deliberate holes so that `1230305 NO_PAYMENT_METHOD_AVAILABLE` can be
exercised: SOL is not offered against AED or BRL in either direction, and XRP can be bought
but not sold.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

DIRECTIONS: tuple[str, ...] = ("BUY", "SELL")


@dataclass(frozen=True)
class CryptoAsset:
    symbol: str
    name: str
    precision: int
    usd_price: Decimal
    volatility: Decimal
    rank: int
    circulating_supply: Decimal
    max_supply: Decimal | None
    description: str


@dataclass(frozen=True)
class FiatCurrency:
    code: str
    precision: int
    usd_rate: Decimal
    min_limit: Decimal
    max_limit: Decimal


def _crypto_table() -> dict[str, CryptoAsset]:
    assets = [
        CryptoAsset(
            symbol="BTC",
            name="Bitcoin",
            precision=8,
            usd_price=Decimal("65000"),
            volatility=Decimal("0.03"),
            rank=1,
            circulating_supply=Decimal("19700000"),
            max_supply=Decimal("21000000"),
            description=(
                "Bitcoin is the first decentralized cryptocurrency, a peer-to-peer electronic "
                "cash system secured by proof of work, with a fixed supply of 21 million coins."
            ),
        ),
        CryptoAsset(
            symbol="ETH",
            name="Ethereum",
            precision=8,
            usd_price=Decimal("3500"),
            volatility=Decimal("0.035"),
            rank=2,
            circulating_supply=Decimal("120200000"),
            max_supply=None,
            description=(
                "Ethereum is a programmable blockchain for smart contracts and decentralized "
                "applications; ether pays for computation on the network."
            ),
        ),
        CryptoAsset(
            symbol="BNB",
            name="BNB",
            precision=8,
            usd_price=Decimal("580"),
            volatility=Decimal("0.03"),
            rank=4,
            circulating_supply=Decimal("147600000"),
            max_supply=Decimal("200000000"),
            description=(
                "BNB is the native coin of BNB Chain and is used for fees on Binance and "
                "across the BNB Chain ecosystem."
            ),
        ),
        CryptoAsset(
            symbol="USDT",
            name="TetherUS",
            precision=2,
            usd_price=Decimal("1"),
            volatility=Decimal("0.0005"),
            rank=3,
            circulating_supply=Decimal("110000000000"),
            max_supply=None,
            description=(
                "Tether (USDT) is a stablecoin pegged to the US dollar and backed by "
                "reserves held by Tether Limited."
            ),
        ),
        CryptoAsset(
            symbol="SOL",
            name="Solana",
            precision=8,
            usd_price=Decimal("150"),
            volatility=Decimal("0.05"),
            rank=5,
            circulating_supply=Decimal("465000000"),
            max_supply=None,
            description=(
                "Solana is a high-throughput blockchain using proof of history together with "
                "proof of stake; SOL pays fees and secures the network."
            ),
        ),
        CryptoAsset(
            symbol="XRP",
            name="XRP",
            precision=6,
            usd_price=Decimal("0.52"),
            volatility=Decimal("0.045"),
            rank=6,
            circulating_supply=Decimal("55600000000"),
            max_supply=Decimal("100000000000"),
            description=(
                "XRP is the native asset of the XRP Ledger, designed for fast and low-cost "
                "cross-border payments."
            ),
        ),
    ]
    return {asset.symbol: asset for asset in assets}


def _fiat_table() -> dict[str, FiatCurrency]:
    fiats = [
        FiatCurrency("USD", 2, Decimal("1"), Decimal("10"), Decimal("10000000")),
        FiatCurrency("EUR", 2, Decimal("0.92"), Decimal("10"), Decimal("10000000")),
        FiatCurrency("GBP", 2, Decimal("0.79"), Decimal("10"), Decimal("8000000")),
        FiatCurrency("AED", 2, Decimal("3.6725"), Decimal("40"), Decimal("36000000")),
        FiatCurrency("BRL", 2, Decimal("5.05"), Decimal("50"), Decimal("50000000")),
    ]
    return {fiat.code: fiat for fiat in fiats}


CRYPTOS: dict[str, CryptoAsset] = _crypto_table()
FIATS: dict[str, FiatCurrency] = _fiat_table()
# The fiats a Binance Pay order may be priced in (`fiatCurrency`, pay-create-order-v2 "Create
# Order in Fiat", converted to USDT): Connect Prime's, and the Hong Kong dollar of that
# document's own example. The market prices each as it prices Connect Prime's fiats.
PAY_FIATS: dict[str, FiatCurrency] = {
    **FIATS,
    "HKD": FiatCurrency("HKD", 2, Decimal("7.8"), Decimal("10"), Decimal("10000000")),
}

# The holes in the pair table (see the module docstring).
_FIATS_NOT_OFFERED: dict[str, frozenset[str]] = {"SOL": frozenset({"AED", "BRL"})}
_BUY_ONLY: frozenset[str] = frozenset({"XRP"})


def _check_direction(direction: str) -> None:
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be BUY or SELL, not {direction!r}")


def offered(direction: str, fiat: str, crypto: str) -> bool:
    """Whether Connect Prime offers `crypto` against `fiat` in `direction`.

    An unknown fiat or crypto is simply not offered; a direction other than BUY/SELL is a
    programming error (the routes answer `1230304 INVALID_DIRECTION` before asking).
    """
    _check_direction(direction)
    if fiat not in FIATS or crypto not in CRYPTOS:
        return False
    if fiat in _FIATS_NOT_OFFERED.get(crypto, frozenset()):
        return False
    return not (direction == "SELL" and crypto in _BUY_ONLY)


def pairs(
    direction: str, *, fiat: str | None = None, crypto: str | None = None
) -> list[tuple[str, str]]:
    """The offered `(fiat, crypto)` pairs in `direction`, optionally filtered, in catalog order."""
    _check_direction(direction)
    return [
        (fiat_code, symbol)
        for fiat_code in FIATS
        if fiat is None or fiat_code == fiat
        for symbol in CRYPTOS
        if (crypto is None or symbol == crypto) and offered(direction, fiat_code, symbol)
    ]
