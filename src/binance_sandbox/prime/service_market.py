"""Connect Prime's market data (guide §10): symbol detail, klines and Discover prices."""

from __future__ import annotations

from typing import Any

from binance_sandbox.connect import errors as connect_errors
from binance_sandbox.ledger import money
from binance_sandbox.market import CRYPTOS, FIATS, INTERVALS, PriceUnavailable
from binance_sandbox.platform import Platform
from binance_sandbox.prime import schemas
from binance_sandbox.prime.pricing import plain
from binance_sandbox.prime.service_shared import (
    check_crypto,
    check_fiat,
)


class MarketData:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    def symbol_detail(self, req: schemas.SymbolDetailRequest) -> dict[str, Any]:
        crypto = check_crypto(req.cryptoCurrency)
        fiat = check_fiat(req.fiatCurrency or "USD")
        now = self.p.clock.now_ms()
        try:
            ticker = self.p.market.ticker_24h(crypto, fiat, now)
        except PriceUnavailable as exc:
            raise connect_errors.IllegalParameters(f"No market data for {crypto}/{fiat}.") from exc
        info = CRYPTOS[crypto]
        places = FIATS[fiat].precision
        return {
            "cryptoCurrency": crypto,
            "name": info.name,
            "fiatCurrency": fiat,
            "price": plain(ticker.last),
            "rank": info.rank,
            "marketCap": format(money.quantize(ticker.last * info.circulating_supply, places), "f"),
            "circulatingSupply": plain(info.circulating_supply),
            "maxSupply": plain(info.max_supply) if info.max_supply is not None else None,
            "volume24h": format(money.quantize(ticker.quote_volume, places), "f"),
            "priceChangePercent24h": plain(ticker.change_percent),
            "description": info.description,
        }

    def klines(self, req: schemas.KlinesRequest) -> list[list[object]]:
        crypto = check_crypto(req.cryptoCurrency)
        fiat = check_fiat(req.fiatCurrency or "USD")
        if req.interval not in INTERVALS:
            raise connect_errors.IllegalParameters("interval must be one of 3m, 1h, 1d.")
        if req.startTime is not None and req.endTime is not None and req.endTime < req.startTime:
            raise connect_errors.IllegalParameters("endTime must not be before startTime.")
        try:
            klines = self.p.market.klines(
                crypto,
                fiat,
                req.interval,
                now_ms=self.p.clock.now_ms(),
                start_ms=req.startTime,
                end_ms=req.endTime,
                limit=req.limit or 500,
            )
        except PriceUnavailable as exc:
            raise connect_errors.IllegalParameters(f"No market data for {crypto}/{fiat}.") from exc
        return [k.as_spot_array(8, 8) for k in klines]

    def discover(self, req: schemas.DiscoverRequest) -> list[dict[str, Any]]:
        # Guide §10: "The Discover Price API currently supports AED only."
        if req.fiatCurrency != "AED":
            raise connect_errors.IllegalParameters(
                "fiatCurrency must be AED; Discover Price supports AED only."
            )
        now = self.p.clock.now_ms()
        out = []
        for crypto in CRYPTOS:
            try:
                t = self.p.market.ticker_24h(crypto, "AED", now)
            except PriceUnavailable:
                continue
            out.append(
                {
                    "cryptoCurrency": crypto,
                    "fiatCurrency": "AED",
                    "price": plain(t.last),
                    "priceChangePercent24h": plain(t.change_percent),
                    "high24h": plain(t.high),
                    "low24h": plain(t.low),
                    "volume24h": plain(t.volume),
                }
            )
        return out
