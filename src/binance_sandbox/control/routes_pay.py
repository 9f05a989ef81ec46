"""`/sandbox/v1/merchants`, `/sandbox/v1/pay/…`: Binance Pay merchants, orders (paid as the
user) and refunds refused by hand."""

from __future__ import annotations

from typing import Any

from fastapi import Query, Request

from binance_sandbox.control import schemas as s
from binance_sandbox.control.deps import Pay, body, control_router
from binance_sandbox.web import openapi_body

router = control_router()


@router.post("/merchants", openapi_extra=openapi_body(s.MerchantCreate), status_code=201)
async def create_merchant(request: Request, pay: Pay) -> dict[str, Any]:
    return await pay.create_merchant(await body(request, s.MerchantCreate))


@router.get("/merchants")
async def list_merchants(pay: Pay) -> list[dict[str, Any]]:
    return await pay.merchants_list()


@router.get("/merchants/{merchant_id}")
async def get_merchant(merchant_id: str, pay: Pay) -> dict[str, Any]:
    return await pay.merchant(merchant_id)


@router.patch("/merchants/{merchant_id}", openapi_extra=openapi_body(s.MerchantUpdate))
async def update_merchant(merchant_id: str, request: Request, pay: Pay) -> dict[str, Any]:
    return await pay.update_merchant(merchant_id, await body(request, s.MerchantUpdate))


@router.get("/pay/orders")
async def pay_orders(
    pay: Pay,
    merchantId: str | None = None,
    status: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    return await pay.orders(merchant_id=merchantId, status=status, limit=limit)


@router.get("/pay/orders/{prepay_id}")
async def pay_order(prepay_id: str, pay: Pay) -> dict[str, Any]:
    return await pay.order(prepay_id)


@router.post("/pay/orders/{prepay_id}/pay", openapi_extra=openapi_body(s.PayOrderPay))
async def pay_order_as_user(prepay_id: str, request: Request, pay: Pay) -> dict[str, Any]:
    """Act as the payer: the user pays the order from their balance."""
    req = await body(request, s.PayOrderPay)
    return await pay.pay_as_user(prepay_id, req.payerUserId)


@router.post("/pay/refunds/reject", openapi_extra=openapi_body(s.RefundReject))
async def reject_refund(request: Request, pay: Pay) -> dict[str, Any]:
    return await pay.reject_refund(await body(request, s.RefundReject))
