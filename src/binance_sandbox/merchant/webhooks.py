"""Received webhooks, stored once each (guide §8: "You may receive duplicate webhooks").

A `prime_order_event` is identified by (orderId, status), as docs/connect-prime.md says to
de-duplicate; other event types (`deposit_status_event`, …) by (type, externalOrderId or
orderId, status). Storing is one INSERT … ON CONFLICT DO UPDATE on the unique constraint over
that identity, so two identical deliveries arriving together leave one row whose `duplicates`
counts the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from binance_sandbox.merchant.context import MerchantContext
from binance_sandbox.merchant.models import WebhookEvent
from binance_sandbox.merchant.storage import upsert

PRIME_ORDER_EVENT = "prime_order_event"


class InvalidWebhook(ValueError):
    """A correctly signed body that is not a webhook event the kit can identify."""


@dataclass(frozen=True)
class EventIdentity:
    event_type: str
    order_ref: str
    status: str

    @property
    def key(self) -> str:
        return f"{self.event_type}:{self.order_ref}:{self.status}"


def identify(body: Any) -> EventIdentity:
    if not isinstance(body, dict):
        raise InvalidWebhook("body must be a JSON object")
    event_type = _text(body, "webhookEventType")
    if event_type is None:
        raise InvalidWebhook("missing webhookEventType")
    status = _text(body, "status")
    if status is None:
        raise InvalidWebhook("missing status")
    if event_type == PRIME_ORDER_EVENT:
        order_ref = _text(body, "orderId")
    else:
        order_ref = _text(body, "externalOrderId") or _text(body, "orderId")
    if order_ref is None:
        raise InvalidWebhook("missing orderId")
    return EventIdentity(event_type, order_ref, status)


def _text(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


async def record(ctx: MerchantContext, identity: EventIdentity, raw_body: str) -> None:
    now = ctx.clock()
    async with ctx.sessions.begin() as session:
        await session.execute(
            upsert(session, WebhookEvent)
            .values(
                event_type=identity.event_type,
                order_ref=identity.order_ref,
                status=identity.status,
                body=raw_body,
                received_at=now,
                last_received_at=now,
                duplicates=0,
            )
            .on_conflict_do_update(
                index_elements=["event_type", "order_ref", "status"],
                set_={
                    "duplicates": WebhookEvent.duplicates + 1,
                    "last_received_at": now,
                },
            )
        )


async def list_events(
    ctx: MerchantContext, *, limit: int, order_id: str | None = None
) -> list[WebhookEvent]:
    """Newest first."""
    query = select(WebhookEvent).order_by(WebhookEvent.id.desc()).limit(limit)
    if order_id is not None:
        query = query.where(WebhookEvent.order_ref == order_id)
    async with ctx.sessions.begin() as session:
        return list(await session.scalars(query))
