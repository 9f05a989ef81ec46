"""The payer's side of a Pay order: the hosted checkout's view, signing in, paying, and
the expiry of an unpaid order on the sandbox clock."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import (
    InsufficientBalance,
    balance,
    post,
    transfer,
    user_account,
)
from binance_sandbox.pay import errors
from binance_sandbox.pay.errors import InsufficientFunds
from binance_sandbox.pay.lifecycle import ORDER, OrderStatus
from binance_sandbox.pay.service_notices import OrderNotices
from binance_sandbox.pay.service_shared import (
    FUNDING,
    SPOT,
    add_event,
    amount_text,
    merchant_wallet,
    move_order,
)
from binance_sandbox.platform import Platform
from binance_sandbox.storage import test_clocks
from binance_sandbox.storage.models import Merchant, PayOrder, User


class CheckoutService:
    def __init__(self, platform: Platform, notices: OrderNotices) -> None:
        self.p = platform
        self.notices = notices

    async def order_view(self, prepay_id: str) -> dict[str, Any] | None:
        await self.p.act_for_stored(test_clocks.of_pay_order(prepay_id))
        async with self.p.db.read() as session:
            row = (
                await session.execute(
                    select(PayOrder, Merchant.name)
                    .join(Merchant, Merchant.merchant_id == PayOrder.merchant_id)
                    .where(PayOrder.prepay_id == prepay_id)
                )
            ).first()
        if row is None:
            return None
        order, merchant_name = row
        request = json.loads(order.request)
        goods = request.get("goods") or (request.get("goodsDetails") or [{}])[0]
        links = self.notices.links(self.p.settings.public_base_url or "", prepay_id)
        return {
            "prepayId": prepay_id,
            "merchantId": order.merchant_id,
            "merchantName": merchant_name,
            "title": goods.get("goodsName")
            or request.get("description")
            or request.get("productName")
            or "Order",
            "currency": order.currency,
            "totalFee": amount_text(order.order_amount),
            "fiatCurrency": order.fiat_currency,
            "fiatAmount": amount_text(order.fiat_amount) if order.fiat_amount is not None else None,
            "status": order.status,
            "expireTime": order.expire_time,
            "nowMs": self.p.clock.now_ms(),
            "returnUrl": order.return_url,
            "cancelUrl": order.cancel_url,
            **{k: links[k] for k in ("qrcodeLink", "qrContent", "checkoutUrl")},
        }

    async def find_payer(self, login: str) -> tuple[str, str] | None:
        login = login.strip()
        async with self.p.db.read() as session:
            row = (
                await session.execute(
                    select(User.user_id, User.email).where(
                        (User.email == login.lower()) | (User.user_id == login)
                    )
                )
            ).first()
        return (row[0], row[1]) if row else None

    async def payer_balance(self, user_id: str, currency: str) -> Decimal:
        async with self.p.db.read() as session:
            funding = await session.run_sync(balance, user_account(user_id, currency, FUNDING))
            spot = await session.run_sync(balance, user_account(user_id, currency, SPOT))
        return money.from_units(funding + spot)

    def _payable(self, session: Session, prepay_id: str, now: int) -> PayOrder:
        order = session.execute(
            select(PayOrder).where(PayOrder.prepay_id == prepay_id).with_for_update()
        ).scalar_one_or_none()
        if order is None:
            raise errors.OrderNotFound("Order not found.")
        payable = ORDER.can(order.status, OrderStatus.PAID)
        if payable and now >= order.expire_time:
            raise errors.InvalidOrderStatus("The order has expired.")
        if not payable:
            raise errors.InvalidOrderStatus(f"The order is {order.status} and cannot be paid.")
        return order

    def _payer(self, session: Session, user_id: str) -> None:
        if (
            session.execute(select(User.id).where(User.user_id == user_id)).scalar_one_or_none()
            is None
        ):
            raise errors.InvalidRequest(f"No sandbox user {user_id}.")

    async def start_checkout(self, prepay_id: str, payer_user_id: str) -> None:
        """A payer opened the order in "the app": INITIAL → PENDING."""
        await self.p.act_for_stored(test_clocks.of_pay_order(prepay_id))
        now = self.p.clock.now_ms()
        await self.p.db.run_write(self._start_checkout, prepay_id, payer_user_id, now)

    def _start_checkout(
        self, session: Session, prepay_id: str, payer_user_id: str, now: int
    ) -> None:
        self._payer(session, payer_user_id)
        order = self._payable(session, prepay_id, now)
        if order.status == OrderStatus.INITIAL:
            move_order(order, OrderStatus.PENDING)
            add_event(session, prepay_id, now, "pending", status=order.status, payer=payer_user_id)

    async def pay(self, prepay_id: str, payer_user_id: str) -> dict[str, Any]:
        """The payer pays: funds move from the payer (FUNDING first, then SPOT) to the
        merchant's Pay wallet in one journal entry; PAY_SUCCESS goes out. It happens on the
        merchant's clock, whichever clock the payer is on (docs/testing.md)."""
        await self.p.act_for_stored(test_clocks.of_pay_order(prepay_id))
        now = self.p.clock.now_ms()
        return await self.p.db.run_write(self._pay, prepay_id, payer_user_id, now)

    def _pay(
        self, session: Session, prepay_id: str, payer_user_id: str, now: int
    ) -> dict[str, Any]:
        """`pay`'s unit of work (`Database.run_write`)."""
        self._payer(session, payer_user_id)
        order = self._payable(session, prepay_id, now)
        if payer_user_id == order.merchant_id:
            raise errors.InvalidRequest("A merchant cannot pay its own order.")
        if order.status == OrderStatus.INITIAL:
            move_order(order, OrderStatus.PENDING)
            add_event(session, prepay_id, now, "pending", status=order.status, payer=payer_user_id)
        # Binance Pay takes the Funding wallet first and the rest from Spot, in one entry.
        funding = balance(session, user_account(payer_user_id, order.currency, FUNDING))
        from_funding = min(max(funding, 0), order.order_amount)
        parts = [(FUNDING, from_funding), (SPOT, order.order_amount - from_funding)]
        legs = [
            leg
            for wallet, units in parts
            if units
            for leg in transfer(
                user_account(payer_user_id, order.currency, wallet),
                merchant_wallet(order.merchant_id, order.currency),
                units,
            )
        ]
        try:
            with session.begin_nested():
                post(session, "pay_payment", legs, at=now, ref_type="pay_order", ref_id=prepay_id)
        except InsufficientBalance as exc:
            raise InsufficientFunds(
                f"Insufficient {order.currency} balance to pay "
                f"{amount_text(order.order_amount)} {order.currency}."
            ) from exc
        paid_from = FUNDING if from_funding * 2 >= order.order_amount else SPOT
        move_order(order, OrderStatus.PAID)
        order.payer_user_id = payer_user_id
        order.payer_wallet = paid_from
        order.transact_time = now
        order.transaction_id = "M_P_" + self.p.ids.digits(17)
        add_event(
            session,
            prepay_id,
            now,
            "paid",
            status=order.status,
            payer=payer_user_id,
            wallet=paid_from,
        )
        self.notices.order_webhook(session, order, "PAY_SUCCESS", now)
        return self.notices.order_out(order)

    def expire(self, session: Session, prepay_id: str, now: int) -> None:
        order = session.execute(
            select(PayOrder).where(PayOrder.prepay_id == prepay_id).with_for_update()
        ).scalar_one_or_none()
        if (
            order is None
            or not ORDER.can(order.status, OrderStatus.EXPIRED)
            or now < order.expire_time
        ):
            return
        move_order(order, OrderStatus.EXPIRED)
        add_event(session, prepay_id, now, "expired", status=order.status)
        self.notices.order_webhook(session, order, "PAY_CLOSED", now)
