"""The Binance App's deposit authorization page, behind a deposit session's universal `link`
(connect-deposit-flow.txt, step 3): the user sees the partner's name, the coin and the
networks, and taps Authorize or Reject.

In the real flow the user is signed in to the Binance App; here a person signs in as a sandbox
user (by email or user id) with the same signed cookie as the Pay checkout (`hosted.routes`),
and only the user the partner named may decide. Forms are plain HTML posts. Every failure is a
page in words: see `render_deposit_page_error`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from binance_sandbox.connect.errors import ConnectError
from binance_sandbox.deposit.service_decisions import DecisionService
from binance_sandbox.deposit.service_page import DepositPage
from binance_sandbox.hosted.routes import (
    HOSTED,
    message_page,
    page,
    payer_cookie,
    payer_from_cookie,
    read_form,
    remaining_text,
    utc_text,
)

USER_COOKIE = "bsx_user"
COOKIE_PATH = "/connect/deposit/"
STATE_MESSAGES = {
    "AUTHORIZED": "You authorized {partner} to see your deposit addresses.",
    "REJECTED": "You rejected this request. {partner} did not get your deposit addresses.",
    "EXPIRED": "This request has expired. Ask {partner} to start a new deposit.",
}


router = APIRouter(
    tags=["Hosted pages"],
    route_class=HOSTED.route_class,
    default_response_class=HTMLResponse,
)


def page_service(request: Request) -> DepositPage:
    service: DepositPage = request.app.state.deposit_page
    return service


def deposit_decisions(request: Request) -> DecisionService:
    service: DecisionService = request.app.state.deposit_decisions
    return service


def page_path(deposit_id: str) -> str:
    return f"/connect/deposit/{quote(deposit_id, safe='')}"


def _cookie_key(request: Request) -> bytes:
    return str(request.app.state.platform.settings.admin_token).encode()


@dataclass(frozen=True)
class SignedIn:
    user_id: str
    email: str


async def signed_in_user(request: Request) -> SignedIn | None:
    user_id = payer_from_cookie(_cookie_key(request), request.cookies.get(USER_COOKIE))
    if user_id is None:
        return None
    found = await page_service(request).find_user(user_id)
    return SignedIn(*found) if found is not None and found[0] == user_id else None


def not_found(deposit_id: str) -> HTMLResponse:
    return message_page(
        "Deposit request not found",
        f"There is no deposit request “{deposit_id}” on this sandbox.",
        404,
    )


def render(
    view: dict[str, Any],
    *,
    user: SignedIn | None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    status = str(view["status"])
    owner = user is not None and user.user_id == view["userId"]
    context = {
        "view": view,
        "networks": [
            {"network": n, "name": view["networkNames"].get(n, n)} for n in view["networks"]
        ],
        "open": status == "INIT",
        "state_message": STATE_MESSAGES.get(status, "").format(partner=view["partnerName"]),
        "remaining": remaining_text(int(view["expireTime"]) - int(view["nowMs"])),
        "expires_at": utc_text(int(view["expireTime"])),
        "user": user,
        "owner": owner,
        "error": error,
        "base": page_path(view["depositId"]),
    }
    return page("deposit.html", context, status_code)


@router.get("/connect/deposit/{deposit_id}")
async def deposit_page(deposit_id: str, request: Request) -> Response:
    view = await page_service(request).page_view(deposit_id)
    if view is None:
        return not_found(deposit_id)
    return render(view, user=await signed_in_user(request))


@router.post("/connect/deposit/{deposit_id}/signin")
async def sign_in(deposit_id: str, request: Request) -> Response:
    deposit = page_service(request)
    login = (await read_form(request)).get("login", "").strip()
    view = await deposit.page_view(deposit_id)
    if view is None:
        return not_found(deposit_id)
    found = await deposit.find_user(login) if login else None
    if found is None:
        error = (
            f"No sandbox user has the email or user id “{login}”."
            if login
            else "Enter the email or user id of a sandbox user."
        )
        return render(view, user=None, error=error, status_code=400)
    response = RedirectResponse(page_path(deposit_id), status_code=303)
    response.set_cookie(
        USER_COOKIE,
        payer_cookie(_cookie_key(request), found[0]),
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
    )
    return response


async def _decide(deposit_id: str, request: Request, target: str) -> Response:
    deposit = page_service(request)
    view = await deposit.page_view(deposit_id)
    if view is None:
        return not_found(deposit_id)
    user = await signed_in_user(request)
    if user is None:
        error = "Sign in as a sandbox user to answer this request."
        return render(view, user=None, error=error, status_code=400)
    if user.user_id != view["userId"]:
        error = "Only the user this request is for can answer it."
        return render(view, user=user, error=error, status_code=403)
    try:
        await deposit_decisions(request).decide(deposit_id, target, as_user=user.user_id)
    except ConnectError as exc:
        view = await deposit.page_view(deposit_id) or view
        return render(view, user=user, error=exc.message, status_code=409)
    return RedirectResponse(view["redirectUrl"] or page_path(deposit_id), status_code=303)


@router.post("/connect/deposit/{deposit_id}/authorize")
async def authorize(deposit_id: str, request: Request) -> Response:
    return await _decide(deposit_id, request, "AUTHORIZED")


@router.post("/connect/deposit/{deposit_id}/reject")
async def reject(deposit_id: str, request: Request) -> Response:
    return await _decide(deposit_id, request, "REJECTED")
