"""Faults on what leaves the platform: the partner's merchant-side APIs and webhooks.

The delivery worker hands its fault book to each job (`JobContext.faults`); the merchant API
client and the webhook handler ask here before (or after) they call out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from binance_sandbox.delivery.worker import Attempt, JobContext
from binance_sandbox.faults.rules import FaultRule, Identity


@dataclass
class MerchantFault:
    data: dict[str, Any] | None
    problem: str | None


async def merchant_fault(
    ctx: JobContext, partner_client_id: str, path: str, body: str
) -> MerchantFault | None:
    """The answer a merchant fault gives instead of calling the partner, recorded as the
    attempt so the webhook/order timeline shows it."""
    if ctx.faults is None:
        return None
    rule = await ctx.faults.take("merchant", path, Identity(partner_client_id=partner_client_id))
    if rule is None:
        return None
    note = f"sandbox fault {rule.id} on {path}"
    if rule.action["type"] == "status":
        status = str(rule.action["status"])
        ctx.attempts.append(
            Attempt(
                url=path,
                request_headers=None,
                request_body=body,
                status_code=200,
                response_body=f'{{"success":true,"data":{{"status":"{status}"}}}} ({note})',
            )
        )
        return MerchantFault({"status": status}, None)
    ctx.attempts.append(
        Attempt(url=path, request_headers=None, request_body=body, status_code=500, error=note)
    )
    return MerchantFault(None, f"HTTP 500 ({note})")


# Rules about the receiver (it times out, it is down) apply to every try; the others only to
# the first (a delayed webhook is not delayed again when it comes due).
RECEIVER_FAULTS = ("timeout", "down")


async def webhook_fault(ctx: JobContext) -> FaultRule | None:
    """A delivery rule for this webhook's owner and event."""
    if ctx.faults is None:
        return None
    event = str(ctx.payload.get("event", ""))
    kinds = None if ctx.attempt == 1 else RECEIVER_FAULTS
    return await ctx.faults.take("delivery", event, Identity(owner=ctx.owner), kinds=kinds)
