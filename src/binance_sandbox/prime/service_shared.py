"""What every Connect Prime service shares: the order's answer and webhook body, its
timeline, the accounts a settlement moves, and the checks of a request's user, pair and spread."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from binance_sandbox import wire
from binance_sandbox.connect import errors as connect_errors
from binance_sandbox.connect.auth import PartnerAuth
from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import WORLD, AccountRef, external_account, system_account
from binance_sandbox.market import CRYPTOS, FIATS, pairs
from binance_sandbox.prime import errors
from binance_sandbox.prime.lifecycle import STATUS_CODES
from binance_sandbox.prime.pricing import plain
from binance_sandbox.storage.core_insert import add_new
from binance_sandbox.storage.models import OrderEvent, Partner, PrimeOrder, User

DIRECTIONS = ("BUY", "SELL")
# Crypto a sell has taken from the user but the platform has not yet settled
# (shown as `locked` by `wallet/asset/user-assets`).
PRIME_LOCKED = "PRIME_LOCKED"
FAMILY = "prime"
# Far above any limit, small enough for exact arithmetic at every precision.
MAX_AMOUNT = Decimal(10) ** 12


def revenue_account(client_id: str, asset: str) -> AccountRef:
    return system_account(f"partner:{client_id}:revenue", asset)


def fiat_rails(asset: str) -> AccountRef:
    return external_account(f"{WORLD}:fiat-rails", asset)


def order_out(order: PrimeOrder | Row[Any]) -> dict[str, Any]:
    fiat_places = FIATS[order.fiat_currency].precision
    crypto_places = CRYPTOS[order.crypto_currency].precision
    return {
        "orderId": order.order_id,
        "clientOrderId": order.client_order_id,
        "userId": order.user_id,
        "direction": order.direction,
        "fiatCurrency": order.fiat_currency,
        "cryptoCurrency": order.crypto_currency,
        "fiatAmount": money.fmt(order.fiat_amount, fiat_places),
        "cryptoAmount": money.fmt(order.crypto_amount, crypto_places),
        "price": order.price,
        "spreadAmount": money.fmt(order.spread_amount, fiat_places),
        "status": order.status,
        "statusCode": STATUS_CODES[order.status],
        "createTime": order.create_time,
        "settleTime": order.settle_time,
        "failReason": order.fail_reason,
    }


def webhook_body(order: PrimeOrder) -> str:
    """The `prime_order_event` body, field for field as guide §8 shows it (numbers, and
    second-level times)."""
    return wire.dumps(
        {
            "webhookEventType": "prime_order_event",
            "orderId": order.order_id,
            "clientOrderId": order.client_order_id,
            "direction": order.direction,
            "fiatCurrency": order.fiat_currency,
            "cryptoCurrency": order.crypto_currency,
            "fiatAmount": money.from_units(order.fiat_amount).normalize(),
            "cryptoAmount": money.from_units(order.crypto_amount).normalize(),
            "price": Decimal(order.price),
            "status": order.status,
            "createTime": order.create_time // 1000,
            "settleTime": (order.settle_time or order.create_time) // 1000,
        }
    )


def add_event(session: Session, order_id: str, at: int, kind: str, **detail: Any) -> None:
    """Written at once (`add_new`): the timeline is in the order its events happened."""
    add_new(
        session,
        OrderEvent(
            family=FAMILY,
            order_ref=order_id,
            at=at,
            kind=kind,
            detail=json.dumps(detail, default=str),
        ),
    )


def locked_order(session: Session, order_id: str) -> PrimeOrder | None:
    stmt = select(PrimeOrder).where(PrimeOrder.order_id == order_id).with_for_update()
    return session.execute(stmt).scalar_one_or_none()


def partner_of(session: Session, partner_id: int) -> Row[str, str | None]:
    """What the end of an order needs of its partner: `client_id` and `webhook_url`."""
    return session.execute(
        select(Partner.client_id, Partner.webhook_url).where(Partner.id == partner_id)
    ).one()


def check_direction(value: str) -> str:
    if value not in DIRECTIONS:
        raise errors.InvalidDirection('direction must be "BUY" or "SELL".')
    return value


def check_amount_type(value: int) -> int:
    if value not in (1, 2):
        raise errors.InvalidAmountType("amountType must be 1 (fiat) or 2 (crypto).")
    return value


def check_fiat(code: str) -> str:
    if code not in FIATS:
        raise connect_errors.IllegalParameters(f"Unsupported fiatCurrency {code}.")
    return code


def check_crypto(code: str) -> str:
    if code not in CRYPTOS:
        raise connect_errors.IllegalParameters(f"Unsupported cryptoCurrency {code}.")
    return code


async def check_user(session: AsyncSession, partner: PartnerAuth, user_id: str) -> None:
    found = (
        await session.execute(
            select(User.id).where(User.user_id == user_id, User.partner_id == partner.id)
        )
    ).scalar_one_or_none()
    if found is None:
        raise connect_errors.IllegalParameters(f"userId {user_id} does not exist for this client.")


def check_spread(partner: PartnerAuth, requested: Decimal | None) -> Decimal:
    low, high = Decimal(partner.custom_spread_min), Decimal(partner.custom_spread_max)
    if requested is None:
        return low
    if not low <= requested <= high:
        raise errors.CustomSpreadExceeded(
            f"customSpread {plain(requested)} is outside the allowed range "
            f"[{plain(low)}, {plain(high)}]."
        )
    return requested


def offered_pairs(
    direction: str, *, fiat: str | None = None, crypto: str | None = None
) -> list[tuple[str, str]]:
    """The `(fiat, crypto)` pairs offered in `direction`: the one table `trading-pair` lists
    and that limits and quotes accept (through `check_pair`). Nothing offered is `1230305`,
    as a quote for it would answer, never an empty list."""
    found = pairs(direction, fiat=fiat, crypto=crypto)
    if not found:
        what = f"{direction} {crypto}" if crypto else direction
        raise errors.NoPaymentMethodAvailable(
            f"No payment method available for {what}{f' with {fiat}' if fiat else ''}."
        )
    return found


def check_pair(direction: str, fiat: str, crypto: str) -> None:
    check_fiat(fiat)
    check_crypto(crypto)
    offered_pairs(direction, fiat=fiat, crypto=crypto)
