"""Connect Prime's reference data for a user: the fiat and crypto lists, the trading pairs and
the amount limits (guide §6 steps 1-3, §7)."""

from __future__ import annotations

from typing import Any

from binance_sandbox.connect import errors as connect_errors
from binance_sandbox.connect.auth import PartnerAuth
from binance_sandbox.market import CRYPTOS, FIATS, PriceUnavailable, pairs
from binance_sandbox.platform import Platform
from binance_sandbox.prime import errors, schemas
from binance_sandbox.prime.pricing import crypto_limit, plain, quote_price
from binance_sandbox.prime.service_shared import (
    check_amount_type,
    check_crypto,
    check_direction,
    check_fiat,
    check_pair,
    check_spread,
    check_user,
    offered_pairs,
)


class ReferenceService:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    async def fiat_list(self, partner: PartnerAuth, req: schemas.UserRequest) -> dict[str, Any]:
        async with self.p.db.read() as session:
            await check_user(session, partner, req.userId)
        fiats = [code for code in FIATS if pairs("BUY", fiat=code)]
        return {
            "fiatCurrencies": [
                {"currency": code, "precision": FIATS[code].precision} for code in fiats
            ]
        }

    async def crypto_list(self, partner: PartnerAuth, req: schemas.UserRequest) -> dict[str, Any]:
        async with self.p.db.read() as session:
            await check_user(session, partner, req.userId)
        cryptos = [code for code in CRYPTOS if pairs("SELL", crypto=code)]
        return {
            "cryptoCurrencies": [
                {"cryptoCurrency": code, "precision": CRYPTOS[code].precision} for code in cryptos
            ]
        }

    async def trading_pairs(
        self, partner: PartnerAuth, req: schemas.TradingPairRequest
    ) -> list[dict[str, Any]]:
        direction = check_direction(req.direction)
        async with self.p.db.read() as session:
            await check_user(session, partner, req.userId)
        # Guide §7: BUY lists cryptos for a fiat, SELL lists fiats for a crypto; only pairs a
        # quote accepts.
        if direction == "BUY":
            if not req.fiatCurrency:
                raise connect_errors.IllegalParameters("fiatCurrency is required for BUY.")
            check_fiat(req.fiatCurrency)
            found = offered_pairs("BUY", fiat=req.fiatCurrency)
        else:
            if not req.cryptoCurrency:
                raise connect_errors.IllegalParameters("cryptoCurrency is required for SELL.")
            check_crypto(req.cryptoCurrency)
            found = offered_pairs("SELL", crypto=req.cryptoCurrency)
        return [
            {
                "fiatCurrency": fiat,
                "cryptoCurrency": crypto,
                # Guide §6 step 2 and §7: crypto precision for BUY, fiat precision for SELL.
                "precision": CRYPTOS[crypto].precision
                if direction == "BUY"
                else FIATS[fiat].precision,
            }
            for fiat, crypto in found
        ]

    async def amount_limits(
        self, partner: PartnerAuth, req: schemas.AmountLimitRequest
    ) -> dict[str, Any]:
        direction = check_direction(req.direction)
        if req.amountType is not None:
            check_amount_type(req.amountType)
        check_pair(direction, req.fiatCurrency, req.cryptoCurrency)
        spread = check_spread(partner, req.customSpread)
        async with self.p.db.read() as session:
            await check_user(session, partner, req.userId)
        try:
            mid = self.p.market.price(req.cryptoCurrency, req.fiatCurrency, self.p.clock.now_ms())
        except PriceUnavailable as exc:
            raise errors.LimitCalculationFailed(f"Cannot calculate limits: {exc}") from exc
        price = quote_price(direction, mid, spread)
        fiat = FIATS[req.fiatCurrency]
        places = CRYPTOS[req.cryptoCurrency].precision
        return {
            "fiatMinLimit": plain(fiat.min_limit),
            "fiatMaxLimit": plain(fiat.max_limit),
            "cryptoMinLimit": format(crypto_limit(fiat.min_limit, price, places, up=True), "f"),
            "cryptoMaxLimit": format(crypto_limit(fiat.max_limit, price, places, up=False), "f"),
        }
