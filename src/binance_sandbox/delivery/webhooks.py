"""Webhook delivery: one generic handler; each family registers how its webhooks are signed.

A webhook counts as received only on HTTP 200 with the family's success answer in a JSON
body (`{"returnCode": "SUCCESS"}` for Connect and Pay); anything else is retried.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.orm import Session

from binance_sandbox.delivery.hooks import RECEIVER_FAULTS, WebhookFault
from binance_sandbox.delivery.worker import Apply, Attempt, Handler, JobContext, Outcome
from binance_sandbox.storage.models import OutboxItem

HELD = "held by sandbox reorder fault"
RECEIVER_ERRORS = {
    "timeout": "ReadTimeout: the receiver did not answer in time",
    "down": "ConnectError: the receiver refused the connection",
}
REORDER_HOLD_MS = 3_600_000

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
        fault = await _fault(ctx)
        if fault is not None and fault.kind == "delay":
            return Outcome.retry(
                f"delayed by sandbox fault {fault.rule_id}", at=ctx.now + (fault.ms or 0)
            )
        if fault is not None and fault.kind == "reorder":
            # Held until a later webhook of the same owner has been delivered (then at once),
            # or for `ms` of sandbox time at most: the receiver sees the two out of order.
            hold_ms = REORDER_HOLD_MS if fault.ms is None else fault.ms
            return Outcome.retry(f"{HELD} {fault.rule_id}", at=ctx.now + hold_ms)
        spec = payload["signer"]
        signer = signers.get(spec["scheme"])
        if signer is None:
            return Outcome.failed(f"no signer {spec['scheme']!r}")
        headers = {"Content-Type": "application/json"}
        headers.update(await signer(spec, payload["body"], ctx.now))
        if fault is not None and fault.kind in RECEIVER_FAULTS:
            # The receiver is slow past the platform's timeout, or not there: the attempt is
            # recorded as that network error (nothing is sent) and retried with backoff.
            error = RECEIVER_ERRORS[fault.kind] + f" (sandbox fault {fault.rule_id})"
            ctx.attempts.append(
                Attempt(
                    url=payload["url"],
                    request_headers=headers,
                    request_body=payload["body"],
                    error=error,
                )
            )
            return Outcome.retry(error)
        response, _attempt = await ctx.post(payload["url"], payload["body"], headers)
        if response is None:
            return Outcome.retry(ctx.attempts[-1].error or "network error")
        ok, reason = accepted(response, payload.get("success", {}))
        if ok and fault is not None and fault.kind == "duplicate":
            # At least once (DESIGN "Side effects"): the receiver gets it twice.
            headers.update(await signer(spec, payload["body"], ctx.now))
            await ctx.post(payload["url"], payload["body"], headers)
        if not ok:
            return Outcome.retry(reason)
        return Outcome.done(apply=release_held(ctx.owner, ctx.item_id))

    return handle


async def _fault(ctx: JobContext) -> WebhookFault | None:
    if ctx.outbound is None:
        return None
    return await ctx.outbound.webhook(ctx.owner, str(ctx.payload.get("event", "")), ctx.attempt)


def release_held(owner: str | None, item_id: int) -> Apply:
    """Once a webhook is delivered, the owner's earlier webhooks held by a reorder fault are
    due at once (in the transaction that records this delivery)."""

    def apply(session: Session, now: int) -> None:
        session.execute(
            update(OutboxItem)
            .where(
                OutboxItem.kind == "webhook",
                OutboxItem.status == "pending",
                OutboxItem.owner == owner,
                OutboxItem.id < item_id,
                OutboxItem.last_error.like(f"{HELD} %"),
            )
            .values(due_at=now)
            # None of those items is loaded in this session.
            .execution_options(synchronize_session=False)
        )

    return apply


def success_return_code() -> dict[str, Any]:
    return {"status": 200, "field": "returnCode", "value": "SUCCESS"}


def dumps_headers(headers: dict[str, str]) -> str:
    return json.dumps(headers)
