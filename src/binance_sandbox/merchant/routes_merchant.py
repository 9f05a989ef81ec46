"""The merchant's own API: what the partner's app would do (fund users, move a user's fiat to
Binance's account before a buy, settle pending payouts), for demos and tests. It is not
authenticated: run the kit on a private interface."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from binance_sandbox.merchant import ledger, payments, payouts, views, webhooks
from binance_sandbox.merchant.envelope import WireJSONResponse, ok
from binance_sandbox.merchant.routes_callbacks import context_of
from binance_sandbox.merchant.schemas import CreditRequest, FiatTransferRequest, parse_body

router = APIRouter(prefix="/merchant/v1", tags=["merchant"])

PathId = Annotated[str, Path(min_length=1, max_length=128)]
Limit = Annotated[int, Query(ge=1, le=1000)]
OrderIdFilter = Annotated[str | None, Query(alias="orderId")]


@router.post("/users/{user_id}/fiat/credit")
async def credit_user(request: Request, user_id: PathId) -> WireJSONResponse:
    req = parse_body(await request.body(), CreditRequest)
    ctx = context_of(request)
    await payments.credit_user(ctx, user_id, req.currency, req.amount)
    return ok(views.user_balances(user_id, await payments.user_balances(ctx, user_id)))


@router.get("/users/{user_id}/fiat")
async def user_fiat(request: Request, user_id: PathId) -> WireJSONResponse:
    balances = await payments.user_balances(context_of(request), user_id)
    return ok(views.user_balances(user_id, balances))


@router.post("/fiat-transfers")
async def create_fiat_transfer(request: Request) -> WireJSONResponse:
    req = parse_body(await request.body(), FiatTransferRequest)
    return ok(views.fiat_transfer(await payments.create_fiat_transfer(context_of(request), req)))


@router.get("/fiat-transfers/{client_order_id}")
async def get_fiat_transfer(request: Request, client_order_id: PathId) -> WireJSONResponse:
    found = await payments.get_fiat_transfer(context_of(request), client_order_id)
    return ok(views.fiat_transfer(found))


@router.post("/fiat-transfers/{client_order_id}/fail")
async def fail_fiat_transfer(request: Request, client_order_id: PathId) -> WireJSONResponse:
    failed = await payments.fail_fiat_transfer(context_of(request), client_order_id)
    return ok(views.fiat_transfer(failed))


@router.get("/refunds/{refund_id}")
async def get_refund(request: Request, refund_id: PathId) -> WireJSONResponse:
    return ok(views.refund_detail(await payouts.get_refund(context_of(request), refund_id)))


@router.post("/refunds/{refund_id}/complete")
async def complete_refund(request: Request, refund_id: PathId) -> WireJSONResponse:
    return ok(views.refund_detail(await payouts.complete_refund(context_of(request), refund_id)))


@router.post("/refunds/{refund_id}/fail")
async def fail_refund(request: Request, refund_id: PathId) -> WireJSONResponse:
    return ok(views.refund_detail(await payouts.fail_refund(context_of(request), refund_id)))


@router.get("/transfers/{transfer_id}")
async def get_transfer(request: Request, transfer_id: PathId) -> WireJSONResponse:
    found = await payouts.get_transfer(context_of(request), transfer_id)
    return ok(views.transfer_detail(found))


@router.post("/transfers/{transfer_id}/complete")
async def complete_transfer(request: Request, transfer_id: PathId) -> WireJSONResponse:
    done = await payouts.complete_transfer(context_of(request), transfer_id)
    return ok(views.transfer_detail(done))


@router.post("/transfers/{transfer_id}/fail")
async def fail_transfer(request: Request, transfer_id: PathId) -> WireJSONResponse:
    failed = await payouts.fail_transfer(context_of(request), transfer_id)
    return ok(views.transfer_detail(failed))


@router.get("/webhooks")
async def list_webhooks(
    request: Request,
    limit: Limit = 100,
    order_id: OrderIdFilter = None,
) -> WireJSONResponse:
    events = await webhooks.list_events(context_of(request), limit=limit, order_id=order_id)
    return ok([views.webhook_event(event) for event in events])


@router.get("/accounts")
async def list_accounts(request: Request) -> WireJSONResponse:
    accounts = await ledger.all_accounts(context_of(request))
    return ok([views.account(account) for account in accounts])


@router.get("/journal")
async def list_journal(request: Request, limit: Limit = 100) -> WireJSONResponse:
    entries = await ledger.journal(context_of(request), limit)
    return ok([views.entry(*row) for row in entries])
