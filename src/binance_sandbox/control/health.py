"""`GET /healthz`: whether the server is up, its version, its database and the sandbox clock.

A plain route, with the control API's envelope for a failure, and kept
out of the request log, the log and the metrics: health checks poll it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from binance_sandbox import __version__, wire
from binance_sandbox.control.errors import render_control_error
from binance_sandbox.platform import Platform
from binance_sandbox.web import Family

HEALTH = Family("health", render_control_error, logged=False)
router = APIRouter(route_class=HEALTH.route_class, tags=["Sandbox control"])


@router.get("/healthz")
async def healthz(request: Request) -> Response:
    platform: Platform = request.app.state.platform
    body = {
        "status": "ok",
        "version": __version__,
        "database": "sqlite" if platform.db.is_sqlite else "postgresql",
        "nowMs": platform.clock.now_ms(),
    }
    return Response(wire.dumps(body), media_type="application/json")
