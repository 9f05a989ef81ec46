"""`GET /healthz`: whether the server is up, its version, its database and the sandbox clock.

Health checks poll it, so it is kept out of the request log, the log and the metrics, and
answered by a plain route before FastAPI (`route`), with the control API's envelope for a
failure. FastAPI's route (`router`) documents it, and answers any other method (405)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from binance_sandbox import __version__, wire
from binance_sandbox.control.errors import render_control_error
from binance_sandbox.platform import Platform
from binance_sandbox.web import Family
from binance_sandbox.web.errors import expected, is_bug

log = logging.getLogger("binance_sandbox")

HEALTH = Family("health", render_control_error, logged=False)
router = APIRouter(route_class=HEALTH.route_class, tags=["Sandbox control"])


@router.get("/healthz")
async def healthz(request: Request) -> Response:
    platform: Platform = request.app.state.platform
    body: dict[str, Any] = {
        "status": "ok",
        "version": __version__,
        "database": "sqlite" if platform.db.is_sqlite else "postgresql",
        "nowMs": platform.clock.now_ms(),
    }
    return Response(wire.dumps(body), media_type="application/json")


class _Health:
    """An ASGI app (Starlette's `Route` calls a plain function as a request endpoint)."""

    def __init__(self, other_methods: ASGIApp) -> None:
        self.other_methods = other_methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "GET":
            await self.other_methods(scope, receive, send)
            return
        try:
            response = await healthz(Request(scope, receive, send))
        except Exception as exc:
            failure = expected(exc)
            if is_bug(failure):
                log.exception("unexpected error on GET /healthz")
            response, _code = render_control_error(failure)
        await response(scope, receive, send)


def route(other_methods: ASGIApp) -> Route:
    """`GET /healthz` as a plain route; any other method goes on to `other_methods`."""
    return Route("/healthz", _Health(other_methods))
