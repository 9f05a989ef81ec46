"""What every console page shares: sign-in cookie, forms, rendering, and errors as pages."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from binance_sandbox.connect.errors import ConnectError
from binance_sandbox.console.journal import JournalViews
from binance_sandbox.control.errors import ControlError
from binance_sandbox.pay.errors import PayError
from binance_sandbox.web import BadRequest, Family, is_busy

COOKIE = "bsx_console"
COOKIE_PATH = "/console"
MAX_FORM_BYTES = 16_384


class SignInRequired(Exception):
    """No valid console cookie: pages go to the sign-in form, the JSON API answers 401."""

    code = "UNAUTHORIZED"  # an expected refusal: logged as a request, not as an error

    def __init__(self, next_path: str, *, api: bool) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.api = api


def utc(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


@cache
def templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=Path(__file__).parent / "templates")
    t.env.filters["utc"] = utc
    return t


def page(name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    html = templates().get_template(name).render(context)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def message_page(title: str, message: str, status_code: int) -> HTMLResponse:
    return page("message.html", {"title": title, "message": message}, status_code)


def render_console_error(exc: Exception) -> tuple[Response, str | None]:
    """Whatever escapes a console route becomes a page in words (or a redirect to sign in)."""
    if isinstance(exc, SignInRequired):
        if exc.api:
            body = {"error": {"code": "UNAUTHORIZED", "message": "Sign in to the console."}}
            return JSONResponse(body, status_code=401), "UNAUTHORIZED"
        target = f"{COOKIE_PATH}/signin?next={quote(exc.next_path, safe='/')}"
        return RedirectResponse(target, status_code=303), None
    if isinstance(exc, ControlError):
        return message_page("That did not work", exc.message, exc.http_status), exc.code
    if isinstance(exc, ConnectError | PayError):
        return message_page("Refused by the platform", exc.message, 409), exc.code
    if isinstance(exc, BadRequest):
        return message_page("Bad request", exc.message, 400), None
    if is_busy(exc):
        return message_page("Busy", "The sandbox is busy. Try again in a moment.", 503), None
    text = "The console could not show this page. The server log has the details."
    return message_page("Something went wrong", text, 500), None


CONSOLE = Family("console", render_console_error)


# --- the sign-in cookie ---------------------------------------------------------------------


def _key(request: Request) -> bytes:
    return str(request.app.state.platform.settings.admin_token).encode()


def session_cookie(request: Request) -> str:
    """A MAC keyed with the admin token: valid while the token is; nothing to store."""
    return hmac.new(_key(request), b"bsx_console\nadmin", hashlib.sha256).hexdigest()


def token_matches(request: Request, token: str) -> bool:
    return hmac.compare_digest(token.strip().encode(), _key(request))


def signed_in(request: Request) -> bool:
    value = request.cookies.get(COOKIE, "")
    return bool(value) and hmac.compare_digest(value, session_cookie(request))


async def require_console(request: Request) -> None:
    """Dependency of every console route but the sign-in form."""
    if not signed_in(request):
        path = request.url.path
        if request.method == "GET" and request.url.query:
            path += f"?{request.url.query}"
        elif request.method != "GET":
            path = COOKIE_PATH
        raise SignInRequired(path, api=path.startswith(f"{COOKIE_PATH}/api/"))
    request.state.caller = "console"


# --- forms and services ---------------------------------------------------------------------


async def read_form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise BadRequest("The form is too large.")
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0].strip() for name, values in fields.items()}


def ledger_views(request: Request) -> JournalViews:
    return JournalViews(request.app.state.platform.db)


def render(request: Request, name: str, **context: Any) -> HTMLResponse:
    """A console page, with the sandbox clock in its header."""
    clock = request.app.state.platform.clock_out()
    return page(name, {"clock": clock, "path": request.url.path, **context})


def back(path: str, **params: str) -> RedirectResponse:
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items() if v)
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


def page_router(**options: Any) -> APIRouter:
    """A router of console pages: behind sign-in, answered in HTML, any error as a page."""
    return APIRouter(
        prefix=COOKIE_PATH,
        route_class=CONSOLE.route_class,
        default_response_class=HTMLResponse,
        dependencies=[Depends(require_console)],
        **options,
    )
