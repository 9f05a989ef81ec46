"""What may happen to an outbound attempt instead of an ordinary call: the hook the delivery
worker hands to every job (`JobContext.outbound`). The sandbox's fault rules implement it
(`faults/delivery.py`) and the app passes it in; delivery knows only this protocol."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

WebhookFaultKind = Literal["delay", "reorder", "timeout", "down", "duplicate"]

# Faults of the receiver (it times out, it is down) apply to every try of a webhook; the
# others only to the first (a delayed webhook is not delayed again when it comes due).
RECEIVER_FAULTS: tuple[WebhookFaultKind, ...] = ("timeout", "down")


@dataclass(frozen=True)
class WebhookFault:
    """What happens to this try of a webhook, and the rule that said so (for the record)."""

    kind: WebhookFaultKind
    rule_id: str
    ms: int | None = None  # how long a delay or a reorder holds the webhook back


@dataclass(frozen=True)
class CallAnswer:
    """The answer taken in place of calling the partner's merchant-side API: its `data`, or
    why there is no usable one; and what the job records as the attempt."""

    data: dict[str, Any] | None
    problem: str | None
    status_code: int
    response_body: str | None = None
    error: str | None = None


class OutboundHook(Protocol):
    async def webhook(self, owner: str | None, event: str, attempt: int) -> WebhookFault | None:
        """What happens to try number `attempt` of an `event` webhook to `owner` (None: it is
        sent as usual)."""
        ...

    async def merchant_call(self, partner_client_id: str, path: str) -> CallAnswer | None:
        """The answer to a call of the partner's merchant-side `path` (None: call out)."""
        ...
