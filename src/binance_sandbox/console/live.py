"""Parts of console pages that update in place while a person watches.

A live page carries `data-live-url` (the JSON it polls every second) and `data-live-version`.
The JSON is `{"version", "html": {element id: fragment}}`: the fragments are rendered from the
same partial templates as the page itself, so nothing is drawn twice (once in Jinja, once in
JavaScript), and the script in `_live.html` only swaps elements in when the version changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from starlette.responses import JSONResponse, Response

from binance_sandbox.console.common import signed_in, templates
from binance_sandbox.control.errors import ControlError, render_control_error
from binance_sandbox.web import BAD_VALUE, BadRequest, is_bad_value, is_busy

Parts = dict[str, tuple[str, dict[str, Any]]]  # element id → (partial template, its context)


def live(parts: Parts) -> dict[str, Any]:
    html = {
        element: templates().get_template(name).render(context)
        for element, (name, context) in parts.items()
    }
    digest = hashlib.sha256(json.dumps(html, sort_keys=True).encode()).hexdigest()
    return {"version": digest[:16], "html": html}


async def polled(
    request: Request, read: Callable[[], Awaitable[tuple[dict[str, Any], Parts]]]
) -> Response:
    """The answer to a live page's poll: what `read` gives (a few fields, and the page's parts
    as HTML), 401 without the console's cookie, and a refusal in the control API's JSON
    envelope for an unknown or unusable id. Its route is a plain one, not the console's, so a
    page left open does not bury the request log in polls."""
    if not signed_in(request):
        body = {"error": {"code": "UNAUTHORIZED", "message": "Sign in to the console."}}
        return JSONResponse(body, status_code=401)
    try:
        fields, parts = await read()
    except Exception as exc:
        failure: Exception = BadRequest(BAD_VALUE) if is_bad_value(exc) else exc
        if not (isinstance(failure, ControlError | BadRequest) or is_busy(failure)):
            raise
        return render_control_error(failure)[0]
    return JSONResponse({**fields, **live(parts)}, headers={"Cache-Control": "no-store"})


def pay_order_parts(order: dict[str, Any], deliveries: list[dict[str, Any]]) -> Parts:
    return {
        "summary": ("_pay_summary.html", {"order": order}),
        "refunds": ("_pay_refunds.html", {"order": order}),
        "timeline": ("_timeline.html", {"timeline": order["timeline"]}),
        "deliveries": ("_deliveries.html", {"deliveries": deliveries}),
    }


def webhooks_parts(deliveries: list[dict[str, Any]]) -> Parts:
    return {"deliveries": ("_deliveries.html", {"deliveries": deliveries})}


def webhook_parts(delivery: dict[str, Any]) -> Parts:
    return {
        "summary": ("_webhook_summary.html", {"d": delivery}),
        "attempts": ("_webhook_attempts.html", {"d": delivery}),
    }


def withdrawal_parts(w: dict[str, Any], outcomes: tuple[str, ...]) -> Parts:
    return {
        "summary": ("_withdrawal_summary.html", {"w": w, "outcomes": outcomes}),
        "timeline": ("_timeline.html", {"timeline": w["timeline"]}),
        "entries": ("_entries.html", {"entries": w["entries"]}),
    }


def deposit_parts(d: dict[str, Any], deliveries: list[dict[str, Any]]) -> Parts:
    return {
        "summary": ("_deposit_summary.html", {"d": d}),
        "timeline": ("_timeline.html", {"timeline": d["timeline"]}),
        "deliveries": ("_deliveries.html", {"deliveries": deliveries}),
    }


def chain_deposit_parts(t: dict[str, Any]) -> Parts:
    return {
        "summary": ("_chain_deposit_summary.html", {"t": t}),
        "timeline": ("_timeline.html", {"timeline": t["timeline"]}),
        "entries": ("_entries.html", {"entries": t["entries"]}),
    }
