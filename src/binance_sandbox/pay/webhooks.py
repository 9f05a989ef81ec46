"""Pay webhooks (NOTES.md "Webhooks"): `{bizType, bizId, bizIdStr, bizStatus, data}` with
`data` a JSON-encoded string, signed with the platform's Pay key, retried up to 6 times until
the merchant answers `{"returnCode": "SUCCESS"}`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from binance_sandbox import wire
from binance_sandbox.delivery.outbox import enqueue_webhook
from binance_sandbox.delivery.webhooks import success_return_code
from binance_sandbox.storage.core_insert import add_new
from binance_sandbox.storage.models import OrderEvent

FAMILY = "pay"


def webhook_body(biz_type: str, biz_id: str, biz_status: str, data: dict[str, Any]) -> str:
    return wire.dumps(
        {
            "bizType": biz_type,
            "bizId": int(biz_id),
            "bizIdStr": biz_id,
            "bizStatus": biz_status,
            "data": wire.dumps(data),
        }
    )


def send(
    session: Session,
    *,
    url: str | None,
    merchant_id: str,
    ref: str,
    biz_type: str,
    biz_id: str,
    biz_status: str,
    data: dict[str, Any],
    now: int,
    max_attempts: int,
) -> None:
    """Queue one webhook in the caller's transaction (or note why there is none)."""
    if not url:
        add_new(
            session,
            OrderEvent(
                family=FAMILY,
                order_ref=ref,
                at=now,
                kind="webhook_skipped",
                detail='{"reason": "no webhookUrl"}',
            ),
        )
        return
    item = enqueue_webhook(
        session,
        family=FAMILY,
        url=url,
        body=webhook_body(biz_type, biz_id, biz_status, data),
        signer={"scheme": "pay"},
        success=success_return_code(),
        now=now,
        max_attempts=max_attempts,
        owner=merchant_id,
        ref=ref,
        event=f"{biz_type}:{biz_status}",
    )
    add_new(
        session,
        OrderEvent(
            family=FAMILY,
            order_ref=ref,
            at=now,
            kind="webhook_queued",
            detail=wire.dumps({"outboxId": item.id, "bizType": biz_type, "bizStatus": biz_status}),
        ),
    )
