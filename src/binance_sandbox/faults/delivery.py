"""Faults on what leaves the platform: the partner's merchant-side APIs and webhooks. The
app hands `OutboundFaults` to the delivery worker as its outbound hook
(`delivery.hooks.OutboundHook`); the merchant API client and the webhook handler ask it
before (or after) they call out."""

from __future__ import annotations

from binance_sandbox.delivery.hooks import RECEIVER_FAULTS, CallAnswer, WebhookFault
from binance_sandbox.faults.rules import FaultBook, Identity


class OutboundFaults:
    def __init__(self, book: FaultBook) -> None:
        self.book = book

    async def merchant_call(self, partner_client_id: str, path: str) -> CallAnswer | None:
        """A merchant fault's answer, recorded as the attempt so the order's timeline shows
        it."""
        rule = await self.book.take("merchant", path, Identity(partner_client_id=partner_client_id))
        if rule is None:
            return None
        note = f"sandbox fault {rule.id} on {path}"
        if rule.action["type"] == "status":
            status = str(rule.action["status"])
            return CallAnswer(
                data={"status": status},
                problem=None,
                status_code=200,
                response_body=f'{{"success":true,"data":{{"status":"{status}"}}}} ({note})',
            )
        return CallAnswer(data=None, problem=f"HTTP 500 ({note})", status_code=500, error=note)

    async def webhook(self, owner: str | None, event: str, attempt: int) -> WebhookFault | None:
        """A delivery rule for this webhook's owner and event."""
        kinds = None if attempt == 1 else RECEIVER_FAULTS
        rule = await self.book.take("delivery", event, Identity(owner=owner), kinds=kinds)
        if rule is None:
            return None
        ms = rule.action.get("ms")
        return WebhookFault(rule.action["type"], rule.id, None if ms is None else int(ms))
