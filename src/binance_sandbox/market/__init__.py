"""Prices for the sandbox: the asset catalog and the price sources.

A `PriceSource` gives mid prices (fiat per 1 crypto), klines and 24 h tickers, all as
`Decimal`. The default is `SimulatedMarket`, a deterministic market driven by a seed; a
`ReplayMarket` reads prices from a CSV file. `create_price_source` picks one from the
settings' spec string.
"""

from __future__ import annotations

from binance_sandbox.market.assets import (
    CRYPTOS,
    DIRECTIONS,
    FIATS,
    PAY_FIATS,
    CryptoAsset,
    FiatCurrency,
    offered,
    pairs,
)
from binance_sandbox.market.replay import ReplayMarket
from binance_sandbox.market.simulated import SimulatedMarket
from binance_sandbox.market.source import (
    INTERVALS,
    Kline,
    PriceSource,
    PriceUnavailable,
    Ticker24h,
)

__all__ = [
    "CRYPTOS",
    "DIRECTIONS",
    "FIATS",
    "INTERVALS",
    "PAY_FIATS",
    "CryptoAsset",
    "FiatCurrency",
    "Kline",
    "PriceSource",
    "PriceUnavailable",
    "ReplayMarket",
    "SimulatedMarket",
    "Ticker24h",
    "create_price_source",
    "offered",
    "pairs",
]

_REPLAY_PREFIX = "replay:"


def create_price_source(spec: str, seed: int) -> PriceSource:
    """`"simulated"` gives `SimulatedMarket(seed)`; `"replay:/path/file.csv"` a `ReplayMarket`.

    Anything else raises ValueError (so does a missing or malformed replay file).
    """
    if spec == "simulated":
        return SimulatedMarket(seed)
    if spec.startswith(_REPLAY_PREFIX):
        path = spec[len(_REPLAY_PREFIX) :]
        if not path:
            raise ValueError("a replay price source needs a file: replay:/path/file.csv")
        try:
            return ReplayMarket(path)
        except OSError as exc:
            raise ValueError(f"cannot read replay prices from {path}: {exc}") from exc
    raise ValueError(f"unknown price source {spec!r}; expected 'simulated' or 'replay:<file>'")
