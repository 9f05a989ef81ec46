"""Wallet API endpoints (spec/wallet-wapi-v3.txt; docs/wallet-api.md): parse, call, answer."""

from __future__ import annotations

from typing import Any

from binance_sandbox.chain.service_addresses import AddressService
from binance_sandbox.chain.service_transfers import TransferService
from binance_sandbox.chain.service_withdrawals import WithdrawalService
from binance_sandbox.wallet import assets
from binance_sandbox.wallet import schemas as s
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


def _addresses(call: WalletCall) -> AddressService:
    service: AddressService = call.services.chain_addresses
    return service


def _transfers(call: WalletCall) -> TransferService:
    service: TransferService = call.services.chain_transfers
    return service


def _withdrawals(call: WalletCall) -> WithdrawalService:
    service: WithdrawalService = call.services.chain_withdrawals
    return service


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
    **documented(*s.Withdraw.FIELDS),
)
async def withdraw(call: WalletCall) -> Any:
    wapi = _wapi(call)
    req = s.Withdraw.read(call.params)
    return await wapi.capital.withdraw(
        _withdrawals(call),
        call.user_id,
        asset=req.asset,
        network=req.network,
        address=req.address,
        tag=req.addressTag,
        amount=req.amount,
        name=req.name,
    )


@wapi_operations.get(
    "/depositHistory.html",
    guard=USER_DATA,
    summary="Deposit History",
    **documented(*s.DepositHistory.FIELDS),
)
async def deposit_history(call: WalletCall) -> Any:
    wapi = _wapi(call)
    req = s.DepositHistory.read(call.params)
    return await wapi.capital.deposit_history(
        _transfers(call),
        call.user_id,
        asset=req.asset,
        status=req.status,
        start=req.startTime,
        end=req.endTime,
    )


@wapi_operations.get(
    "/withdrawHistory.html",
    guard=USER_DATA,
    summary="Withdraw History",
    **documented(*s.WithdrawHistory.FIELDS),
)
async def withdraw_history(call: WalletCall) -> Any:
    wapi = _wapi(call)
    req = s.WithdrawHistory.read(call.params)
    return await wapi.capital.withdraw_history(
        _withdrawals(call),
        call.user_id,
        asset=req.asset,
        status=req.status,
        start=req.startTime,
        end=req.endTime,
    )


@wapi_operations.get(
    "/depositAddress.html",
    guard=USER_DATA,
    summary="Deposit Address",
    **documented(*s.DepositAddress.FIELDS),
)
async def deposit_address(call: WalletCall) -> Any:
    wapi = _wapi(call)
    req = s.DepositAddress.read(call.params)
    return await wapi.capital.deposit_address(_addresses(call), call.user_id, req.asset)


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


@wapi_operations.get(
    "/tradeFee.html", guard=USER_DATA, summary="Trade Fee", **documented(*s.TradeFee.FIELDS)
)
async def trade_fee(call: WalletCall) -> Any:
    return assets.trade_fee(s.TradeFee.read(call.params).symbol)


@wapi_operations.get("/assetDetail.html", guard=USER_DATA, summary="Asset Detail", **documented())
async def asset_detail(call: WalletCall) -> Any:
    return assets.asset_detail(await call.services.chain_networks.fresh())


# -- wapi v3: sub-accounts ---------------------------------------------------------------------


@wapi_operations.get(
    "/sub-account/list.html",
    guard=USER_DATA,
    summary="Query Sub-account List",
    **documented(*s.SubAccountList.FIELDS),
)
async def sub_account_list(call: WalletCall) -> Any:
    wapi = _wapi(call)
    req = s.SubAccountList.read(call.params)
    return await wapi.subaccounts.list(
        call.user_id, email=req.email, status=req.status, offset=req.offset, limit=req.limit
    )


@wapi_operations.get(
    "/sub-account/transfer/history.html",
    guard=USER_DATA,
    summary="Query Sub-account Transfer History",
    **documented(*s.SubAccountTransferHistory.FIELDS),
)
async def sub_account_transfer_history(call: WalletCall) -> Any:
    wapi = _wapi(call)
    req = s.SubAccountTransferHistory.read(call.params)
    return await wapi.subaccounts.history(
        call.user_id,
        email=req.email,
        start=req.startTime,
        end=req.endTime,
        offset=req.offset,
        limit=req.limit,
    )


@wapi_operations.post(
    "/sub-account/transfer.html",
    guard=TRADE,
    summary="Sub-account Transfer",
    **documented(*s.SubAccountTransfer.FIELDS),
)
async def sub_account_transfer(call: WalletCall) -> Any:
    wapi = _wapi(call)
    req = s.SubAccountTransfer.read(call.params)
    return await wapi.subaccounts.transfer(
        call.user_id,
        from_email=req.fromEmail,
        to_email=req.toEmail,
        asset=req.asset,
        amount=req.amount,
    )


@wapi_operations.get(
    "/sub-account/assets.html",
    guard=USER_DATA,
    summary="Query Sub-account Assets",
    **documented(*s.SubAccountAssets.FIELDS),
)
async def sub_account_assets(call: WalletCall) -> Any:
    wapi = _wapi(call)
    req = s.SubAccountAssets.read(call.params)
    return await wapi.subaccounts.assets(call.user_id, email=req.email, symbol=req.symbol)


# -- sapi v1 -----------------------------------------------------------------------------------


@sapi_operations.post(
    "/asset/dust", guard=TRADE, summary="Dust Transfer", **documented(*s.Dust.FIELDS)
)
async def dust(call: WalletCall) -> Any:
    wapi = _wapi(call)
    return await wapi.dust.convert(call.user_id, s.Dust.read(call.params).asset)


@sapi_operations.get(
    "/asset/assetDividend",
    guard=USER_DATA,
    summary="Asset Dividend Record",
    **documented(*s.AssetDividend.FIELDS),
)
async def asset_dividend(call: WalletCall) -> Any:
    wapi = _wapi(call)
    req = s.AssetDividend.read(call.params)
    return await wapi.dividends.records(
        call.user_id, asset=req.asset, start=req.startTime, end=req.endTime
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
