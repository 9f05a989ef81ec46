"""Wallet API endpoints (spec/wallet-wapi-v3.txt; docs/wallet-api.md): parse, call, answer."""

from __future__ import annotations

from typing import Any

from binance_sandbox.chain.service import ChainService
from binance_sandbox.wallet import assets
from binance_sandbox.wallet.auth import NONE, TRADE, USER_DATA, Guard, WalletCall
from binance_sandbox.wallet.service import Wapi
from binance_sandbox.web.chain import Operations

wapi_operations: Operations[WalletCall] = Operations("/wapi/v3", "Wallet (wapi v3)")
sapi_operations: Operations[WalletCall] = Operations("/sapi/v1", "Wallet (sapi v1)")
api_operations: Operations[WalletCall] = Operations("/api/v3", "Wallet (api v3)")
EXCHANGE_INFO_WEIGHT = 10


def _wapi(call: WalletCall) -> Wapi:
    wapi: Wapi = call.services.wapi
    return wapi


def _chain(call: WalletCall) -> ChainService:
    chain: ChainService = call.services.chain
    return chain


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


@wapi_operations.post(
    "/withdraw.html",
    guard=TRADE,
    summary="Withdraw",
    **documented("asset!", "network", "address!", "addressTag", "amount!", "name"),
)
async def withdraw(call: WalletCall) -> Any:
    wapi = _wapi(call)
    chain = _chain(call)
    p = call.params
    return await wapi.capital.withdraw(
        chain,
        call.user_id,
        asset=p.required_asset(),
        network=p.text("network"),
        address=p.required_text("address"),
        tag=p.text("addressTag"),
        amount=p.required_decimal("amount"),
        name=p.text("name"),
    )


@wapi_operations.get(
    "/depositHistory.html",
    guard=USER_DATA,
    summary="Deposit History",
    **documented("asset", "status", "startTime", "endTime"),
)
async def deposit_history(call: WalletCall) -> Any:
    wapi = _wapi(call)
    chain = _chain(call)
    p = call.params
    return await wapi.capital.deposit_history(
        chain,
        call.user_id,
        asset=p.asset(),
        status=p.choice("status", (0, 1, 6)),
        start=p.long("startTime"),
        end=p.long("endTime"),
    )


@wapi_operations.get(
    "/withdrawHistory.html",
    guard=USER_DATA,
    summary="Withdraw History",
    **documented("asset", "status", "startTime", "endTime"),
)
async def withdraw_history(call: WalletCall) -> Any:
    wapi = _wapi(call)
    chain = _chain(call)
    p = call.params
    return await wapi.capital.withdraw_history(
        chain,
        call.user_id,
        asset=p.asset(),
        status=p.choice("status", (0, 1, 2, 3, 4, 5, 6)),
        start=p.long("startTime"),
        end=p.long("endTime"),
    )


@wapi_operations.get(
    "/depositAddress.html",
    guard=USER_DATA,
    summary="Deposit Address",
    **documented("asset!", "status"),
)
async def deposit_address(call: WalletCall) -> Any:
    wapi = _wapi(call)
    chain = _chain(call)
    asset = call.params.required_asset()
    call.params.boolean("status")  # accepted (true|false); the sandbox has nothing to filter
    return await wapi.capital.deposit_address(chain, call.user_id, asset)


# -- wapi v3: statuses, fees, assets, dust log -----------------------------------------------


@wapi_operations.get(
    "/accountStatus.html", guard=USER_DATA, summary="Account Status", **documented()
)
async def account_status(call: WalletCall) -> Any:
    wapi = _wapi(call)
    return await wapi.status.account(call.user_id)


@wapi_operations.get(
    "/systemStatus.html", guard=NONE, summary="System Status", **documented(signed=False)
)
async def system_status(call: WalletCall) -> Any:
    wapi = _wapi(call)
    return (await wapi.status.system()).out()


@wapi_operations.get(
    "/apiTradingStatus.html", guard=USER_DATA, summary="Account API Trading Status", **documented()
)
async def api_trading_status(call: WalletCall) -> Any:
    wapi = _wapi(call)
    return await wapi.status.api_trading(call.user_id)


@wapi_operations.get(
    "/userAssetDribbletLog.html", guard=USER_DATA, summary="DustLog", **documented()
)
async def dribblet_log(call: WalletCall) -> Any:
    wapi = _wapi(call)
    return await wapi.dust.dribblet_log(call.user_id)


@wapi_operations.get("/tradeFee.html", guard=USER_DATA, summary="Trade Fee", **documented("symbol"))
async def trade_fee(call: WalletCall) -> Any:
    symbol = call.params.text("symbol")
    return assets.trade_fee(symbol.upper() if symbol else None)


@wapi_operations.get("/assetDetail.html", guard=USER_DATA, summary="Asset Detail", **documented())
async def asset_detail(call: WalletCall) -> Any:
    return assets.asset_detail(await call.services.chain.networks.fresh())


# -- wapi v3: sub-accounts ---------------------------------------------------------------------


@wapi_operations.get(
    "/sub-account/list.html",
    guard=USER_DATA,
    summary="Query Sub-account List",
    **documented("email", "status", "page", "limit"),
)
async def sub_account_list(call: WalletCall) -> Any:
    wapi = _wapi(call)
    p = call.params
    offset, limit = p.page()
    return await wapi.subaccounts.list(
        call.user_id,
        email=p.email("email"),
        status=p.text("status"),
        offset=offset,
        limit=limit,
    )


@wapi_operations.get(
    "/sub-account/transfer/history.html",
    guard=USER_DATA,
    summary="Query Sub-account Transfer History",
    **documented("email!", "startTime", "endTime", "page", "limit"),
)
async def sub_account_transfer_history(call: WalletCall) -> Any:
    wapi = _wapi(call)
    p = call.params
    email = p.required_email("email")
    start, end = p.long("startTime"), p.long("endTime")
    offset, limit = p.page()
    return await wapi.subaccounts.history(
        call.user_id, email=email, start=start, end=end, offset=offset, limit=limit
    )


@wapi_operations.post(
    "/sub-account/transfer.html",
    guard=TRADE,
    summary="Sub-account Transfer",
    **documented("fromEmail!", "toEmail!", "asset!", "amount!"),
)
async def sub_account_transfer(call: WalletCall) -> Any:
    wapi = _wapi(call)
    p = call.params
    return await wapi.subaccounts.transfer(
        call.user_id,
        from_email=p.required_email("fromEmail"),
        to_email=p.required_email("toEmail"),
        asset=p.required_asset(),
        amount=p.required_decimal("amount"),
    )


@wapi_operations.get(
    "/sub-account/assets.html",
    guard=USER_DATA,
    summary="Query Sub-account Assets",
    **documented("email!", "symbol"),
)
async def sub_account_assets(call: WalletCall) -> Any:
    wapi = _wapi(call)
    p = call.params
    email = p.required_email("email")
    return await wapi.subaccounts.assets(call.user_id, email=email, symbol=p.asset("symbol"))


# -- sapi v1 -----------------------------------------------------------------------------------


@sapi_operations.post("/asset/dust", guard=TRADE, summary="Dust Transfer", **documented("asset!"))
async def dust(call: WalletCall) -> Any:
    wapi = _wapi(call)
    return await wapi.dust.convert(call.user_id, call.params.assets("asset"))


@sapi_operations.get(
    "/asset/assetDividend",
    guard=USER_DATA,
    summary="Asset Dividend Record",
    **documented("asset", "startTime", "endTime"),
)
async def asset_dividend(call: WalletCall) -> Any:
    wapi = _wapi(call)
    p = call.params
    return await wapi.dividends.records(
        call.user_id, asset=p.asset(), start=p.long("startTime"), end=p.long("endTime")
    )


# -- api v3: what clients call before anything else -----------------------------------------


@api_operations.get("/ping", guard=NONE, summary="Test Connectivity", **documented(signed=False))
async def ping(call: WalletCall) -> Any:
    return {}


@api_operations.get("/time", guard=NONE, summary="Check Server Time", **documented(signed=False))
async def server_time(call: WalletCall) -> Any:
    return {"serverTime": call.now_ms}


@api_operations.get(
    "/exchangeInfo",
    guard=Guard("NONE", EXCHANGE_INFO_WEIGHT),
    summary="Exchange Information",
    **documented(signed=False),
)
async def exchange_info(call: WalletCall) -> Any:
    limits = call.services.platform.settings
    return {
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
