"""Records as the wire shows them: camelCase, amounts as decimal strings, times in ms."""

from __future__ import annotations

from typing import Any

from binance_sandbox import wire
from binance_sandbox.merchant.amounts import format_units
from binance_sandbox.merchant.models import (
    FiatAccount,
    FiatEntry,
    FiatTransfer,
    Refund,
    Transfer,
    WebhookEvent,
)
from binance_sandbox.merchant.webhooks import EventIdentity


def refund_answer(refund: Refund) -> dict[str, Any]:
    """`data` of /refund and /refund/query, as the contract gives it."""
    return {
        "refundId": refund.refund_id,
        "refundReference": refund.refund_reference,
        "status": refund.status,
    }


def transfer_answer(transfer: Transfer) -> dict[str, Any]:
    """`data` of /transfer and /transfer/query, as the contract gives it."""
    return {
        "transferId": transfer.transfer_id,
        "transferReference": transfer.transfer_reference,
        "status": transfer.status,
    }


def refund_detail(refund: Refund) -> dict[str, Any]:
    return _payout_detail(refund_answer(refund), refund, reason=refund.reason)


def transfer_detail(transfer: Transfer) -> dict[str, Any]:
    return _payout_detail(transfer_answer(transfer), transfer)


def _payout_detail(answer: dict[str, Any], payout: Refund | Transfer, **own: Any) -> dict[str, Any]:
    """The contract's `answer`, then what the kit knows of the payout; `own` are the fields
    only one kind has, after the amount."""
    return {
        **answer,
        "orderId": payout.order_id,
        "clientOrderId": payout.client_order_id,
        "userId": payout.user_id,
        "fiatCurrency": payout.currency,
        "fiatAmount": format_units(payout.amount),
        **own,
        "failReason": payout.fail_reason,
        "createdAt": payout.created_at,
        "updatedAt": payout.updated_at,
    }


def fiat_transfer(transfer: FiatTransfer) -> dict[str, Any]:
    return {
        "transactionId": transfer.transaction_id,
        "clientOrderId": transfer.client_order_id,
        "userId": transfer.user_id,
        "fiatCurrency": transfer.currency,
        "amount": format_units(transfer.amount),
        "status": transfer.status,
        "orderId": transfer.order_id,
        "checkPolls": transfer.check_polls,
        "confirmed": transfer.confirmed,
        "createdAt": transfer.created_at,
        "updatedAt": transfer.updated_at,
    }


def user_balances(user_id: str, balances: dict[str, int]) -> dict[str, Any]:
    return {
        "userId": user_id,
        "balances": {currency: format_units(units) for currency, units in balances.items()},
    }


def account(account: FiatAccount) -> dict[str, Any]:
    return {
        "owner": account.owner,
        "currency": account.currency,
        "balance": format_units(account.balance),
    }


def entry(entry: FiatEntry, from_owner: str, to_owner: str) -> dict[str, Any]:
    return {
        "id": entry.id,
        "currency": entry.currency,
        "amount": format_units(entry.amount),
        "from": from_owner,
        "to": to_owner,
        "kind": entry.kind,
        "reference": entry.reference,
        "createdAt": entry.created_at,
    }


def webhook_event(event: WebhookEvent) -> dict[str, Any]:
    identity = EventIdentity(event.event_type, event.order_ref, event.status)
    return {
        "eventKey": identity.key,
        "eventType": event.event_type,
        "orderId": event.order_ref,
        "status": event.status,
        "body": wire.loads(event.body),
        "receivedAt": event.received_at,
        "lastReceivedAt": event.last_received_at,
        "duplicates": event.duplicates,
    }
