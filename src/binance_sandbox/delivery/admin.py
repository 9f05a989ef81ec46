"""Webhook deliveries as the control API and the console show them, each with its attempt log,
and a delivery sent again. Errors are the control API's own."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.admin_errors import NotFound
from binance_sandbox.clock import Clock, pinned
from binance_sandbox.delivery.outbox import enqueue
from binance_sandbox.storage import test_clocks
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.models import DeliveryAttempt, OutboxItem, Partner


def delivery_out(item: OutboxItem, attempts: list[DeliveryAttempt]) -> dict[str, Any]:
    payload = json.loads(item.payload)
    return {
        "id": item.id,
        "family": item.family,
        "event": payload.get("event"),
        "owner": item.owner,
        "ref": item.ref,
        "url": payload.get("url"),
        "body": payload.get("body"),
        "status": item.status,
        "attempts": item.attempts,
        "maxAttempts": item.max_attempts,
        "nextAttemptAt": item.due_at if item.status == "pending" else None,
        "createdAt": item.created_at,
        "finishedAt": item.finished_at,
        "lastError": item.last_error,
        "redeliveryOf": payload.get("redeliveryOf"),
        "attemptLog": [
            {
                "number": a.number,
                "at": a.at,
                "requestHeaders": json.loads(a.request_headers) if a.request_headers else None,
                "statusCode": a.status_code,
                "responseBody": a.response_body,
                "error": a.error,
                "durationMs": a.duration_ms,
                "outcome": a.outcome,
            }
            for a in attempts
        ],
    }


async def _attempts(session: AsyncSession, ids: list[int]) -> dict[int, list[DeliveryAttempt]]:
    out: dict[int, list[DeliveryAttempt]] = {}
    if ids:
        rows = (
            await session.execute(
                select(DeliveryAttempt)
                .where(DeliveryAttempt.outbox_id.in_(ids))
                .order_by(DeliveryAttempt.id)
            )
        ).scalars()
        for a in rows:
            out.setdefault(a.outbox_id, []).append(a)
    return out


async def _webhook(session: AsyncSession, item_id: int) -> OutboxItem:
    item = (
        await session.execute(
            select(OutboxItem).where(OutboxItem.id == item_id, OutboxItem.kind == "webhook")
        )
    ).scalar_one_or_none()
    if item is None:
        raise NotFound(f"No webhook delivery {item_id}.")
    return item


async def delete_owned(session: AsyncSession, owner: str) -> int:
    """Delete every delivery and job of `owner` (a partner's clientId, a user's id) with its
    attempts, as a reset does; how many there were."""
    owned = select(OutboxItem.id).where(OutboxItem.owner == owner)
    await session.execute(delete(DeliveryAttempt).where(DeliveryAttempt.outbox_id.in_(owned)))
    result = await session.execute(delete(OutboxItem).where(OutboxItem.owner == owner))
    return int(getattr(result, "rowcount", 0) or 0)


class DeliveryAdmin:
    def __init__(self, db: Database, clock: Clock, *, max_attempts: int) -> None:
        self.db = db
        self.clock = clock
        self.max_attempts = max_attempts

    async def webhooks(
        self, *, owner: str | None, ref: str | None, status: str | None, limit: int
    ) -> list[dict[str, Any]]:
        stmt = select(OutboxItem).where(OutboxItem.kind == "webhook")
        if owner:
            stmt = stmt.where(OutboxItem.owner == owner)
        if ref:
            stmt = stmt.where(OutboxItem.ref == ref)
        if status:
            stmt = stmt.where(OutboxItem.status == status)
        async with self.db.read() as session:
            items = list(
                (await session.execute(stmt.order_by(OutboxItem.id.desc()).limit(limit))).scalars()
            )
            attempts = await _attempts(session, [i.id for i in items])
            return [delivery_out(i, attempts.get(i.id, [])) for i in items]

    async def webhook(self, item_id: int) -> dict[str, Any]:
        async with self.db.read() as session:
            item = await _webhook(session, item_id)
            attempts = await _attempts(session, [item.id])
            return delivery_out(item, attempts.get(item.id, []))

    async def redeliver(self, item_id: int) -> dict[str, Any]:
        """Send a delivery again, as a new delivery (the original's record stays as it was)."""
        now = self.clock.global_now_ms()
        async with self.db.write() as session:
            item = await _webhook(session, item_id)
            payload = json.loads(item.payload)
            payload["redeliveryOf"] = item.id
            if payload.get("signer", {}).get("scheme") == "connect":
                # To where the partner receives webhooks now (they may have fixed the URL).
                current = (
                    await session.execute(
                        select(Partner.webhook_url).where(Partner.client_id == item.owner)
                    )
                ).scalar_one_or_none()
                payload["url"] = current or payload["url"]
            # Sent now on the clock of the original: a test clock's tenant gets it at its time.
            clock_id = item.clock_id
            if clock_id is not None:
                found = await test_clocks.find(session, clock_id)
                now = now if found is None else found.now_ms
                clock_id = None if found is None else clock_id
            with pinned(clock_id, now):
                copy = await session.run_sync(
                    enqueue,
                    kind="webhook",
                    family=item.family,
                    payload=payload,
                    due_at=now,
                    now=now,
                    max_attempts=self.max_attempts,
                    owner=item.owner,
                    ref=item.ref,
                )
            new_id = copy.id
        return await self.webhook(new_id)
