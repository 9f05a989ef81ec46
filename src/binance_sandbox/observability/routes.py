"""`GET /metrics`: the Prometheus scrape endpoint.

Open by default, because Prometheus scrapes without credentials and the numbers carry no
partner data (route templates, codes, counts). Set `metrics_token` (`BSX_METRICS_TOKEN`) to
require `Authorization: Bearer <token>` — Prometheus sends it with `authorization:
credentials: …` in the scrape config. It is deliberately not the admin token, which can move
money and the clock.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from starlette.responses import PlainTextResponse, Response

from binance_sandbox.observability.metrics import CONTENT_TYPE, Metrics, outbox_snapshot

router = APIRouter(tags=["Sandbox control"])


def _authorized(request: Request, token: str | None) -> bool:
    if not token:
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and secrets.compare_digest(given.strip(), token)


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(request: Request) -> Response:
    """Prometheus text format 0.0.4."""
    registry: Metrics | None = request.app.state.metrics
    if registry is None:
        return PlainTextResponse("metrics are disabled\n", status_code=404)
    platform = request.app.state.platform
    if not _authorized(request, platform.settings.metrics_token):
        return PlainTextResponse(
            "unauthorized\n", status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    outbox = await outbox_snapshot(platform.db, platform.clock.now_ms())
    return Response(registry.render(outbox), media_type=CONTENT_TYPE)
