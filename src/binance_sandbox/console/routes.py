"""`/console`: sign-in, the overview (counts, clock, ledger audit, price chart), and the
partners, merchants and users pages. Orders, webhooks and the request log are in
`console.activity`; acting as the end user in `console.acting`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.responses import HTMLResponse, RedirectResponse, Response

from binance_sandbox.console import accounts, acting, activity, chain, controls, deposits, ledger
from binance_sandbox.console.chart import price_chart
from binance_sandbox.console.common import (
    CONSOLE,
    COOKIE,
    COOKIE_PATH,
    back,
    page,
    page_router,
    read_form,
    render,
    session_cookie,
    signed_in,
    token_matches,
)
from binance_sandbox.console.overview import counts
from binance_sandbox.control import schemas
from binance_sandbox.control.deps import partner_admin, pay_admin, prime_admin, user_admin
from binance_sandbox.control.errors import Invalid
from binance_sandbox.ledger.audit import audit
from binance_sandbox.market import CRYPTOS, FIATS
from binance_sandbox.web import describe_validation

CLOCK_STEPS = {"1m": 60_000, "1h": 3_600_000, "1d": 86_400_000}

public = APIRouter(
    prefix=COOKIE_PATH, route_class=CONSOLE.route_class, default_response_class=HTMLResponse
)
pages = page_router()

router = APIRouter(tags=["Sandbox console"], include_in_schema=False)


def form_model(model: type[Any], fields: dict[str, Any]) -> Any:
    try:
        return model.model_validate({k: v for k, v in fields.items() if v not in ("", None)})
    except ValidationError as exc:
        raise Invalid(describe_validation(exc)) from exc


# --- sign-in --------------------------------------------------------------------------------


def safe_next(value: str | None) -> str:
    """Only back into the console (no open redirect)."""
    if value and value.startswith(f"{COOKIE_PATH}") and not value.startswith("//"):
        return value
    return COOKIE_PATH


@public.get("/signin")
async def signin_form(request: Request, next: str | None = None) -> Response:
    if signed_in(request):
        return RedirectResponse(safe_next(next), status_code=303)
    return page("signin.html", {"next": safe_next(next), "error": None})


@public.post("/signin")
async def signin(request: Request) -> Response:
    form = await read_form(request)
    target = safe_next(form.get("next"))
    if not token_matches(request, form.get("token", "")):
        error = "That is not the admin token of this sandbox."
        return page("signin.html", {"next": target, "error": error}, 401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE, session_cookie(request), path=COOKIE_PATH, httponly=True, samesite="strict"
    )
    return response


@public.post("/signout")
async def signout() -> Response:
    response = RedirectResponse(f"{COOKIE_PATH}/signin", status_code=303)
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


# --- overview, clock, market ----------------------------------------------------------------


def market_view(request: Request, crypto: str, fiat: str, interval: str) -> dict[str, Any]:
    platform = request.app.state.platform
    if crypto not in CRYPTOS or fiat not in FIATS:
        raise Invalid(f"Unknown pair {crypto}/{fiat}.")
    klines = platform.market.klines(
        crypto, fiat, interval, now_ms=platform.clock.now_ms(), limit=60
    )
    return {
        "chart": price_chart(klines),
        "crypto": crypto,
        "fiat": fiat,
        "interval": interval,
        "cryptos": list(CRYPTOS),
        "fiats": list(FIATS),
        "intervals": ["3m", "1h", "1d"],
    }


@pages.get("")
async def overview(request: Request) -> Response:
    db = request.app.state.platform.db
    return render(
        request,
        "overview.html",
        ran=_number(request.query_params.get("ran")),
        pending=_number(request.query_params.get("pending")),
        counts=await counts(db),
        audit=await audit(db),
        **market_view(request, "BTC", "USD", "1h"),
    )


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() and len(text) < 10 else None


@pages.post("/clock/advance")
async def advance_clock(request: Request) -> Response:
    step = (await read_form(request)).get("step", "")
    if step not in CLOCK_STEPS:
        raise Invalid("Advance by 1m, 1h or 1d.")
    # The same settling advance as the control API's: back once what fell due has run.
    moved = await request.app.state.clocks.advance(CLOCK_STEPS[step])
    return back(
        COOKIE_PATH, ran=str(moved["ran"]), pending=str(len(moved.get("pending", [])) or "")
    )


@pages.post("/clock/freeze")
async def freeze_clock(request: Request) -> Response:
    frozen = (await read_form(request)).get("frozen") == "true"
    await request.app.state.clocks.move(frozen=frozen, now_ms=None)
    return back(COOKIE_PATH)


@pages.get("/market")
async def market(
    request: Request, crypto: str = "BTC", fiat: str = "USD", interval: str = "1h"
) -> Response:
    if interval not in ("3m", "1h", "1d"):
        raise Invalid("interval must be 3m, 1h or 1d.")
    return render(request, "market.html", **market_view(request, crypto, fiat, interval))


# --- partners, merchants, users -------------------------------------------------------------


async def partners_page(request: Request, **extra: Any) -> Response:
    return render(request, "partners.html", partners=await partner_admin(request).all(), **extra)


@pages.get("/partners")
async def partners(request: Request) -> Response:
    return await partners_page(request, created=None)


@pages.post("/partners")
async def create_partner(request: Request) -> Response:
    form = await read_form(request)
    req = form_model(
        schemas.PartnerCreate,
        {
            "name": form.get("name"),
            "rsaPublicKey": form.get("rsaPublicKey"),
            "webhookUrl": form.get("webhookUrl"),
            "merchantApiBaseUrl": form.get("merchantApiBaseUrl"),
        },
    )
    created = await partner_admin(request).create(req)
    return await partners_page(request, created=created)


async def merchants_page(request: Request, **extra: Any) -> Response:
    return render(
        request, "merchants.html", merchants=await pay_admin(request).merchants_list(), **extra
    )


@pages.get("/merchants")
async def merchants(request: Request) -> Response:
    return await merchants_page(request, created=None)


@pages.post("/merchants")
async def create_merchant(request: Request) -> Response:
    form = await read_form(request)
    req = form_model(
        schemas.MerchantCreate, {"name": form.get("name"), "webhookUrl": form.get("webhookUrl")}
    )
    created = await pay_admin(request).create_merchant(req)
    return await merchants_page(request, created=created)


async def users_page(request: Request, partner: str | None, **extra: Any) -> Response:
    return render(
        request,
        "users.html",
        users=await user_admin(request).all(partner or None),
        partners=await partner_admin(request).all(),
        partner=partner or "",
        **extra,
    )


@pages.get("/users")
async def users(request: Request, partner: str | None = None) -> Response:
    return await users_page(request, partner, created=None)


@pages.post("/users")
async def create_user(request: Request) -> Response:
    form = await read_form(request)
    req = form_model(
        schemas.UserCreate, {"partnerClientId": form.get("partner"), "email": form.get("email")}
    )
    created = await user_admin(request).create(req)
    return await users_page(request, None, created=created)


@pages.get("/users/{user_id}")
async def user(user_id: str, request: Request) -> Response:
    return render(
        request,
        "user.html",
        user_id=user_id,
        balances=(await user_admin(request).balances(user_id))["balances"],
        orders=await prime_admin(request).orders(
            partner_client_id=None, status=None, user_id=user_id, limit=50
        ),
    )


@pages.post("/users/{user_id}/credit")
async def credit(user_id: str, request: Request) -> Response:
    form = await read_form(request)
    req = form_model(
        schemas.Credit,
        {
            "userId": user_id,
            "asset": form.get("asset"),
            "amount": form.get("amount"),
            "wallet": form.get("wallet"),
        },
    )
    await user_admin(request).credit(req)
    return back(f"{COOKIE_PATH}/users/{user_id}")


router.include_router(public)
router.include_router(pages)
router.include_router(activity.router)
router.include_router(activity.api)
router.include_router(acting.router)
router.include_router(controls.router)
router.include_router(accounts.router)
router.include_router(ledger.router)
router.include_router(deposits.router)
router.include_router(deposits.api)
router.include_router(chain.router)
router.include_router(chain.api)
