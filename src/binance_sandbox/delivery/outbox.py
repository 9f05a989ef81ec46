"""Writing to the outbox, always inside the transaction that makes the state change."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.storage.inserts import insert_new
from binance_sandbox.storage.models import OutboxItem

WEBHOOK = "webhook"


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    family: str,
    payload: dict[str, Any],
    due_at: int,
    now: int,
    max_attempts: int,
    owner: str | None = None,
    ref: str | None = None,
    dedupe_key: str | None = None,
) -> OutboxItem:
    """Writes the item now (its `id` set), in the session's transaction."""
    item = outbox_item(
        kind=kind,
        family=family,
        payload=payload,
        due_at=due_at,
        now=now,
        max_attempts=max_attempts,
        owner=owner,
        ref=ref,
        dedupe_key=dedupe_key,
    )
    await insert_new(session, item)
    return item


def outbox_item(
    *,
    kind: str,
    family: str,
    payload: dict[str, Any],
    due_at: int,
    now: int,
    max_attempts: int,
    owner: str | None = None,
    ref: str | None = None,
    dedupe_key: str | None = None,
) -> OutboxItem:
    """A new item, not yet written: for `insert_new` with the rows it comes with."""
    return OutboxItem(
        kind=kind,
        family=family,
        owner=owner,
        ref=ref,
        dedupe_key=dedupe_key,
        payload=json.dumps(payload),
        status="pending",
        attempts=0,
        max_attempts=max_attempts,
        due_at=due_at,
        lease_until=0,
        created_at=now,
    )


async def enqueue_webhook(
    session: AsyncSession,
    *,
    family: str,
    url: str,
    body: str,
    signer: dict[str, Any],
    success: dict[str, Any],
    now: int,
    max_attempts: int,
    owner: str | None,
    ref: str | None,
    event: str,
) -> OutboxItem:
    """A webhook: `body` is sent byte for byte; `signer` names how to sign each attempt
    (the headers carry the attempt's own timestamp); `success` says which answer counts."""
    return await enqueue(
        session,
        kind=WEBHOOK,
        family=family,
        payload={"url": url, "body": body, "signer": signer, "success": success, "event": event},
        due_at=now,
        now=now,
        max_attempts=max_attempts,
        owner=owner,
        ref=ref,
    )
