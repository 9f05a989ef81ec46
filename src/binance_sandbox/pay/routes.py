"""Binance Pay endpoints (NOTES.md's list; docs/binance-pay.md): parse, call, answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from binance_sandbox.pay import schemas as s
from binance_sandbox.pay.payouts import PayoutService
from binance_sandbox.pay.routing import PAY, PayRequest, ok, pay_request
from binance_sandbox.pay.service import PayService
from binance_sandbox.pay.wallet import WalletService
from binance_sandbox.web import openapi_body

router = APIRouter(prefix="/binancepay/openapi", route_class=PAY.route_class, tags=["Binance Pay"])
Call = Annotated[PayRequest, Depends(pay_request)]


# `async def`: FastAPI runs a plain `def` dependency in its thread pool, a thread hop on
# every request.
async def _pay(request: Request) -> PayService:
    service: PayService = request.app.state.pay
    return service


async def _payouts(request: Request) -> PayoutService:
    service: PayoutService = request.app.state.payouts
    return service


async def _wallet(request: Request) -> WalletService:
    service: WalletService = request.app.state.wallet
    return service


Pay = Annotated[PayService, Depends(_pay)]
Payouts = Annotated[PayoutService, Depends(_payouts)]
Wallet = Annotated[WalletService, Depends(_wallet)]


def _base(request: Request) -> str:
    return str(request.base_url)


def _doc(model: type[Any]) -> dict[str, Any]:
    return {"openapi_extra": openapi_body(model)}


@router.post("/v2/order", summary="Create Order (v2)", **_doc(s.CreateOrderV2))
async def create_order_v2(call: Call, pay: Pay, request: Request) -> Response:
    req = call.parse(s.CreateOrderV2)
    raw = call.data()
    return ok(
        await pay.create_order(call.merchant, req, version="v2", raw=raw, base_url=_base(request))
    )


@router.post("/v3/order", summary="Create Order (v3)", **_doc(s.CreateOrderV3))
async def create_order_v3(call: Call, pay: Pay, request: Request) -> Response:
    req = call.parse(s.CreateOrderV3)
    raw = call.data()
    return ok(
        await pay.create_order(call.merchant, req, version="v3", raw=raw, base_url=_base(request))
    )


@router.post(
    "/v3/order/create", summary="Create Order (v3, pay-openapi shape)", **_doc(s.CreateOrderV3Short)
)
async def create_order_v3_short(call: Call, pay: Pay, request: Request) -> Response:
    short = call.parse(s.CreateOrderV3Short)
    # The same order as v3: the openapi shape names the amount totalFee and the terminal tradeType.
    req = s.CreateOrderV3.model_validate(
        {
            "env": {"terminalType": short.tradeType},
            "merchantTradeNo": short.merchantTradeNo,
            "orderAmount": short.totalFee,
            "currency": short.currency,
            "description": short.productDetail or short.productName or short.merchantTradeNo,
            "goodsDetails": [
                {
                    "goodsType": "02",
                    "goodsCategory": "Z000",
                    "referenceGoodsId": short.merchantTradeNo,
                    "goodsName": short.productName or short.merchantTradeNo,
                    "goodsDetail": short.productDetail,
                }
            ],
            "orderExpireTime": short.orderExpireTime,
            "returnUrl": short.returnUrl,
            "cancelUrl": short.cancelUrl,
            "webhookUrl": short.webhookUrl,
        }
    )
    raw = call.data()
    return ok(
        await pay.create_order(call.merchant, req, version="v3c", raw=raw, base_url=_base(request))
    )


@router.post("/v2/order/query", summary="Query Order", **_doc(s.OrderRef))
async def query_order(call: Call, pay: Pay) -> Response:
    return ok(await pay.query(call.merchant, call.parse(s.OrderRef)))


@router.post("/order/close", summary="Close Order", **_doc(s.OrderRef))
async def close_order(call: Call, pay: Pay) -> Response:
    return ok(await pay.close(call.merchant, call.parse(s.OrderRef)))


@router.post("/order/refund", summary="Refund Order", **_doc(s.Refund))
async def refund(call: Call, pay: Pay) -> Response:
    return ok(await pay.refund(call.merchant, call.parse(s.Refund)))


@router.post("/order/refund/query", summary="Query Refund Order", **_doc(s.RefundQuery))
async def refund_query(call: Call, pay: Pay) -> Response:
    return ok(await pay.refund_query(call.merchant, call.parse(s.RefundQuery)))


@router.post("/payout/transfer", summary="Batch Payout", **_doc(s.Payout))
async def payout(call: Call, payouts: Payouts) -> Response:
    return ok(await payouts.create(call.merchant, call.parse(s.Payout)))


@router.post("/payout/query", summary="Payout Query", **_doc(s.PayoutQuery))
async def payout_query(call: Call, payouts: Payouts) -> Response:
    return ok(await payouts.query(call.merchant, call.parse(s.PayoutQuery)))


@router.post("/balance", summary="Wallet Balance Query (v1)", **_doc(s.BalanceV1))
async def balance_v1(call: Call, wallet: Wallet) -> Response:
    return ok(await wallet.balance_v1(call.merchant, call.parse(s.BalanceV1)))


@router.post("/v2/balance", summary="Wallet Balance Query (v2)", **_doc(s.BalanceV2))
async def balance_v2(call: Call, wallet: Wallet) -> Response:
    return ok(await wallet.balance_v2(call.merchant, call.parse(s.BalanceV2)))


@router.post("/wallet/transfer", summary="Transfer Fund", **_doc(s.WalletTransfer))
async def wallet_transfer(call: Call, wallet: Wallet) -> Response:
    return ok(await wallet.transfer(call.merchant, call.parse(s.WalletTransfer)))


@router.post(
    "/wallet/transfer/query", summary="Query Transfer Result", **_doc(s.WalletTransferQuery)
)
async def wallet_transfer_query(call: Call, wallet: Wallet) -> Response:
    return ok(await wallet.transfer_query(call.merchant, call.parse(s.WalletTransferQuery)))


@router.post("/submerchant/add", summary="Create Sub-merchant", **_doc(s.SubMerchantAdd))
async def submerchant_add(call: Call, wallet: Wallet) -> Response:
    return ok(await wallet.add_sub_merchant(call.merchant, call.parse(s.SubMerchantAdd)))


@router.post("/certificates", summary="Query Certificate")
async def certificates(call: Call, wallet: Wallet) -> Response:
    if call.body.strip():
        call.parse(s.Body)  # must be a JSON object (400008) when there is a body
    return ok(wallet.certificates())
