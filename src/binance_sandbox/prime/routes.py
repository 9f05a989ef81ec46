"""Connect Prime endpoints (guide "Quick Reference: API Endpoint Summary"): parse, call the
service, shape the answer."""

from __future__ import annotations

from typing import Any

from binance_sandbox.connect.auth import ConnectCall
from binance_sandbox.connect.envelope import Envelope
from binance_sandbox.prime import schemas as s
from binance_sandbox.prime.service_market import MarketData
from binance_sandbox.prime.service_orders import OrderQueries
from binance_sandbox.prime.service_reference import ReferenceService
from binance_sandbox.prime.service_trading import TradeService
from binance_sandbox.web import openapi_body
from binance_sandbox.web.chain import Operations

PREFIX = "/papi/v1/ramp/connect/prime"
operations: Operations[ConnectCall] = Operations(PREFIX, "Connect Prime")


def _reference(call: ConnectCall) -> ReferenceService:
    service: ReferenceService = call.services.prime_reference
    return service


def _trading(call: ConnectCall) -> TradeService:
    service: TradeService = call.services.prime_trading
    return service


def _orders(call: ConnectCall) -> OrderQueries:
    service: OrderQueries = call.services.prime_orders
    return service


def _market(call: ConnectCall) -> MarketData:
    service: MarketData = call.services.prime_market
    return service


def _doc(model: type[Any], out: Any) -> dict[str, Any]:
    return {"openapi_extra": openapi_body(model), "response_model": Envelope[out]}


@operations.post(
    "/buy/fiat-list", summary="Get Fiat List (Buy)", **_doc(s.UserRequest, s.FiatListOut)
)
async def fiat_list(call: ConnectCall) -> Any:
    return await _reference(call).fiat_list(call.partner, call.parse(s.UserRequest))


@operations.post(
    "/sell/crypto-list", summary="Get Crypto List (Sell)", **_doc(s.UserRequest, s.CryptoListOut)
)
async def crypto_list(call: ConnectCall) -> Any:
    return await _reference(call).crypto_list(call.partner, call.parse(s.UserRequest))


@operations.post(
    "/trading-pair",
    summary="Get Trading Pair",
    **_doc(s.TradingPairRequest, list[s.TradingPairOut]),
)
async def trading_pair(call: ConnectCall) -> Any:
    return await _reference(call).trading_pairs(call.partner, call.parse(s.TradingPairRequest))


@operations.post(
    "/fiat-crypto-amount-limit",
    summary="Get Fiat/Crypto Amount Limit",
    **_doc(s.AmountLimitRequest, s.AmountLimitOut),
)
async def amount_limit(call: ConnectCall) -> Any:
    return await _reference(call).amount_limits(call.partner, call.parse(s.AmountLimitRequest))


@operations.post("/quote", summary="Get Quote", **_doc(s.QuoteRequest, s.QuoteOut))
async def quote(call: ConnectCall) -> Any:
    return await _trading(call).quote(call.partner, call.parse(s.QuoteRequest))


@operations.post("/quote/execute", summary="Execute Quote", **_doc(s.ExecuteRequest, s.ExecuteOut))
async def execute(call: ConnectCall) -> Any:
    return await _trading(call).execute(call.partner, call.parse(s.ExecuteRequest))


@operations.post(
    "/transaction", summary="Get Single Transaction", **_doc(s.TransactionRequest, s.OrderOut)
)
async def transaction(call: ConnectCall) -> Any:
    return await _orders(call).transaction(call.partner, call.parse(s.TransactionRequest))


@operations.post(
    "/transactions",
    summary="Get Transaction List",
    **_doc(s.TransactionsRequest, s.TransactionsOut),
)
async def transactions(call: ConnectCall) -> Any:
    return await _orders(call).transactions(call.partner, call.parse(s.TransactionsRequest))


@operations.post(
    "/wallet/asset/user-assets",
    summary="Get Balance",
    **_doc(s.UserAssetsRequest, list[s.AssetOut]),
)
async def user_assets(call: ConnectCall) -> Any:
    return await _orders(call).user_assets(call.partner, call.parse(s.UserAssetsRequest))


@operations.post(
    "/info/symbol-detail",
    summary="Get Symbol Detail",
    **_doc(s.SymbolDetailRequest, s.SymbolDetailOut),
)
async def symbol_detail(call: ConnectCall) -> Any:
    return _market(call).symbol_detail(call.parse(s.SymbolDetailRequest))


@operations.post("/info/klines", summary="Get Kline Data", **_doc(s.KlinesRequest, list[list[Any]]))
async def klines(call: ConnectCall) -> Any:
    return _market(call).klines(call.parse(s.KlinesRequest))


@operations.post(
    "/info/discover", summary="Get Discover Price", **_doc(s.DiscoverRequest, list[s.DiscoverOut])
)
async def discover(call: ConnectCall) -> Any:
    return _market(call).discover(call.parse(s.DiscoverRequest))


# "Get Balance: Refer to wallet/asset/user-assets" (guide endpoint summary, #9) names the
# path without the prime prefix; it answers there too.
alias: Operations[ConnectCall] = Operations("/papi/v1/ramp/connect", "Connect Prime")
alias.post(
    "/wallet/asset/user-assets",
    summary="Get Balance (alias)",
    **_doc(s.UserAssetsRequest, list[s.AssetOut]),
)(user_assets)
