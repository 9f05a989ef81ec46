"""How a Connect Prime order ends: filled with the ledger entries of guide §6/§7, or failed
(a sell's crypto released); the partner's webhook and merchant-side jobs go out. Called by
the lifecycle jobs and by operators."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from binance_sandbox.connect import errors as connect_errors
from binance_sandbox.delivery.outbox import enqueue, enqueue_webhook
from binance_sandbox.delivery.webhooks import success_return_code
from binance_sandbox.ledger.service import (
    PLATFORM,
    Leg,
    post,
    system_account,
    transfer,
    user_account,
)
from binance_sandbox.platform import Platform
from binance_sandbox.prime import errors
from binance_sandbox.prime.lifecycle import ORDER, OrderStatus
from binance_sandbox.prime.service_shared import (
    FAMILY,
    PRIME_LOCKED,
    add_event,
    fiat_rails,
    locked_order,
    order_out,
    partner_of,
    revenue_account,
    webhook_body,
)
from binance_sandbox.storage.models import PrimeOrder

# A partner as `partner_of` reads it.
PartnerRow = Row[str, str | None]


class SettlementService:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    def fill(self, session: Session, order: PrimeOrder, now: int) -> None:
        """PROCESSING → FILLED, with the ledger entries of guide §6/§7 and the webhook."""
        partner = partner_of(session, order.partner_id)
        fiat, crypto = order.fiat_currency, order.crypto_currency
        platform_fiat = system_account(PLATFORM, fiat)
        revenue = revenue_account(partner.client_id, fiat)
        spread = order.spread_amount
        # The crypto entry first in both directions, so that a buy and a sell settling at
        # once lock the platform's accounts in the same order (no deadlock on PostgreSQL).
        if order.direction == "BUY":
            post(
                session,
                "prime_buy",
                transfer(
                    system_account(PLATFORM, crypto),
                    user_account(order.user_id, crypto),
                    order.crypto_amount,
                ),
                at=now,
                ref_type="prime_order",
                ref_id=order.order_id,
            )
            # The partner's fiat arrives; the spread is the partner's (guide §6 step 4).
            legs = [
                Leg(fiat_rails(fiat), -order.fiat_amount),
                Leg(platform_fiat, order.fiat_amount - spread),
            ]
            if spread:
                legs.append(Leg(revenue, spread))
            post(session, "fiat_in", legs, at=now, ref_type="prime_order", ref_id=order.order_id)
        else:
            post(
                session,
                "prime_sell",
                transfer(
                    user_account(order.user_id, crypto, PRIME_LOCKED),
                    system_account(PLATFORM, crypto),
                    order.crypto_amount,
                ),
                at=now,
                ref_type="prime_order",
                ref_id=order.order_id,
            )
            legs = [
                Leg(platform_fiat, -(order.fiat_amount + spread)),
                Leg(fiat_rails(fiat), order.fiat_amount),
            ]
            if spread:
                legs.append(Leg(revenue, spread))
            post(session, "fiat_out", legs, at=now, ref_type="prime_order", ref_id=order.order_id)
        order.status = ORDER.move(order.status, OrderStatus.FILLED).value
        order.settle_time = now
        add_event(session, order.order_id, now, "filled", status=order.status)
        self._webhook(session, partner, order, now)
        if order.direction == "SELL":
            self._enqueue_merchant_job(session, partner, order, "prime.transfer", now)

    def fail(
        self, session: Session, order: PrimeOrder, now: int, reason: str, *, refund: bool
    ) -> None:
        partner = partner_of(session, order.partner_id)
        if order.direction == "SELL":
            post(
                session,
                "prime_sell_release",
                transfer(
                    user_account(order.user_id, order.crypto_currency, PRIME_LOCKED),
                    user_account(order.user_id, order.crypto_currency),
                    order.crypto_amount,
                ),
                at=now,
                ref_type="prime_order",
                ref_id=order.order_id,
            )
        order.status = ORDER.move(order.status, OrderStatus.FAILED).value
        order.settle_time = now
        order.fail_reason = reason
        add_event(session, order.order_id, now, "failed", status=order.status, reason=reason)
        self._webhook(session, partner, order, now)
        if refund:
            self._enqueue_merchant_job(session, partner, order, "prime.refund", now)

    def _webhook(self, session: Session, partner: PartnerRow, order: PrimeOrder, now: int) -> None:
        if not partner.webhook_url:
            add_event(session, order.order_id, now, "webhook_skipped", reason="no webhookUrl")
            return
        item = enqueue_webhook(
            session,
            family=FAMILY,
            url=partner.webhook_url,
            body=webhook_body(order),
            signer={"scheme": "connect", "clientId": partner.client_id},
            success=success_return_code(),
            now=now,
            max_attempts=self.p.settings.webhook_max_attempts,
            owner=partner.client_id,
            ref=order.order_id,
            event="prime_order_event",
        )
        add_event(
            session, order.order_id, now, "webhook_queued", outboxId=item.id, status=order.status
        )

    def _enqueue_merchant_job(
        self, session: Session, partner: PartnerRow, order: PrimeOrder, kind: str, now: int
    ) -> None:
        enqueue(
            session,
            kind=kind,
            family=FAMILY,
            payload={"orderId": order.order_id},
            due_at=now,
            now=now,
            max_attempts=self.p.settings.merchant_max_attempts,
            owner=partner.client_id,
            ref=order.order_id,
        )

    async def operator_resolve(
        self, order_id: str, outcome: str, reason: str | None
    ) -> dict[str, Any]:
        """The control API's fill/fail of a PROCESSING order."""
        now = self.p.clock.now_ms()
        return await self.p.db.run_write(self._resolve, order_id, outcome, reason, now)

    def _resolve(
        self, session: Session, order_id: str, outcome: str, reason: str | None, now: int
    ) -> dict[str, Any]:
        order = locked_order(session, order_id)
        if order is None:
            raise connect_errors.IllegalParameters("Order does not exist.")
        target = OrderStatus.FILLED if outcome == "fill" else OrderStatus.FAILED
        if not ORDER.can(order.status, target):
            raise errors.InvalidOrderStatus(f"Order {order_id} is {order.status}, not PROCESSING.")
        if target is OrderStatus.FILLED:
            self.fill(session, order, now)
        else:
            self.fail(session, order, now, reason or "OPERATOR_FAILED", refund=False)
        return order_out(order)
