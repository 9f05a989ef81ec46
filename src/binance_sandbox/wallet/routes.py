"""Wallet API endpoints (spec/wallet-wapi-v3.txt; docs/wallet-api.md): parse, call, answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from binance_sandbox.chain.service import ChainService
from binance_sandbox.wallet import assets
from binance_sandbox.wallet.routing import (
    API_ROUTE,
    NONE,
    SAPI_ROUTE,
    TRADE,
    USER_DATA,
    WAPI_ROUTE,
    Guard,
    WalletCall,
    ok,
)
from binance_sandbox.wallet.service import Wapi

wapi_router = APIRouter(prefix="/wapi/v3", route_class=WAPI_ROUTE, tags=["Wallet (wapi v3)"])
sapi_router = APIRouter(prefix="/sapi/v1", route_class=SAPI_ROUTE, tags=["Wallet (sapi v1)"])
api_router = APIRouter(prefix="/api/v3", route_class=API_ROUTE, tags=["Wallet (api v3)"])

Public = Annotated[WalletCall, Depends(NONE)]
UserData = Annotated[WalletCall, Depends(USER_DATA)]
Trade = Annotated[WalletCall, Depends(TRADE)]
EXCHANGE_INFO_WEIGHT = 10


# `async def`: FastAPI runs a plain `def` dependency in its thread pool, a thread hop on
# every request.
async def _wapi(request: Request) -> Wapi:
    wapi: Wapi = request.app.state.wapi
    return wapi


async def _chain(request: Request) -> ChainService:
    chain: ChainService = request.app.state.chain
    return chain


Family = Annotated[Wapi, Depends(_wapi)]
Chain = Annotated[ChainService, Depends(_chain)]


def documented(*names: str, signed: bool = True) -> dict[str, Any]:
    """OpenAPI parameters of an endpoint whose request the guard reads itself: the spec's
    names (`name!` is mandatory), plus the SIGNED section's for a signed endpoint."""
    listed = [*names, "recvWindow", "timestamp!", "signature!"] if signed else list(names)
    parameters: list[dict[str, Any]] = [
        {
            "name": n.rstrip("!"),
            "in": "query",
            "required": n.endswith("!"),
            "schema": {"type": "string"},
        }
        for n in listed
    ]
    if signed:
        parameters.append(
            {"name": "X-MBX-APIKEY", "in": "header", "required": True, "schema": {"type": "string"}}
        )
    return {"openapi_extra": {"parameters": parameters}}


# -- wapi v3: capital -------------------------------------------------------------------------


@wapi_router.post(
    "/withdraw.html",
    summary="Withdraw",
    **documented("asset!", "network", "address!", "addressTag", "amount!", "name"),
)
async def withdraw(call: Trade, wapi: Family, chain: Chain) -> Response:
    p = call.params
    return ok(
        await wapi.capital.withdraw(
            chain,
            call.user_id,
            asset=p.required_asset(),
            network=p.text("network"),
            address=p.required_text("address"),
            tag=p.text("addressTag"),
            amount=p.required_decimal("amount"),
            name=p.text("name"),
        )
    )


@wapi_router.get(
    "/depositHistory.html",
    summary="Deposit History",
    **documented("asset", "status", "startTime", "endTime"),
)
async def deposit_history(call: UserData, wapi: Family, chain: Chain) -> Response:
    p = call.params
    return ok(
        await wapi.capital.deposit_history(
            chain,
            call.user_id,
            asset=p.asset(),
            status=p.choice("status", (0, 1, 6)),
            start=p.long("startTime"),
            end=p.long("endTime"),
        )
    )


@wapi_router.get(
    "/withdrawHistory.html",
    summary="Withdraw History",
    **documented("asset", "status", "startTime", "endTime"),
)
async def withdraw_history(call: UserData, wapi: Family, chain: Chain) -> Response:
    p = call.params
    return ok(
        await wapi.capital.withdraw_history(
            chain,
            call.user_id,
            asset=p.asset(),
            status=p.choice("status", (0, 1, 2, 3, 4, 5, 6)),
            start=p.long("startTime"),
            end=p.long("endTime"),
        )
    )


@wapi_router.get(
    "/depositAddress.html", summary="Deposit Address", **documented("asset!", "status")
)
async def deposit_address(call: UserData, wapi: Family, chain: Chain) -> Response:
    asset = call.params.required_asset()
    call.params.boolean("status")  # accepted (true|false); the sandbox has nothing to filter
    return ok(await wapi.capital.deposit_address(chain, call.user_id, asset))


# -- wapi v3: statuses, fees, assets, dust log -----------------------------------------------


@wapi_router.get("/accountStatus.html", summary="Account Status", **documented())
async def account_status(call: UserData, wapi: Family) -> Response:
    return ok(await wapi.status.account(call.user_id))


@wapi_router.get("/systemStatus.html", summary="System Status", **documented(signed=False))
async def system_status(call: Public, wapi: Family) -> Response:
    return ok((await wapi.status.system()).out())


@wapi_router.get("/apiTradingStatus.html", summary="Account API Trading Status", **documented())
async def api_trading_status(call: UserData, wapi: Family) -> Response:
    return ok(await wapi.status.api_trading(call.user_id))


@wapi_router.get("/userAssetDribbletLog.html", summary="DustLog", **documented())
async def dribblet_log(call: UserData, wapi: Family) -> Response:
    return ok(await wapi.dust.dribblet_log(call.user_id))


@wapi_router.get("/tradeFee.html", summary="Trade Fee", **documented("symbol"))
async def trade_fee(call: UserData) -> Response:
    symbol = call.params.text("symbol")
    return ok(assets.trade_fee(symbol.upper() if symbol else None))


@wapi_router.get("/assetDetail.html", summary="Asset Detail", **documented())
async def asset_detail(call: UserData, request: Request) -> Response:
    return ok(assets.asset_detail(await request.app.state.chain.networks.fresh()))


# -- wapi v3: sub-accounts ---------------------------------------------------------------------


@wapi_router.get(
    "/sub-account/list.html",
    summary="Query Sub-account List",
    **documented("email", "status", "page", "limit"),
)
async def sub_account_list(call: UserData, wapi: Family) -> Response:
    p = call.params
    offset, limit = p.page()
    return ok(
        await wapi.subaccounts.list(
            call.user_id,
            email=p.email("email"),
            status=p.text("status"),
            offset=offset,
            limit=limit,
        )
    )


@wapi_router.get(
    "/sub-account/transfer/history.html",
    summary="Query Sub-account Transfer History",
    **documented("email!", "startTime", "endTime", "page", "limit"),
)
async def sub_account_transfer_history(call: UserData, wapi: Family) -> Response:
    p = call.params
    email = p.required_email("email")
    start, end = p.long("startTime"), p.long("endTime")
    offset, limit = p.page()
    return ok(
        await wapi.subaccounts.history(
            call.user_id, email=email, start=start, end=end, offset=offset, limit=limit
        )
    )


@wapi_router.post(
    "/sub-account/transfer.html",
    summary="Sub-account Transfer",
    **documented("fromEmail!", "toEmail!", "asset!", "amount!"),
)
async def sub_account_transfer(call: Trade, wapi: Family) -> Response:
    p = call.params
    return ok(
        await wapi.subaccounts.transfer(
            call.user_id,
            from_email=p.required_email("fromEmail"),
            to_email=p.required_email("toEmail"),
            asset=p.required_asset(),
            amount=p.required_decimal("amount"),
        )
    )


@wapi_router.get(
    "/sub-account/assets.html", summary="Query Sub-account Assets", **documented("email!", "symbol")
)
async def sub_account_assets(call: UserData, wapi: Family) -> Response:
    p = call.params
    email = p.required_email("email")
    return ok(await wapi.subaccounts.assets(call.user_id, email=email, symbol=p.asset("symbol")))


# -- sapi v1 -----------------------------------------------------------------------------------


@sapi_router.post("/asset/dust", summary="Dust Transfer", **documented("asset!"))
async def dust(call: Trade, wapi: Family) -> Response:
    return ok(await wapi.dust.convert(call.user_id, call.params.assets("asset")))


@sapi_router.get(
    "/asset/assetDividend",
    summary="Asset Dividend Record",
    **documented("asset", "startTime", "endTime"),
)
async def asset_dividend(call: UserData, wapi: Family) -> Response:
    p = call.params
    return ok(
        await wapi.dividends.records(
            call.user_id, asset=p.asset(), start=p.long("startTime"), end=p.long("endTime")
        )
    )


# -- api v3: what clients call before anything else -----------------------------------------


@api_router.get("/ping", summary="Test Connectivity", **documented(signed=False))
async def ping(call: Public) -> Response:
    return ok({})


@api_router.get("/time", summary="Check Server Time", **documented(signed=False))
async def server_time(call: Public) -> Response:
    return ok({"serverTime": call.now_ms})


@api_router.get("/exchangeInfo", summary="Exchange Information", **documented(signed=False))
async def exchange_info(
    request: Request,
    call: Annotated[WalletCall, Depends(Guard("NONE", EXCHANGE_INFO_WEIGHT))],
) -> Response:
    limits = request.app.state.platform.settings
    return ok(
        {
            "timezone": "UTC",
            "serverTime": call.now_ms,
            "rateLimits": [
                {
                    "rateLimitType": "REQUEST_WEIGHT",
                    "interval": "MINUTE",
                    "intervalNum": 1,
                    "limit": limits.wallet_ip_weight_per_minute,
                }
            ],
            "exchangeFilters": [],
            "symbols": [_symbol(*pair) for pair in assets.symbol_pairs()],
        }
    )


def _symbol(symbol: str, base: str, quote: str) -> dict[str, Any]:
    """A symbol as exchangeInfo lists it; no order types or filters: the sandbox has no
    order book."""
    return {
        "symbol": symbol,
        "status": "TRADING",
        "baseAsset": base,
        "baseAssetPrecision": 8,
        "quoteAsset": quote,
        "quotePrecision": 8,
        "orderTypes": [],
        "filters": [],
    }
