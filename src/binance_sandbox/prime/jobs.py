"""The order lifecycle after execute (guide §6, §7, §9), run by the delivery worker; the
order moves along `lifecycle.ORDER`.

- `prime.check` (buy): Check Transaction until COMPLETED/FAILED or the deadline.
- `prime.settle` (sell): fill at once; the crypto was taken at execute.
- `prime.refund` (buy failed after the fiat arrived): Refund, then its status, until final.
- `prime.transfer` (sell filled): Transfer, then its status, until final.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from binance_sandbox.delivery.worker import Handler, JobContext, Outcome
from binance_sandbox.ledger import money
from binance_sandbox.market import FIATS
from binance_sandbox.platform import Platform
from binance_sandbox.prime import merchant_api
from binance_sandbox.prime.lifecycle import (
    FIAT_CHECK_FINAL,
    MERCHANT_STEP_FINAL,
    ORDER,
    FiatCheck,
)
from binance_sandbox.prime.service_settlement import SettlementService
from binance_sandbox.prime.service_shared import add_event, locked_order
from binance_sandbox.storage.models import Partner, PrimeOrder


def _order_and_partner(session: Session, order_id: str) -> tuple[PrimeOrder, Partner] | None:
    row = session.execute(
        select(PrimeOrder, Partner)
        .join(Partner, Partner.id == PrimeOrder.partner_id)
        .where(PrimeOrder.order_id == order_id)
    ).first()
    return None if row is None else (row[0], row[1])


def prime_handlers(platform: Platform, service: SettlementService) -> dict[str, Handler]:
    settings = platform.settings

    async def load(order_id: str) -> tuple[PrimeOrder, Partner] | None:
        return await platform.db.run_read(_order_and_partner, order_id)

    def fiat_amount(order: PrimeOrder) -> str:
        return money.fmt(order.fiat_amount, FIATS[order.fiat_currency].precision)

    async def check(ctx: JobContext) -> Outcome:
        loaded = await load(ctx.payload["orderId"])
        if loaded is None:
            return Outcome.failed("order not found")
        order, partner = loaded
        if ORDER.is_terminal(order.status):
            return Outcome.done()
        answer = await merchant_api.call(
            ctx,
            platform.keys,
            partner,
            "/check-transaction",
            {
                "orderId": order.order_id,
                "clientOrderId": order.client_order_id,
                "userId": order.user_id,
                "fiatCurrency": order.fiat_currency,
                "fiatAmount": fiat_amount(order),
            },
        )
        status: str | None
        transaction_id: Any
        problem: str | None
        if answer.problem == merchant_api.NO_MERCHANT_API:
            # No merchant API registered: the sandbox takes the fiat as received.
            status, transaction_id, problem = FiatCheck.COMPLETED.value, None, None
        else:
            status = answer.data["status"] if answer.data else None
            transaction_id = answer.data.get("transactionId") if answer.data else None
            problem = answer.problem

        def settle(session: Session, now: int) -> None:
            current = locked_order(session, order.order_id)
            if current is None or ORDER.is_terminal(current.status):
                return
            current.check_status = status
            if transaction_id is not None:
                current.transaction_id = str(transaction_id)[:128]
            add_event(
                session, order.order_id, now, "check_transaction", status=status, problem=problem
            )
            if status == FiatCheck.COMPLETED:
                if now <= current.quote_expired_at:
                    service.fill(session, current, now)
                else:
                    # Guide §6 step 5: the quote expired after the fiat arrived → refund it.
                    service.fail(session, current, now, "QUOTE_EXPIRED_AFTER_FIAT", refund=True)
            elif status == FiatCheck.FAILED:
                service.fail(session, current, now, "FIAT_TRANSFER_FAILED", refund=False)
            elif now >= current.create_time + settings.check_deadline_ms:
                service.fail(session, current, now, "FIAT_NOT_RECEIVED", refund=False)

        if status in FIAT_CHECK_FINAL or ctx.now >= order.create_time + settings.check_deadline_ms:
            return Outcome.done(apply=settle)
        return Outcome.retry(
            problem or f"fiat {status or 'unknown'}",
            at=ctx.now + settings.check_interval_ms,
            apply=settle,
        )

    async def settle_sell(ctx: JobContext) -> Outcome:
        order_id = ctx.payload["orderId"]

        def apply(session: Session, now: int) -> None:
            current = locked_order(session, order_id)
            if current is not None and not ORDER.is_terminal(current.status):
                service.fill(session, current, now)

        return Outcome.done(apply=apply)

    def merchant_step(kind: str) -> Handler:
        """Refund (buy) or Transfer (sell): request once, then query until final."""
        id_field, prefix = ("refundId", "R-") if kind == "refund" else ("transferId", "T-")
        status_attr, ref_attr = f"{kind}_status", f"{kind}_reference"

        async def handle(ctx: JobContext) -> Outcome:
            loaded = await load(ctx.payload["orderId"])
            if loaded is None:
                return Outcome.failed("order not found")
            order, partner = loaded
            step_id = prefix + order.order_id
            previous = getattr(order, status_attr)
            if previous in MERCHANT_STEP_FINAL:
                return Outcome.done()
            body: dict[str, Any]
            if previous is None:
                path = f"/{kind}"
                body = {
                    id_field: step_id,
                    "orderId": order.order_id,
                    "clientOrderId": order.client_order_id,
                    "userId": order.user_id,
                    "fiatCurrency": order.fiat_currency,
                    "fiatAmount": fiat_amount(order),
                }
                if kind == "refund":
                    body["reason"] = order.fail_reason
            else:
                path, body = f"/{kind}/query", {id_field: step_id}
            answer = await merchant_api.call(ctx, platform.keys, partner, path, body)
            status = answer.data["status"] if answer.data else None
            reference = answer.data.get(f"{kind}Reference") if answer.data else None

            def record(session: Session, now: int) -> None:
                current = locked_order(session, order.order_id)
                if current is None or status is None:
                    return
                setattr(current, status_attr, status)
                if reference is not None:
                    setattr(current, ref_attr, str(reference)[:128])
                add_event(session, order.order_id, now, kind, status=status, reference=reference)

            if status in MERCHANT_STEP_FINAL:
                return Outcome.done(apply=record)
            return Outcome.retry(
                answer.problem or f"{kind} {status}",
                at=ctx.now + settings.merchant_poll_interval_ms,
                apply=record,
            )

        return handle

    return {
        "prime.check": check,
        "prime.settle": settle_sell,
        "prime.refund": merchant_step("refund"),
        "prime.transfer": merchant_step("transfer"),
    }
