"""The merchant-side APIs the platform calls (guide §9; docs/connect-prime.md): parse, call the
service, shape the answer."""

from __future__ import annotations

from typing import cast

from fastapi import APIRouter, Depends, Request

from binance_sandbox.merchant import auth, payments, payouts, views
from binance_sandbox.merchant.context import MerchantContext
from binance_sandbox.merchant.envelope import WireJSONResponse, ok
from binance_sandbox.merchant.schemas import (
    CheckTransactionRequest,
    RefundQuery,
    RefundRequest,
    TransferQuery,
    TransferRequest,
    parse_body,
)


def context_of(request: Request) -> MerchantContext:
    return cast(MerchantContext, request.app.state.merchant)


async def authenticate_platform(request: Request) -> None:
    ctx = context_of(request)
    auth.check_bearer(ctx, request.headers)
    auth.check_callback_signature(ctx, request.headers, await request.body())


router = APIRouter(tags=["callbacks"], dependencies=[Depends(authenticate_platform)])


@router.post("/check-transaction")
async def check_transaction(request: Request) -> WireJSONResponse:
    req = parse_body(await request.body(), CheckTransactionRequest)
    transaction_id, status = await payments.check_transaction(context_of(request), req)
    return ok({"transactionId": transaction_id, "status": status})


@router.post("/refund")
async def refund(request: Request) -> WireJSONResponse:
    req = parse_body(await request.body(), RefundRequest)
    return ok(views.refund_answer(await payouts.request_refund(context_of(request), req)))


@router.post("/refund/query")
async def refund_query(request: Request) -> WireJSONResponse:
    req = parse_body(await request.body(), RefundQuery)
    return ok(views.refund_answer(await payouts.get_refund(context_of(request), req.refund_id)))


@router.post("/transfer")
async def transfer(request: Request) -> WireJSONResponse:
    req = parse_body(await request.body(), TransferRequest)
    return ok(views.transfer_answer(await payouts.request_transfer(context_of(request), req)))


@router.post("/transfer/query")
async def transfer_query(request: Request) -> WireJSONResponse:
    req = parse_body(await request.body(), TransferQuery)
    found = await payouts.get_transfer(context_of(request), req.transfer_id)
    return ok(views.transfer_answer(found))
