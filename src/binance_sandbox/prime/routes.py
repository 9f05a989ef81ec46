"""Connect Prime endpoints (guide "Quick Reference: API Endpoint Summary"): parse, call the
service, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from binance_sandbox.connect.envelope import Envelope, ok
from binance_sandbox.connect.routing import CONNECT, ConnectRequest, connect_request, platform_of
from binance_sandbox.prime import schemas as s
from binance_sandbox.prime.service import PrimeService
from binance_sandbox.web import openapi_body

PREFIX = "/papi/v1/ramp/connect/prime"
router = APIRouter(prefix=PREFIX, route_class=CONNECT.route_class, tags=["Connect Prime"])
Call = Annotated[ConnectRequest, Depends(connect_request)]


# `async def`: FastAPI runs a plain `def` dependency in its thread pool, a thread hop on
# every request.
async def service(request: Request) -> PrimeService:
    prime: PrimeService = request.app.state.prime
    return prime


Service = Annotated[PrimeService, Depends(service)]


def _doc(model: type[Any], out: Any) -> dict[str, Any]:
    return {"openapi_extra": openapi_body(model), "response_model": Envelope[out]}


@router.post("/buy/fiat-list", summary="Get Fiat List (Buy)", **_doc(s.UserRequest, s.FiatListOut))
async def fiat_list(call: Call, prime: Service) -> Response:
    return ok(await prime.fiat_list(call.partner, call.parse(s.UserRequest)))


@router.post(
    "/sell/crypto-list", summary="Get Crypto List (Sell)", **_doc(s.UserRequest, s.CryptoListOut)
)
async def crypto_list(call: Call, prime: Service) -> Response:
    return ok(await prime.crypto_list(call.partner, call.parse(s.UserRequest)))


@router.post(
    "/trading-pair",
    summary="Get Trading Pair",
    **_doc(s.TradingPairRequest, list[s.TradingPairOut]),
)
async def trading_pair(call: Call, prime: Service) -> Response:
    return ok(await prime.trading_pairs(call.partner, call.parse(s.TradingPairRequest)))


@router.post(
    "/fiat-crypto-amount-limit",
    summary="Get Fiat/Crypto Amount Limit",
    **_doc(s.AmountLimitRequest, s.AmountLimitOut),
)
async def amount_limit(call: Call, prime: Service) -> Response:
    return ok(await prime.amount_limits(call.partner, call.parse(s.AmountLimitRequest)))


@router.post("/quote", summary="Get Quote", **_doc(s.QuoteRequest, s.QuoteOut))
async def quote(call: Call, prime: Service) -> Response:
    return ok(await prime.quote(call.partner, call.parse(s.QuoteRequest)))


@router.post("/quote/execute", summary="Execute Quote", **_doc(s.ExecuteRequest, s.ExecuteOut))
async def execute(call: Call, prime: Service) -> Response:
    return ok(await prime.execute(call.partner, call.parse(s.ExecuteRequest)))


@router.post(
    "/transaction", summary="Get Single Transaction", **_doc(s.TransactionRequest, s.OrderOut)
)
async def transaction(call: Call, prime: Service) -> Response:
    return ok(await prime.transaction(call.partner, call.parse(s.TransactionRequest)))


@router.post(
    "/transactions",
    summary="Get Transaction List",
    **_doc(s.TransactionsRequest, s.TransactionsOut),
)
async def transactions(call: Call, prime: Service) -> Response:
    return ok(await prime.transactions(call.partner, call.parse(s.TransactionsRequest)))


@router.post(
    "/wallet/asset/user-assets",
    summary="Get Balance",
    **_doc(s.UserAssetsRequest, list[s.AssetOut]),
)
async def user_assets(call: Call, prime: Service) -> Response:
    return ok(await prime.user_assets(call.partner, call.parse(s.UserAssetsRequest)))


@router.post(
    "/info/symbol-detail",
    summary="Get Symbol Detail",
    **_doc(s.SymbolDetailRequest, s.SymbolDetailOut),
)
async def symbol_detail(call: Call, prime: Service) -> Response:
    return ok(prime.symbol_detail(call.parse(s.SymbolDetailRequest)))


@router.post("/info/klines", summary="Get Kline Data", **_doc(s.KlinesRequest, list[list[Any]]))
async def klines(call: Call, prime: Service) -> Response:
    return ok(prime.klines(call.parse(s.KlinesRequest)))


@router.post(
    "/info/discover", summary="Get Discover Price", **_doc(s.DiscoverRequest, list[s.DiscoverOut])
)
async def discover(call: Call, prime: Service) -> Response:
    return ok(prime.discover(call.parse(s.DiscoverRequest)))


# "Get Balance: Refer to wallet/asset/user-assets" (guide endpoint summary, #9) names the
# path without the prime prefix; it answers there too.
wallet_router = APIRouter(
    prefix="/papi/v1/ramp/connect", route_class=CONNECT.route_class, tags=["Connect Prime"]
)
wallet_router.add_api_route(
    "/wallet/asset/user-assets",
    user_assets,
    methods=["POST"],
    summary="Get Balance (alias)",
    **_doc(s.UserAssetsRequest, list[s.AssetOut]),
)

__all__ = ["platform_of", "router", "wallet_router"]
