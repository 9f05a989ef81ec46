"""Binance Pay endpoints (NOTES.md's list; docs/binance-pay.md): parse, call, answer."""

from __future__ import annotations

from typing import Any

from binance_sandbox.pay import schemas as s
from binance_sandbox.pay.auth import PayCall
from binance_sandbox.pay.payouts import PayoutService
from binance_sandbox.pay.service_orders import OrderService
from binance_sandbox.pay.service_refunds import RefundService
from binance_sandbox.pay.wallet import WalletService
from binance_sandbox.web import openapi_body
from binance_sandbox.web.chain import Operations

operations: Operations[PayCall] = Operations("/binancepay/openapi", "Binance Pay")


def _orders(call: PayCall) -> OrderService:
    service: OrderService = call.services.pay_orders
    return service


def _refunds(call: PayCall) -> RefundService:
    service: RefundService = call.services.pay_refunds
    return service


def _payouts(call: PayCall) -> PayoutService:
    service: PayoutService = call.services.payouts
    return service


def _wallet(call: PayCall) -> WalletService:
    service: WalletService = call.services.wallet
    return service


def _base(call: PayCall) -> str:
    return str(call.request.base_url)


def _doc(model: type[Any]) -> dict[str, Any]:
    return {"openapi_extra": openapi_body(model)}


@operations.post("/v2/order", summary="Create Order (v2)", **_doc(s.CreateOrderV2))
async def create_order_v2(call: PayCall) -> Any:
    req = call.parse(s.CreateOrderV2)
    raw = call.data()
    return await _orders(call).create_order(
        call.merchant, req, version="v2", raw=raw, base_url=_base(call)
    )


@operations.post("/v3/order", summary="Create Order (v3)", **_doc(s.CreateOrderV3))
async def create_order_v3(call: PayCall) -> Any:
    req = call.parse(s.CreateOrderV3)
    raw = call.data()
    return await _orders(call).create_order(
        call.merchant, req, version="v3", raw=raw, base_url=_base(call)
    )


@operations.post(
    "/v3/order/create", summary="Create Order (v3, pay-openapi shape)", **_doc(s.CreateOrderV3Short)
)
async def create_order_v3_short(call: PayCall) -> Any:
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
    return await _orders(call).create_order(
        call.merchant, req, version="v3c", raw=raw, base_url=_base(call)
    )


@operations.post("/v2/order/query", summary="Query Order", **_doc(s.OrderRef))
async def query_order(call: PayCall) -> Any:
    return await _orders(call).query(call.merchant, call.parse(s.OrderRef))


@operations.post("/order/close", summary="Close Order", **_doc(s.OrderRef))
async def close_order(call: PayCall) -> Any:
    return await _orders(call).close(call.merchant, call.parse(s.OrderRef))


@operations.post("/order/refund", summary="Refund Order", **_doc(s.Refund))
async def refund(call: PayCall) -> Any:
    return await _refunds(call).refund(call.merchant, call.parse(s.Refund))


@operations.post("/order/refund/query", summary="Query Refund Order", **_doc(s.RefundQuery))
async def refund_query(call: PayCall) -> Any:
    return await _refunds(call).refund_query(call.merchant, call.parse(s.RefundQuery))


@operations.post("/payout/transfer", summary="Batch Payout", **_doc(s.Payout))
async def payout(call: PayCall) -> Any:
    return await _payouts(call).create(call.merchant, call.parse(s.Payout))


@operations.post("/payout/query", summary="Payout Query", **_doc(s.PayoutQuery))
async def payout_query(call: PayCall) -> Any:
    return await _payouts(call).query(call.merchant, call.parse(s.PayoutQuery))


@operations.post("/balance", summary="Wallet Balance Query (v1)", **_doc(s.BalanceV1))
async def balance_v1(call: PayCall) -> Any:
    return await _wallet(call).balance_v1(call.merchant, call.parse(s.BalanceV1))


@operations.post("/v2/balance", summary="Wallet Balance Query (v2)", **_doc(s.BalanceV2))
async def balance_v2(call: PayCall) -> Any:
    return await _wallet(call).balance_v2(call.merchant, call.parse(s.BalanceV2))


@operations.post("/wallet/transfer", summary="Transfer Fund", **_doc(s.WalletTransfer))
async def wallet_transfer(call: PayCall) -> Any:
    return await _wallet(call).transfer(call.merchant, call.parse(s.WalletTransfer))


@operations.post(
    "/wallet/transfer/query", summary="Query Transfer Result", **_doc(s.WalletTransferQuery)
)
async def wallet_transfer_query(call: PayCall) -> Any:
    return await _wallet(call).transfer_query(call.merchant, call.parse(s.WalletTransferQuery))


@operations.post("/submerchant/add", summary="Create Sub-merchant", **_doc(s.SubMerchantAdd))
async def submerchant_add(call: PayCall) -> Any:
    return await _wallet(call).add_sub_merchant(call.merchant, call.parse(s.SubMerchantAdd))


@operations.post("/certificates", summary="Query Certificate")
async def certificates(call: PayCall) -> Any:
    if call.body.strip():
        call.parse(s.Body)  # must be a JSON object (400008) when there is a body
    return _wallet(call).certificates()
