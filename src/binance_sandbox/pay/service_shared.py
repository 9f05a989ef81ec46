"""What every Pay service shares: the accepted currencies, the merchant's wallet, amounts as
Pay writes them, the payer's open id, the order's moves and its timeline."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import parse_qsl, urlparse

from sqlalchemy.orm import Session

from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import user_account
from binance_sandbox.pay import errors
from binance_sandbox.pay.lifecycle import ORDER, OrderStatus
from binance_sandbox.storage.core_insert import add_new
from binance_sandbox.storage.models import OrderEvent, PayOrder

FAMILY = "pay"
# pay-create-order-v2: 'only "BUSD","USDT","MBOX" can be accepted, fiat NOT supported'.
PAY_CURRENCIES = ("USDT", "BUSD", "MBOX")
DIRECT_DEBIT_CURRENCIES = ("BUSD", "USDT")
SUPPORT_PAY_CURRENCIES = (*PAY_CURRENCIES, "BNB", "BTC", "ETH")
DEFAULT_EXPIRY_MS = 3_600_000  # 1 hour
MAX_EXPIRY_MS = 15 * 86_400_000  # 15 days
MAX_REFUND_ATTEMPTS = 10
FUNDING, SPOT = "FUNDING", "SPOT"
REFUND_ESCROW = "pay:refunds"


def merchant_wallet(merchant_id: str, currency: str, wallet: str = FUNDING) -> Any:
    """A merchant's Pay wallet is the FUNDING wallet of its own Binance account."""
    return user_account(merchant_id, currency, wallet)


def amount_text(units: int) -> str:
    return format(money.from_units(units).normalize(), "f")


def open_user_id(merchant_id: str, user_id: str) -> str:
    """The payer as this merchant sees them: stable per merchant, not the Binance user id."""
    return hashlib.sha256(f"{merchant_id}:{user_id}".encode()).hexdigest()[:32]


def check_url(value: str | None, field: str, *, one_param: bool) -> None:
    if value is None:
        return
    parsed = urlparse(value)
    if (
        not value.lower().startswith("http")
        or parsed.scheme not in ("http", "https")
        or not parsed.netloc
    ):
        raise errors.InvalidParamWrongValue(f"{field} must begin with http or https.")
    # pay-create-order-v2: "Only one parameter is allowed per URL".
    if one_param and len(parse_qsl(parsed.query, keep_blank_values=True)) > 1:
        raise errors.InvalidParamWrongValue(f"{field} may carry at most one parameter.")


def move_order(order: PayOrder, status: OrderStatus) -> None:
    if not ORDER.can(order.status, status):
        raise errors.InvalidOrderStatus(f"Order status {order.status} cannot change to {status}.")
    order.status = status.value


def add_event(session: Session, ref: str, at: int, kind: str, **detail: Any) -> None:
    """Written at once (`add_new`): the timeline is in the order its events happened."""
    add_new(session, event_row(ref, at, kind, **detail))


def event_row(ref: str, at: int, kind: str, **detail: Any) -> OrderEvent:
    return OrderEvent(
        family=FAMILY, order_ref=ref, at=at, kind=kind, detail=json.dumps(detail, default=str)
    )
