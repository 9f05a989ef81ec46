"""Pay work the delivery worker does: expire unpaid orders on the sandbox clock, settle
refunds, carry out payouts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from binance_sandbox.delivery.worker import Handler, JobContext, Outcome
from binance_sandbox.pay.payouts import PayoutService
from binance_sandbox.pay.service_checkout import CheckoutService
from binance_sandbox.pay.service_refunds import RefundService


def pay_handlers(
    checkout: CheckoutService, refunds: RefundService, payouts: PayoutService
) -> dict[str, Handler]:
    async def expire(ctx: JobContext) -> Outcome:
        prepay_id = ctx.payload["prepayId"]

        def apply(session: Session, now: int) -> None:
            checkout.expire(session, prepay_id, now)

        return Outcome.done(apply=apply)

    async def refund(ctx: JobContext) -> Outcome:
        refund_id = int(ctx.payload["refundId"])

        def apply(session: Session, now: int) -> None:
            refunds.settle_refund(session, refund_id, now)

        return Outcome.done(apply=apply)

    async def payout(ctx: JobContext) -> Outcome:
        payout_id = ctx.payload["payoutId"]

        def apply(session: Session, now: int) -> None:
            payouts.process(session, payout_id, now)

        return Outcome.done(apply=apply)

    return {"pay.expire": expire, "pay.refund": refund, "pay.payout": payout}
