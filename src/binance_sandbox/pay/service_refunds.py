"""Pay refunds (pay-refund-order, pay-query-refund-order): the merchant's funds go to an
escrow when a refund is asked, and the worker settles it to the payer (or back, rejected)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from binance_sandbox.delivery.outbox import enqueue
from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import (
    InsufficientBalance,
    post,
    system_account,
    transfer,
    user_account,
)
from binance_sandbox.pay import errors, schemas, webhooks
from binance_sandbox.pay.auth import MerchantAuth
from binance_sandbox.pay.lifecycle import (
    REFUND,
    REFUND_ASKED,
    REFUNDABLE,
    OrderStatus,
    RefundStatus,
)
from binance_sandbox.pay.service_notices import OrderNotices
from binance_sandbox.pay.service_shared import (
    FAMILY,
    FUNDING,
    MAX_REFUND_ATTEMPTS,
    REFUND_ESCROW,
    add_event,
    amount_text,
    check_url,
    merchant_wallet,
    move_order,
    open_user_id,
)
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import PayOrder, PayRefund


class RefundService:
    def __init__(self, platform: Platform, notices: OrderNotices) -> None:
        self.p = platform
        self.notices = notices

    def refund_out(self, refund: PayRefund, order: PayOrder, *, duplicate: bool) -> dict[str, Any]:
        return {
            "refundRequestId": refund.refund_request_id,
            "prepayId": refund.prepay_id,
            "orderAmount": amount_text(order.order_amount),
            "refundedAmount": amount_text(refund.refunded_before + refund.refund_amount),
            "refundAmount": amount_text(refund.refund_amount),
            "remainingAttempts": MAX_REFUND_ATTEMPTS - refund.attempt,
            "payerOpenId": open_user_id(order.merchant_id, order.payer_user_id or ""),
            "duplicateRequest": duplicate,
        }

    def _existing_refund(
        self, session: Session, merchant_id: str, refund_request_id: str
    ) -> tuple[PayRefund, PayOrder] | None:
        row = session.execute(
            select(PayRefund, PayOrder)
            .join(PayOrder, PayOrder.prepay_id == PayRefund.prepay_id)
            .where(
                PayRefund.merchant_id == merchant_id,
                PayRefund.refund_request_id == refund_request_id,
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def refund(self, merchant: MerchantAuth, req: schemas.Refund) -> dict[str, Any]:
        check_url(req.webhookUrl, "webhookUrl", one_param=False)
        now = self.p.clock.now_ms()
        try:
            result = await self.p.db.run_write(self._refund, merchant, req, now)
        except IntegrityError:
            # The same refundRequestId raced in: answer as its duplicate.
            async with self.p.db.read() as session:
                existing = await session.run_sync(
                    self._existing_refund, merchant.merchant_id, req.refundRequestId
                )
                if existing is None:
                    raise
                return self.refund_out(*existing, duplicate=True)
        return result

    def _refund(
        self, session: Session, merchant: MerchantAuth, req: schemas.Refund, now: int
    ) -> dict[str, Any]:
        """`refund`'s unit of work (`Database.run_write`)."""
        existing = self._existing_refund(session, merchant.merchant_id, req.refundRequestId)
        if existing is not None:
            refund, order_then = existing
            # The last attempt refunds the remainder whatever was asked, so only its order counts.
            same_amount = (
                refund.attempt == MAX_REFUND_ATTEMPTS
                or refund.refund_amount == money.to_units(req.refundAmount)
            )
            if refund.prepay_id != req.prepayId or not same_amount:
                raise errors.InvalidParamWrongValue(
                    f"refundRequestId {req.refundRequestId} was used for another refund."
                )
            return self.refund_out(refund, order_then, duplicate=True)
        order = session.execute(
            select(PayOrder)
            .where(PayOrder.prepay_id == req.prepayId, PayOrder.merchant_id == merchant.merchant_id)
            .with_for_update()
        ).scalar_one_or_none()
        if order is None:
            raise errors.InvalidPrepayId(f"prepayId {req.prepayId} is invalid.")
        # The answer must not depend on whether the worker has settled the last refund yet
        # (REFUNDING → FULL_REFUNDED): the attempt count and what is left decide first.
        refunded = order.status in REFUND_ASKED
        if refunded and order.refund_attempts >= MAX_REFUND_ATTEMPTS:
            raise errors.TooManyRefundAttempts(f"At most {MAX_REFUND_ATTEMPTS} refunds per order.")
        remaining = order.order_amount - order.refunded_amount
        if order.status == OrderStatus.REFUNDING and remaining <= 0:
            raise errors.InvalidOrderStatus("Order is fully refunded; nothing is left to refund.")
        if order.status not in REFUNDABLE:
            raise errors.InvalidOrderStatus(
                f"Order is {order.status}; only a paid order can be refunded."
            )
        requested = money.to_units(req.refundAmount)
        if requested > remaining:
            raise errors.InvalidRefundAmount(
                f"refundAmount {req.refundAmount} exceeds the refundable "
                f"{amount_text(remaining)} {order.currency}."
            )
        attempt = order.refund_attempts + 1
        # The last allowed attempt refunds whatever remains.
        amount = remaining if attempt == MAX_REFUND_ATTEMPTS else requested
        try:
            with session.begin_nested():
                post(
                    session,
                    "pay_refund_hold",
                    transfer(
                        merchant_wallet(order.merchant_id, order.currency),
                        system_account(REFUND_ESCROW, order.currency),
                        amount,
                    ),
                    at=now,
                    ref_type="pay_refund",
                    ref_id=req.refundRequestId,
                )
        except InsufficientBalance as exc:
            raise errors.AccountRemainingAmountNotEnough(
                f"The merchant's {order.currency} balance is not enough for this refund."
            ) from exc
        refund = PayRefund(
            refund_request_id=req.refundRequestId,
            merchant_id=merchant.merchant_id,
            prepay_id=order.prepay_id,
            refund_amount=amount,
            refunded_before=order.refunded_amount,
            attempt=attempt,
            reason=req.refundReason,
            webhook_url=req.webhookUrl,
            status=RefundStatus.PENDING.value,
            created_at=now,
        )
        session.add(refund)
        order.refunded_amount += amount
        order.refund_attempts = attempt
        if order.status != OrderStatus.REFUNDING:
            move_order(order, OrderStatus.REFUNDING)
        session.flush()
        add_event(
            session,
            order.prepay_id,
            now,
            "refund_requested",
            refundRequestId=req.refundRequestId,
            amount=amount_text(amount),
        )
        enqueue(
            session,
            kind="pay.refund",
            family=FAMILY,
            payload={"refundId": refund.id},
            due_at=now,
            now=now,
            max_attempts=20,
            owner=merchant.merchant_id,
            ref=order.prepay_id,
        )
        return self.refund_out(refund, order, duplicate=False)

    async def refund_query(
        self, merchant: MerchantAuth, req: schemas.RefundQuery
    ) -> dict[str, Any]:
        async with self.p.db.read() as session:
            existing = await session.run_sync(
                self._existing_refund, merchant.merchant_id, req.refundRequestId
            )
        if existing is None:
            raise errors.OrderNotFound(f"No refund {req.refundRequestId}.")
        refund, order = existing
        data = self.refund_out(refund, order, duplicate=False)
        del data["duplicateRequest"]
        data["refundedCommission"] = "0"
        data["refundCommission"] = "0"
        data["refundStatus"] = refund.status
        return data

    def settle_refund(
        self, session: Session, refund_id: int, now: int, *, reject: str | None = None
    ) -> None:
        """REFUND_PENDING → REFUND_SUCCESS (the escrow goes to the payer) or, when rejected,
        REFUND_FAIL (it goes back to the merchant)."""
        refund = session.execute(
            select(PayRefund).where(PayRefund.id == refund_id).with_for_update()
        ).scalar_one()
        if REFUND.is_terminal(refund.status):
            if reject:
                raise errors.InvalidOrderStatus(f"Refund is {refund.status}.")
            return
        order = session.execute(
            select(PayOrder).where(PayOrder.prepay_id == refund.prepay_id).with_for_update()
        ).scalar_one()
        escrow = system_account(REFUND_ESCROW, order.currency)
        if reject:
            post(
                session,
                "pay_refund_reject",
                transfer(
                    escrow, merchant_wallet(order.merchant_id, order.currency), refund.refund_amount
                ),
                at=now,
                ref_type="pay_refund",
                ref_id=refund.refund_request_id,
            )
            refund.status = REFUND.move(refund.status, RefundStatus.FAIL).value
            order.refunded_amount -= refund.refund_amount
        else:
            payer_wallet = user_account(
                order.payer_user_id or "", order.currency, order.payer_wallet or FUNDING
            )
            post(
                session,
                "pay_refund",
                transfer(escrow, payer_wallet, refund.refund_amount),
                at=now,
                ref_type="pay_refund",
                ref_id=refund.refund_request_id,
            )
            refund.status = REFUND.move(refund.status, RefundStatus.SUCCESS).value
        refund.finished_at = now
        pending = session.execute(
            select(func.count())
            .select_from(PayRefund)
            .where(
                PayRefund.prepay_id == order.prepay_id,
                PayRefund.status == RefundStatus.PENDING.value,
                PayRefund.id != refund.id,
            )
        ).scalar_one()
        if not pending:
            if order.refunded_amount == order.order_amount:
                move_order(order, OrderStatus.FULL_REFUNDED)
            elif order.refunded_amount > 0:
                move_order(order, OrderStatus.REFUNDED)
            else:
                move_order(order, OrderStatus.PAID)
        add_event(
            session,
            order.prepay_id,
            now,
            "refund",
            refundRequestId=refund.refund_request_id,
            status=refund.status,
            reason=reject,
        )
        data = self.notices.order_notification(order)
        data["transactTime"] = now
        data["refundInfo"] = {
            "refundRequestId": refund.refund_request_id,
            "prepayId": order.prepay_id,
            "orderAmount": Decimal(amount_text(order.order_amount)),
            "refundedAmount": Decimal(amount_text(order.refunded_amount)),
            "refundAmount": Decimal(amount_text(refund.refund_amount)),
            "remainingAttempts": MAX_REFUND_ATTEMPTS - order.refund_attempts,
            "payerOpenId": open_user_id(order.merchant_id, order.payer_user_id or ""),
            "duplicateRequest": False,
        }
        webhooks.send(
            session,
            url=self.notices.webhook_url_for(
                session, order.merchant_id, refund.webhook_url, order.webhook_url
            ),
            merchant_id=order.merchant_id,
            ref=order.prepay_id,
            biz_type="PAY_REFUND",
            biz_id=order.prepay_id,
            biz_status="REFUND_REJECTED" if reject else "REFUND_SUCCESS",
            data=data,
            now=now,
            max_attempts=self.notices.attempts,
        )
