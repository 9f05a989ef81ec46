"""Writing to the outbox, always inside the transaction that makes the state change.

Synchronous, on an ORM `Session`, as the ledger is (ledger/service.py): from an `AsyncSession`,
`await session.run_sync(enqueue, …)`."""

from __future__ import annotations

import json
from typing import Any, NotRequired, TypedDict, Unpack

from sqlalchemy.orm import Session

from binance_sandbox.clock import pinned_clock_id
from binance_sandbox.storage.core_insert import add_new
from binance_sandbox.storage.db import note_due_at_once
from binance_sandbox.storage.models import OutboxItem

WEBHOOK = "webhook"


class OutboxFields(TypedDict):
    """What a new outbox item is made of (`enqueue`, `outbox_item`)."""

    kind: str
    family: str
    payload: dict[str, Any]
    due_at: int
    now: int
    max_attempts: int
    owner: NotRequired[str | None]
    ref: NotRequired[str | None]
    dedupe_key: NotRequired[str | None]


def enqueue(session: Session, **fields: Unpack[OutboxFields]) -> OutboxItem:
    """Writes the item now (its `id` set), in the session's transaction."""
    item = outbox_item(**fields)
    add_new(session, item)
    if item.due_at <= item.created_at:
        # This process's worker may take it when the transaction commits (storage/db.py).
        note_due_at_once(session, item)
    return item


def outbox_item(**fields: Unpack[OutboxFields]) -> OutboxItem:
    """A new item, not yet written: for `add_new` with the rows it comes with. It is due on
    the clock the current work runs on (`binance_sandbox.clock`)."""
    return OutboxItem(
        kind=fields["kind"],
        family=fields["family"],
        owner=fields.get("owner"),
        ref=fields.get("ref"),
        dedupe_key=fields.get("dedupe_key"),
        payload=json.dumps(fields["payload"]),
        status="pending",
        attempts=0,
        max_attempts=fields["max_attempts"],
        due_at=fields["due_at"],
        lease_until=0,
        created_at=fields["now"],
        clock_id=pinned_clock_id(),
    )


def enqueue_webhook(
    session: Session,
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
    return enqueue(
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
