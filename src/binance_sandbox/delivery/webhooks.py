"""Webhook delivery: one generic handler; each family registers how its webhooks are signed.

A webhook counts as received only on HTTP 200 with the family's success answer in a JSON
body (`{"returnCode": "SUCCESS"}` for Connect and Pay); anything else is retried.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from binance_sandbox.delivery.worker import Handler, JobContext, Outcome
from binance_sandbox.faults.delivery import webhook_fault

# (signer spec, body, sandbox now) → headers for this attempt
Signer = Callable[[dict[str, Any], str, int], Awaitable[dict[str, str]]]


def accepted(response: httpx.Response, success: dict[str, Any]) -> tuple[bool, str]:
    if response.status_code != success.get("status", 200):
        return False, f"HTTP {response.status_code}"
    field, value = success.get("field"), success.get("value")
    if field is None:
        return True, "ok"
    try:
        answer = response.json()
    except ValueError:
        return False, "answer is not JSON"
    if not isinstance(answer, dict) or answer.get(field) != value:
        return False, f"answer lacks {field}={value}"
    return True, "ok"


def webhook_handler(signers: Mapping[str, Signer]) -> Handler:
    async def handle(ctx: JobContext) -> Outcome:
        payload = ctx.payload
        fault = webhook_fault(ctx)
        if fault is not None and fault.action["type"] == "delay":
            return Outcome.retry(
                f"delayed by sandbox fault {fault.id}", at=ctx.now + int(fault.action["ms"])
            )
        spec = payload["signer"]
        signer = signers.get(spec["scheme"])
        if signer is None:
            return Outcome.failed(f"no signer {spec['scheme']!r}")
        headers = {"Content-Type": "application/json"}
        headers.update(await signer(spec, payload["body"], ctx.now))
        response, _attempt = await ctx.post(payload["url"], payload["body"], headers)
        if response is None:
            return Outcome.retry(ctx.attempts[-1].error or "network error")
        ok, reason = accepted(response, payload.get("success", {}))
        if ok and fault is not None and fault.action["type"] == "duplicate":
            # At least once (DESIGN "Side effects"): the receiver gets it twice.
            headers.update(await signer(spec, payload["body"], ctx.now))
            await ctx.post(payload["url"], payload["body"], headers)
        return Outcome.done() if ok else Outcome.retry(reason)

    return handle


def success_return_code() -> dict[str, Any]:
    return {"status": 200, "field": "returnCode", "value": "SUCCESS"}


def dumps_headers(headers: dict[str, str]) -> str:
    return json.dumps(headers)
