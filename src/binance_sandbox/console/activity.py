"""What happened: Connect Prime and Pay orders with their timelines, webhook deliveries
(with redelivery), and the request log (with a rejected signature's explanation)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from binance_sandbox.console.common import (
    COOKIE_PATH,
    back,
    page_router,
    read_form,
    render,
    signed_in,
)
from binance_sandbox.console.live import live, pay_order_parts, webhook_parts, webhooks_parts
from binance_sandbox.console.traffic import chart_context
from binance_sandbox.control.deps import (
    deliveries,
    partner_admin,
    pay_admin,
    prime_admin,
    request_log,
)
from binance_sandbox.control.errors import Invalid, NotFound
from binance_sandbox.pay.lifecycle import OrderStatus as PayStatus
from binance_sandbox.prime.lifecycle import OrderStatus as PrimeStatus

PRIME_STATUSES = tuple(s.value for s in PrimeStatus)
PAY_STATUSES = tuple(s.value for s in PayStatus)
WEBHOOK_STATUSES = ("pending", "done", "failed")

router = page_router()


# --- Connect Prime orders -------------------------------------------------------------------


@router.get("/prime/orders")
async def prime_orders(
    request: Request, partner: str | None = None, status: str | None = None
) -> Response:
    orders = await prime_admin(request).orders(
        partner_client_id=partner or None, status=status or None, user_id=None, limit=200
    )
    return render(
        request,
        "prime_orders.html",
        orders=orders,
        partners=await partner_admin(request).all(),
        statuses=PRIME_STATUSES,
        partner=partner or "",
        status=status or "",
    )


@router.get("/prime/orders/{order_id}")
async def prime_order(order_id: str, request: Request) -> Response:
    order = await prime_admin(request).order(order_id)
    sent = await deliveries(request).webhooks(owner=None, ref=order_id, status=None, limit=100)
    return render(request, "prime_order.html", order=order, deliveries=sent)


# Polled every second by an open order page: kept out of the request log (a plain route), so
# a page left open does not bury the calls the log is for.
api = APIRouter(prefix=f"{COOKIE_PATH}/api")


@api.get("/prime/orders/{order_id}")
async def prime_order_json(order_id: str, request: Request) -> Response:
    """What the order page polls: status and timeline, to update in place."""
    if not signed_in(request):
        return JSONResponse({"error": {"code": "UNAUTHORIZED"}}, status_code=401)
    try:
        order = await prime_admin(request).order(order_id)
    except NotFound as exc:
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, 404)
    keys = ("orderId", "status", "checkStatus", "transferStatus", "refundStatus", "timeline")
    return JSONResponse({k: order.get(k) for k in keys}, headers={"Cache-Control": "no-store"})


@router.post("/prime/orders/{order_id}/{outcome}")
async def settle_prime_order(order_id: str, outcome: str, request: Request) -> Response:
    """Settle a PROCESSING order by hand, as `POST /sandbox/v1/prime/orders/{id}/fill|fail`."""
    if outcome not in ("fill", "fail"):
        raise Invalid("fill or fail.")
    reason = (await read_form(request)).get("reason") or None
    await prime_admin(request).settle(order_id, outcome, reason)
    return back(f"{COOKIE_PATH}/prime/orders/{order_id}")


# --- Binance Pay orders ---------------------------------------------------------------------


@router.get("/pay/orders")
async def pay_orders(
    request: Request, merchant: str | None = None, status: str | None = None
) -> Response:
    pay = pay_admin(request)
    orders = await pay.orders(merchant_id=merchant or None, status=status or None, limit=200)
    return render(
        request,
        "pay_orders.html",
        orders=orders,
        merchants=await pay.merchants_list(),
        statuses=PAY_STATUSES,
        merchant=merchant or "",
        status=status or "",
    )


@router.get("/pay/orders/{prepay_id}")
async def pay_order(prepay_id: str, request: Request) -> Response:
    order = await pay_admin(request).order(prepay_id)
    sent = await deliveries(request).webhooks(owner=None, ref=prepay_id, status=None, limit=100)
    version = live(pay_order_parts(order, sent))["version"]
    return render(request, "pay_order.html", order=order, deliveries=sent, live_version=version)


@api.get("/pay/orders/{prepay_id}")
async def pay_order_json(prepay_id: str, request: Request) -> Response:
    """What the Pay order page polls: its status, and its live parts as HTML."""
    if not signed_in(request):
        return JSONResponse({"error": {"code": "UNAUTHORIZED"}}, status_code=401)
    try:
        order = await pay_admin(request).order(prepay_id)
    except NotFound as exc:
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, 404)
    sent = await deliveries(request).webhooks(owner=None, ref=prepay_id, status=None, limit=100)
    body = {"prepayId": prepay_id, "status": order["status"]}
    body.update(live(pay_order_parts(order, sent)))
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


# --- webhook deliveries ---------------------------------------------------------------------


@router.get("/webhooks")
async def webhooks(request: Request, status: str | None = None) -> Response:
    if status and status not in WEBHOOK_STATUSES:
        raise Invalid("status must be pending, done or failed.")
    items = await deliveries(request).webhooks(
        owner=None, ref=None, status=status or None, limit=200
    )
    return render(
        request,
        "webhooks.html",
        deliveries=items,
        statuses=WEBHOOK_STATUSES,
        status=status or "",
        live_version=live(webhooks_parts(items))["version"],
    )


@router.get("/webhooks/{item_id}")
async def webhook(item_id: int, request: Request) -> Response:
    d = await deliveries(request).webhook(item_id)
    return render(request, "webhook.html", d=d, live_version=live(webhook_parts(d))["version"])


@api.get("/webhooks")
async def webhooks_json(request: Request, status: str | None = None) -> Response:
    """What the webhooks page polls: the deliveries table as HTML."""
    if not signed_in(request):
        return JSONResponse({"error": {"code": "UNAUTHORIZED"}}, status_code=401)
    if status and status not in WEBHOOK_STATUSES:
        body = {"error": {"code": "INVALID", "message": "status must be pending, done or failed."}}
        return JSONResponse(body, status_code=400)
    items = await deliveries(request).webhooks(
        owner=None, ref=None, status=status or None, limit=200
    )
    return JSONResponse(live(webhooks_parts(items)), headers={"Cache-Control": "no-store"})


@api.get("/webhooks/{item_id}")
async def webhook_json(item_id: int, request: Request) -> Response:
    """What a delivery's page polls: its status, and its summary and attempts as HTML."""
    if not signed_in(request):
        return JSONResponse({"error": {"code": "UNAUTHORIZED"}}, status_code=401)
    try:
        d = await deliveries(request).webhook(item_id)
    except NotFound as exc:
        return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, 404)
    body = {"id": d["id"], "status": d["status"], **live(webhook_parts(d))}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.post("/webhooks/{item_id}/redeliver")
async def redeliver(item_id: int, request: Request) -> Response:
    copy = await deliveries(request).redeliver(item_id)
    return back(f"{COOKIE_PATH}/webhooks/{copy['id']}")


# --- the request log ------------------------------------------------------------------------


@router.get("/requests")
async def requests(
    request: Request,
    family: str | None = None,
    caller: str | None = None,
    code: str | None = None,
    span: str = "1h",
) -> Response:
    entries = await request_log(request).entries(
        family=family or None, caller=caller or None, code=code or None, limit=200
    )
    return render(
        request,
        "requests.html",
        entries=entries,
        family=family or "",
        caller=caller or "",
        code=code or "",
        families=("connect", "pay", "wapi", "sapi", "api", "control", "hosted", "console"),
        **await chart_context(request, family or None, span),
    )


@router.get("/requests/{request_id}")
async def request_entry(request_id: int, request: Request) -> Response:
    return render(request, "request.html", r=await request_log(request).entry(request_id))
