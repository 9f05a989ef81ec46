"""The hosted Binance Pay checkout: the page behind `checkoutUrl`, its QR code (`qrcodeLink`),
and the `deeplink` / `universalUrl` entry points, which lead to the same page.

A person signs in as a sandbox user (by email or user id) and pays, or leaves. The sign-in
is a cookie holding the payer's user id and an HMAC of it keyed with the admin token, so it
cannot be forged without the token. Forms are plain HTML posts (no JavaScript needed but for
the expiry countdown). Every failure is a page in words: see `render_hosted_error`.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse, RedirectResponse, Response

from binance_sandbox.connect.errors import ConnectError
from binance_sandbox.hosted.qr import qr_svg
from binance_sandbox.pay.errors import InsufficientFunds, PayError
from binance_sandbox.pay.lifecycle import PAID_ONCE, PAYABLE
from binance_sandbox.pay.service_checkout import CheckoutService
from binance_sandbox.web import BadRequest, Family, is_busy

PAYER_COOKIE = "bsx_payer"
MAX_FORM_BYTES = 4_096
# Orders in these states can still be paid (pay-openapi.txt, query order "status").
STATE_MESSAGES = {
    "PAID": "This order has been paid.",
    "CANCELED": "This order was closed by the merchant and can no longer be paid.",
    "EXPIRED": "This order has expired and can no longer be paid.",
    "REFUNDING": "This order was paid; a refund is in progress.",
    "REFUNDED": "This order was paid and has been partly refunded.",
    "FULL_REFUNDED": "This order was paid and has been refunded in full.",
    "ERROR": "This order failed and can no longer be paid.",
}


@cache
def templates() -> Jinja2Templates:
    return Jinja2Templates(directory=Path(__file__).parent / "templates")


def page(name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render without the request, so that the error renderer (which has none) can too."""
    html = templates().get_template(name).render(context)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def message_page(title: str, message: str, status_code: int) -> HTMLResponse:
    return page("message.html", {"title": title, "message": message}, status_code)


def render_hosted_error(exc: Exception) -> tuple[Response, str | None]:
    """Whatever escapes a route becomes a page in words, never a stack trace."""
    if isinstance(exc, PayError):
        return message_page("This payment cannot go on", exc.message, 400), exc.code
    if isinstance(exc, ConnectError):
        return message_page("This request cannot go on", exc.message, 400), exc.code
    if isinstance(exc, BadRequest):
        return message_page("Bad request", exc.message, 400), None
    if is_busy(exc):
        text = "The sandbox is busy right now. Go back and try again in a moment."
        return message_page("Busy", text, 503), None
    text = "The sandbox could not show this page. The server log has the details."
    return message_page("Something went wrong", text, 500), None


HOSTED = Family("hosted", render_hosted_error)

router = APIRouter(
    tags=["Hosted pages"], route_class=HOSTED.route_class, default_response_class=HTMLResponse
)


def pay_service(request: Request) -> CheckoutService:
    service: CheckoutService = request.app.state.pay_checkout
    return service


def checkout_path(prepay_id: str) -> str:
    return f"/pay/checkout/{quote(prepay_id, safe='')}"


def absolute(request: Request, url: str) -> str:
    """The order's links are relative when no public_base_url is set; a QR scanner (and the
    page's links) need the address this request came to, as create order answered."""
    return str(request.base_url).rstrip("/") + url if url.startswith("/") else url


# --- sign-in cookie -------------------------------------------------------------------------


def _cookie_key(request: Request) -> bytes:
    return str(request.app.state.platform.settings.admin_token).encode()


def _payer_mac(key: bytes, user_id: str) -> str:
    return hmac.new(key, b"bsx_payer\n" + user_id.encode(), hashlib.sha256).hexdigest()


def payer_cookie(key: bytes, user_id: str) -> str:
    return f"{user_id}.{_payer_mac(key, user_id)}"


def payer_from_cookie(key: bytes, value: str | None) -> str | None:
    """The signed-in payer's user id, or None when the cookie is missing or was tampered with."""
    if not value:
        return None
    user_id, _, mac = value.rpartition(".")
    if not user_id or not hmac.compare_digest(mac, _payer_mac(key, user_id)):
        return None
    return user_id


@dataclass(frozen=True)
class Payer:
    user_id: str
    email: str


async def signed_in_payer(request: Request) -> Payer | None:
    user_id = payer_from_cookie(_cookie_key(request), request.cookies.get(PAYER_COOKIE))
    if user_id is None:
        return None
    found = await pay_service(request).find_payer(user_id)
    return Payer(*found) if found is not None and found[0] == user_id else None


async def read_form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise BadRequest("The form is too large.")
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


# --- the checkout page ----------------------------------------------------------------------


def not_found(prepay_id: str) -> HTMLResponse:
    return message_page(
        "Order not found",
        f"There is no Binance Pay order with prepayId “{prepay_id}” on this sandbox.",
        404,
    )


def remaining_text(ms: int) -> str:
    seconds = max(ms, 0) // 1000
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def utc_text(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


async def render_checkout(
    request: Request,
    order: dict[str, Any],
    *,
    payer: Payer | None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    now_ms, expire_ms = int(order["nowMs"]), int(order["expireTime"])
    status = str(order["status"])
    expired = status in PAYABLE and now_ms >= expire_ms
    balance: Decimal | None = None
    if payer is not None:
        balance = await pay_service(request).payer_balance(payer.user_id, order["currency"])
    links = ("qrcodeLink", "qrContent", "checkoutUrl")
    context = {
        "order": order | {name: absolute(request, order[name]) for name in links},
        "payable": status in PAYABLE and not expired,
        "state_message": (STATE_MESSAGES["EXPIRED"] if expired else STATE_MESSAGES.get(status, "")),
        "remaining": remaining_text(expire_ms - now_ms),
        "expires_at": utc_text(expire_ms),
        "payer": payer,
        "balance": None if balance is None else format(balance.normalize(), "f"),
        "enough": balance is not None and balance >= Decimal(order["totalFee"]),
        "error": error,
        "base": checkout_path(order["prepayId"]),
    }
    return page("checkout.html", context, status_code)


@router.get("/pay/checkout/{prepay_id}")
async def checkout(prepay_id: str, request: Request) -> Response:
    order = await pay_service(request).order_view(prepay_id)
    if order is None:
        return not_found(prepay_id)
    return await render_checkout(request, order, payer=await signed_in_payer(request))


@router.post("/pay/checkout/{prepay_id}/signin")
async def sign_in(prepay_id: str, request: Request) -> Response:
    pay = pay_service(request)
    login = (await read_form(request)).get("login", "").strip()
    order = await pay.order_view(prepay_id)
    if order is None:
        return not_found(prepay_id)
    found = await pay.find_payer(login) if login else None
    if found is None:
        error = (
            f"No sandbox user has the email or user id “{login}”."
            if login
            else "Enter the email or user id of a sandbox user."
        )
        return await render_checkout(request, order, payer=None, error=error, status_code=400)
    payer = Payer(*found)
    response: Response = RedirectResponse(checkout_path(prepay_id), status_code=303)
    if order["status"] == "INITIAL" and order["nowMs"] < order["expireTime"]:
        # The payer has opened the order: INITIAL → PENDING, as when a code is scanned.
        try:
            await pay.start_checkout(prepay_id, payer.user_id)
        except PayError as exc:
            order = await pay.order_view(prepay_id) or order
            response = await render_checkout(
                request, order, payer=payer, error=exc.message, status_code=400
            )
    response.set_cookie(
        PAYER_COOKIE,
        payer_cookie(_cookie_key(request), payer.user_id),
        path="/pay/",
        httponly=True,
        samesite="lax",
    )
    return response


@router.post("/pay/checkout/{prepay_id}/pay")
async def pay_order(prepay_id: str, request: Request) -> Response:
    pay = pay_service(request)
    order = await pay.order_view(prepay_id)
    if order is None:
        return not_found(prepay_id)
    payer = await signed_in_payer(request)
    if payer is None:
        error = "Sign in as a sandbox user to pay."
        return await render_checkout(request, order, payer=None, error=error, status_code=400)
    try:
        if order["status"] == "INITIAL":
            await pay.start_checkout(prepay_id, payer.user_id)
        await pay.pay(prepay_id, payer.user_id)
    except InsufficientFunds as exc:
        order = await pay.order_view(prepay_id) or order
        return await render_checkout(
            request, order, payer=payer, error=exc.message, status_code=400
        )
    except PayError as exc:
        order = await pay.order_view(prepay_id) or order
        error = f"This order cannot be paid: {exc.message}"
        return await render_checkout(request, order, payer=payer, error=error, status_code=409)
    target = order["returnUrl"] or f"{checkout_path(prepay_id)}/paid"
    return RedirectResponse(target, status_code=303)


@router.get("/pay/checkout/{prepay_id}/paid")
async def paid(prepay_id: str, request: Request) -> Response:
    order = await pay_service(request).order_view(prepay_id)
    if order is None:
        return not_found(prepay_id)
    if order["status"] not in PAID_ONCE:
        return RedirectResponse(checkout_path(prepay_id), status_code=303)
    context = {"order": order, "outcome": "paid", "base": checkout_path(prepay_id)}
    return page("result.html", context)


@router.get("/pay/checkout/{prepay_id}/cancel")
async def cancel(prepay_id: str, request: Request) -> Response:
    """Leave the checkout. The order is left as it is: only the merchant closes an order."""
    order = await pay_service(request).order_view(prepay_id)
    if order is None:
        return not_found(prepay_id)
    if order["cancelUrl"]:
        return RedirectResponse(order["cancelUrl"], status_code=303)
    context = {"order": order, "outcome": "cancelled", "base": checkout_path(prepay_id)}
    return page("result.html", context)


# --- the QR code and the app links ----------------------------------------------------------


@router.get("/pay/qr/{prepay_id}.svg", response_class=Response)
async def qr_code(prepay_id: str, request: Request) -> Response:
    order = await pay_service(request).order_view(prepay_id)
    if order is None:
        return Response("Unknown prepayId.", status_code=404, media_type="text/plain")
    return Response(
        qr_svg(absolute(request, order["qrContent"])),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/pay/deeplink/{prepay_id}", response_class=RedirectResponse)
async def deeplink(prepay_id: str) -> Response:
    """What the Binance app would open; in the sandbox, the hosted checkout."""
    return RedirectResponse(checkout_path(prepay_id), status_code=302)


@router.get("/pay/universal/{prepay_id}", response_class=RedirectResponse)
async def universal(prepay_id: str, request: Request) -> Response:
    """`universalUrl` carries the merchant's `universalUrlAttach`; keep it on the way."""
    query = request.url.query
    target = checkout_path(prepay_id) + (f"?{query}" if query else "")
    return RedirectResponse(target, status_code=302)
