"""Batch payouts (docs/binance-pay.md "payout/transfer", "payout/query").

The whole batch leaves the merchant's wallets into an escrow when it is accepted, so a batch
can never overdraw the merchant; the worker then pays each receiver from the escrow, and
what cannot be paid goes back to the merchant.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
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
from binance_sandbox.market import CRYPTOS
from binance_sandbox.pay import errors, schemas, webhooks
from binance_sandbox.pay.auth import MerchantAuth
from binance_sandbox.pay.lifecycle import (
    DETAIL,
    DETAIL_FAILED,
    DETAIL_OPEN,
    PAYOUT,
    DetailStatus,
    PayoutStatus,
)
from binance_sandbox.pay.service_notices import OrderNotices
from binance_sandbox.pay.service_shared import FUNDING, PAY_CURRENCIES, SPOT, add_event
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import PayPayout, PayPayoutDetail, User

PAYOUT_ESCROW = "pay:payouts"
AWAIT_MS = 72 * 3_600_000  # docs: the receiver has 72 h to create an account
AWAIT_CHECK_MS = 3_600_000
SOURCE_WALLET = {"FUNDING_WALLET": FUNDING, "SPOT_WALLET": SPOT}


def _num(units: int) -> Decimal:
    return money.from_units(units).normalize()


class PayoutService:
    def __init__(self, platform: Platform, notices: OrderNotices) -> None:
        self.p = platform
        self.notices = notices

    async def create(self, merchant: MerchantAuth, req: schemas.Payout) -> dict[str, Any]:
        if req.currency not in (*PAY_CURRENCIES, *CRYPTOS):
            raise errors.InvalidParamWrongValue(f"currency {req.currency} is not a payable crypto.")
        details = req.transferDetailList
        if req.totalNumber != len(details):
            raise errors.InvalidParamWrongValue(
                "totalNumber must equal the number of transferDetailList items."
            )
        total = sum((d.transferAmount for d in details), Decimal(0))
        if total != req.totalAmount:
            raise errors.InvalidParamWrongValue(
                f"totalAmount {req.totalAmount} must equal the sum of transferAmount ({total})."
            )
        if len({d.merchantSendId for d in details}) != len(details):
            raise errors.InvalidParamWrongValue("merchantSendId must be unique within the batch.")
        now = self.p.clock.now_ms()
        try:
            await self.p.db.run_write(self._create, merchant, req, now)
        except IntegrityError as exc:
            raise errors.InvalidParamWrongValue(
                f"requestId {req.requestId} was already used."
            ) from exc
        return {"requestId": req.requestId, "status": PayoutStatus.ACCEPTED.value}

    def _create(
        self, session: Session, merchant: MerchantAuth, req: schemas.Payout, now: int
    ) -> None:
        """`create`'s unit of work (`Database.run_write`)."""
        existing = self._find(session, merchant.merchant_id, req.requestId)
        if existing is not None:
            raise errors.InvalidParamWrongValue(f"requestId {req.requestId} was already used.")
        payout = PayPayout(
            payout_id=self.p.ids.digits(16),
            request_id=req.requestId,
            merchant_id=merchant.merchant_id,
            batch_name=req.batchName,
            currency=req.currency,
            total_amount=money.to_units(req.totalAmount),
            total_number=req.totalNumber,
            biz_scene=req.bizScene,
            webhook_url=req.webhookUrl,
            status=PayoutStatus.ACCEPTED.value,
            created_at=now,
        )
        session.add(payout)
        session.flush()
        # Each source wallet pays its part into the escrow now (docs: transferMethod
        # is the merchant wallet the detail is paid from).
        by_wallet: dict[str, int] = {}
        for d in req.transferDetailList:
            units = money.to_units(d.transferAmount)
            by_wallet[d.transferMethod] = by_wallet.get(d.transferMethod, 0) + units
            session.add(
                PayPayoutDetail(
                    detail_id=self.p.ids.digits(18),
                    payout_id=payout.payout_id,
                    merchant_send_id=d.merchantSendId,
                    receive_type=d.receiveType,
                    receiver=d.receiver,
                    amount=units,
                    transfer_method=d.transferMethod,
                    remark=d.remark,
                    status=DetailStatus.PROCESSING.value,
                )
            )
        for method, units in sorted(by_wallet.items()):
            try:
                with session.begin_nested():
                    post(
                        session,
                        "pay_payout_hold",
                        transfer(
                            user_account(merchant.merchant_id, req.currency, SOURCE_WALLET[method]),
                            system_account(PAYOUT_ESCROW, req.currency),
                            units,
                        ),
                        at=now,
                        ref_type="pay_payout",
                        ref_id=payout.payout_id,
                    )
            except InsufficientBalance as exc:
                raise errors.AccountRemainingAmountNotEnough(
                    f"The merchant's {method} holds too little {req.currency} for this batch."
                ) from exc
        add_event(
            session,
            payout.payout_id,
            now,
            "accepted",
            status=payout.status,
            requestId=req.requestId,
        )
        enqueue(
            session,
            kind="pay.payout",
            family="pay",
            payload={"payoutId": payout.payout_id},
            due_at=now,
            now=now,
            max_attempts=20,
            owner=merchant.merchant_id,
            ref=payout.payout_id,
        )

    def _find(self, session: Session, merchant_id: str, request_id: str) -> PayPayout | None:
        return session.execute(
            select(PayPayout).where(
                PayPayout.merchant_id == merchant_id, PayPayout.request_id == request_id
            )
        ).scalar_one_or_none()

    async def query(self, merchant: MerchantAuth, req: schemas.PayoutQuery) -> dict[str, Any]:
        wanted = req.detailStatus or ["ALL"]
        if isinstance(wanted, str):
            wanted = [wanted]
        statuses: set[DetailStatus] = set()
        for w in wanted:
            statuses |= {
                "ALL": set(DetailStatus),
                "PROCESSING": DETAIL_OPEN,
                "SUCCESS": {DetailStatus.SUCCESS},
                "FAIL": DETAIL_FAILED,
            }[w]
        async with self.p.db.read() as session:
            payout = await session.run_sync(self._find, merchant.merchant_id, req.requestId)
            if payout is None:
                raise errors.OrderNotFound(f"No payout {req.requestId}.")
            details = list(
                (
                    await session.execute(
                        select(PayPayoutDetail)
                        .where(PayPayoutDetail.payout_id == payout.payout_id)
                        .order_by(PayPayoutDetail.id)
                    )
                ).scalars()
            )
        paid = sum(d.amount for d in details if d.status == DetailStatus.SUCCESS)
        return {
            "requestId": payout.request_id,
            "batchStatus": payout.status,
            "merchantId": int(payout.merchant_id),
            "currency": payout.currency,
            "totalAmount": _num(payout.total_amount),
            "totalPaidAmount": _num(paid),
            "totalPayoutFee": Decimal(0),
            "totalNumber": payout.total_number,
            "transferDetailList": [
                {
                    "orderId": int(d.detail_id),
                    "merchantSendId": d.merchant_send_id,
                    "payerId": int(payout.merchant_id),
                    "amount": format(_num(d.amount), "f"),
                    "receiveType": d.receive_type,
                    "receiver": d.receiver,
                    "payeeId": int(d.receiver_user_id) if d.receiver_user_id else None,
                    "transferMethod": d.transfer_method,
                    "status": d.status,
                    "remark": d.remark,
                }
                for d in details
                if d.status in statuses
            ],
        }

    def _receiver(self, session: Session, detail: PayPayoutDetail) -> str | None:
        column = {"PAY_ID": User.pay_id, "BINANCE_ID": User.user_id, "EMAIL": User.email}[
            detail.receive_type
        ]
        value = (
            detail.receiver.strip().lower()
            if detail.receive_type == "EMAIL"
            else detail.receiver.strip()
        )
        found = session.execute(select(User.user_id).where(column == value)).scalar_one_or_none()
        return str(found) if found is not None else None

    def process(self, session: Session, payout_id: str, now: int) -> None:
        """Settle every detail that can be settled now, then the batch's status."""
        payout = session.execute(
            select(PayPayout).where(PayPayout.payout_id == payout_id).with_for_update()
        ).scalar_one_or_none()
        if payout is None or PAYOUT.is_terminal(payout.status):
            return
        details = list(
            session.execute(
                select(PayPayoutDetail)
                .where(PayPayoutDetail.payout_id == payout_id)
                .order_by(PayPayoutDetail.id)
            ).scalars()
        )
        escrow = system_account(PAYOUT_ESCROW, payout.currency)
        before = payout.status
        if payout.status == PayoutStatus.ACCEPTED:
            payout.status = PAYOUT.move(payout.status, PayoutStatus.PROCESSING).value
            self._webhook(session, payout, now)
        awaiting = False
        for d in details:
            if DETAIL.is_terminal(d.status):
                continue
            receiver = self._receiver(session, d)
            if receiver is not None and receiver != payout.merchant_id:
                post(
                    session,
                    "pay_payout",
                    transfer(escrow, user_account(receiver, payout.currency, FUNDING), d.amount),
                    at=now,
                    ref_type="pay_payout",
                    ref_id=payout_id,
                )
                d.status = DETAIL.move(d.status, DetailStatus.SUCCESS).value
                d.receiver_user_id = receiver
            elif (
                d.receive_type == "EMAIL"
                and receiver is None
                and now < payout.created_at + AWAIT_MS
            ):
                d.status = DETAIL.move(d.status, DetailStatus.AWAITING_RECEIPT).value
                awaiting = True
            else:
                back = user_account(
                    payout.merchant_id, payout.currency, SOURCE_WALLET[d.transfer_method]
                )
                post(
                    session,
                    "pay_payout_return",
                    transfer(escrow, back, d.amount),
                    at=now,
                    ref_type="pay_payout",
                    ref_id=payout_id,
                )
                returned = (
                    DetailStatus.REFUNDED
                    if d.status == DetailStatus.AWAITING_RECEIPT
                    else DetailStatus.FAIL
                )
                d.status = DETAIL.move(d.status, returned).value
                d.fail_reason = "receiver is the merchant" if receiver else "receiver not found"
        states = {d.status for d in details}
        if states == {DetailStatus.SUCCESS}:
            batch = PayoutStatus.SUCCESS
        elif states <= DETAIL_FAILED:
            batch = PayoutStatus.FAILED
        else:
            batch = PayoutStatus.PART_SUCCESS
        if batch != payout.status:
            payout.status = PAYOUT.move(payout.status, batch).value
        if PAYOUT.is_terminal(payout.status) or not awaiting:
            payout.finished_at = now
        if payout.status != before:
            add_event(session, payout_id, now, "batch", status=payout.status)
            self._webhook(session, payout, now)
        if awaiting:
            enqueue(
                session,
                kind="pay.payout",
                family="pay",
                payload={"payoutId": payout_id},
                due_at=now + AWAIT_CHECK_MS,
                now=now,
                max_attempts=5,
                owner=payout.merchant_id,
                ref=payout_id,
            )

    def _webhook(self, session: Session, payout: PayPayout, now: int) -> None:
        webhooks.send(
            session,
            url=self.notices.webhook_url_for(session, payout.merchant_id, payout.webhook_url),
            merchant_id=payout.merchant_id,
            ref=payout.payout_id,
            biz_type="PAYOUT",
            biz_id=payout.payout_id,
            biz_status=payout.status,
            data={
                "requestId": payout.request_id,
                "batchStatus": payout.status,
                "merchantId": int(payout.merchant_id),
                "currency": payout.currency,
                "totalAmount": _num(payout.total_amount),
                "totalNumber": payout.total_number,
            },
            now=now,
            max_attempts=self.notices.attempts,
        )
