"""What the control API and the console do for Binance Pay: merchants onboarded and edited,
orders with their refunds and timeline, a refund refused by hand, payouts with their
details. Errors are the control API's own."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.admin_errors import Conflict, NotFound
from binance_sandbox.admin_fields import checked_url, masked, whitelist_json
from binance_sandbox.ledger import money
from binance_sandbox.pay import admin_schemas as schemas
from binance_sandbox.pay.auth import MerchantDirectory
from binance_sandbox.pay.lifecycle import RefundStatus
from binance_sandbox.pay.service_checkout import CheckoutService
from binance_sandbox.pay.service_notices import OrderNotices
from binance_sandbox.pay.service_refunds import RefundService
from binance_sandbox.platform import Platform
from binance_sandbox.storage import test_clocks
from binance_sandbox.storage.models import (
    Merchant,
    OrderEvent,
    PayOrder,
    PayPayout,
    PayPayoutDetail,
    PayRefund,
    User,
)


def amount(units: int) -> str:
    return format(money.from_units(units).normalize(), "f")


def merchant_out(m: Merchant) -> dict[str, Any]:
    return {
        "merchantId": m.merchant_id,
        "name": m.name,
        "webhookUrl": m.webhook_url,
        "ipWhitelist": json.loads(m.ip_whitelist),
        "directDebitWhitelisted": m.direct_debit_whitelisted,
        "active": m.active,
        "createdAt": m.created_at,
        "credentialsIssuedAt": m.credentials_issued_at or m.created_at,
        "testClockId": m.test_clock_id,
    }


def payout_out(p: PayPayout) -> dict[str, Any]:
    return {
        "payoutId": p.payout_id,
        "requestId": p.request_id,
        "merchantId": p.merchant_id,
        "batchName": p.batch_name,
        "currency": p.currency,
        "totalAmount": amount(p.total_amount),
        "totalNumber": p.total_number,
        "bizScene": p.biz_scene,
        "status": p.status,
        "createdAt": p.created_at,
        "finishedAt": p.finished_at,
    }


async def find_merchant(session: AsyncSession, merchant_id: str) -> Merchant:
    found = (
        await session.execute(select(Merchant).where(Merchant.merchant_id == merchant_id))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"No merchant {merchant_id}.")
    return found


async def _timeline(session: AsyncSession, ref: str) -> list[dict[str, Any]]:
    events = (
        await session.execute(
            select(OrderEvent).where(OrderEvent.order_ref == ref).order_by(OrderEvent.id)
        )
    ).scalars()
    return [{"at": e.at, "kind": e.kind, "detail": json.loads(e.detail)} for e in events]


class PayAdmin:
    def __init__(
        self,
        platform: Platform,
        merchants: MerchantDirectory,
        *,
        notices: OrderNotices,
        checkout: CheckoutService,
        refunds: RefundService,
    ) -> None:
        self.p = platform
        self.merchants = merchants
        self.notices = notices
        self.checkout = checkout
        self.refunds = refunds

    # -- merchants ------------------------------------------------------------------------

    async def create_merchant(self, req: schemas.MerchantCreate) -> dict[str, Any]:
        now = self.p.clock.now_ms()
        merchant_id = req.merchantId or self.p.ids.digits(9)
        merchant = Merchant(
            merchant_id=merchant_id,
            name=req.name,
            api_key=req.apiKey or self.p.ids.alnum(64).lower(),
            api_secret=req.apiSecret or self.p.ids.secret(64).lower(),
            webhook_url=checked_url(req.webhookUrl, "webhookUrl"),
            ip_whitelist=whitelist_json(req.ipWhitelist),
            direct_debit_whitelisted=req.directDebitWhitelisted,
            active=True,
            created_at=now,
            test_clock_id=req.testClockId,
        )
        try:
            async with self.p.db.write() as session:
                clock_now = await test_clocks.now_of(session, req.testClockId)
                merchant.created_at = clock_now or now
                # The merchant's own Binance account: its wallets hold the Pay balance.
                session.add(
                    User(
                        user_id=merchant_id,
                        email=f"merchant{merchant_id}@sandbox.test",
                        pay_id=self.p.ids.digits(9),
                        created_at=merchant.created_at,
                        test_clock_id=req.testClockId,
                    )
                )
                session.add(merchant)
        except IntegrityError as exc:
            raise Conflict("A merchant or user with that merchantId or apiKey exists.") from exc
        self.merchants.invalidate()
        return {
            **merchant_out(merchant),
            "apiKey": merchant.api_key,
            "apiSecret": merchant.api_secret,
        }

    async def update_merchant(
        self, merchant_id: str, req: schemas.MerchantUpdate
    ) -> dict[str, Any]:
        async with self.p.db.write() as session:
            m = await find_merchant(session, merchant_id)
            fields = req.model_fields_set
            if "name" in fields and req.name:
                m.name = req.name
            if "webhookUrl" in fields:
                m.webhook_url = checked_url(req.webhookUrl, "webhookUrl")
            if "ipWhitelist" in fields:
                m.ip_whitelist = whitelist_json(req.ipWhitelist or [])
            if "directDebitWhitelisted" in fields and req.directDebitWhitelisted is not None:
                m.direct_debit_whitelisted = req.directDebitWhitelisted
            if "active" in fields and req.active is not None:
                m.active = req.active
            out = merchant_out(m)
        self.merchants.invalidate()
        return out

    async def rotate_merchant(self, merchant_id: str) -> dict[str, Any]:
        """A new apiKey and apiSecret; the old key is unknown from now on (400004)."""
        now = self.p.clock.now_ms()
        try:
            async with self.p.db.write() as session:
                merchant = await find_merchant(session, merchant_id)
                old_key = merchant.api_key
                merchant.api_key = self.p.ids.alnum(64).lower()
                merchant.api_secret = self.p.ids.secret(64).lower()
                merchant.credentials_issued_at = now
                out = {
                    **merchant_out(merchant),
                    "apiKey": merchant.api_key,
                    "apiSecret": merchant.api_secret,
                }
        except IntegrityError as exc:
            raise Conflict("The new apiKey collided with another merchant's; retry.") from exc
        self.merchants.invalidate(old_key)
        self.merchants.invalidate(out["apiKey"])
        return out

    async def credentials(self, owner: str | None) -> list[dict[str, Any]]:
        """Merchants' API keys (of one merchantId), without the secret."""
        stmt = select(Merchant).order_by(Merchant.id)
        if owner:
            stmt = stmt.where(Merchant.merchant_id == owner)
        async with self.p.db.read() as session:
            return [
                {
                    "kind": "merchant",
                    "credential": "apiKey + apiSecret",
                    "ref": m.merchant_id,
                    "owner": m.merchant_id,
                    "ownerName": m.name,
                    "masked": masked(m.api_key, 8),
                    "issuedAt": m.credentials_issued_at or m.created_at,
                    "status": "active" if m.active else "inactive",
                }
                for m in (await session.execute(stmt)).scalars()
            ]

    async def merchants_list(self) -> list[dict[str, Any]]:
        async with self.p.db.read() as session:
            rows = (await session.execute(select(Merchant).order_by(Merchant.id))).scalars()
            return [merchant_out(m) for m in rows]

    async def merchant(self, merchant_id: str) -> dict[str, Any]:
        async with self.p.db.read() as session:
            return merchant_out(await find_merchant(session, merchant_id))

    # -- orders and refunds -----------------------------------------------------------------

    async def orders(
        self, *, merchant_id: str | None, status: str | None, limit: int
    ) -> list[dict[str, Any]]:
        stmt = select(PayOrder)
        if merchant_id:
            stmt = stmt.where(PayOrder.merchant_id == merchant_id)
        if status:
            stmt = stmt.where(PayOrder.status == status)
        async with self.p.db.read() as session:
            rows = (
                await session.execute(stmt.order_by(PayOrder.create_time.desc()).limit(limit))
            ).scalars()
            return [self.notices.order_out(o) for o in rows]

    async def order(self, prepay_id: str) -> dict[str, Any]:
        async with self.p.db.read() as session:
            order = (
                await session.execute(select(PayOrder).where(PayOrder.prepay_id == prepay_id))
            ).scalar_one_or_none()
            if order is None:
                raise NotFound(f"No Pay order {prepay_id}.")
            refunds = (
                await session.execute(
                    select(PayRefund).where(PayRefund.prepay_id == prepay_id).order_by(PayRefund.id)
                )
            ).scalars()
            return {
                **self.notices.order_out(order),
                "expireTime": order.expire_time,
                "refunds": [
                    {
                        "refundRequestId": r.refund_request_id,
                        "refundAmount": amount(r.refund_amount),
                        "status": r.status,
                    }
                    for r in refunds
                ],
                "timeline": await _timeline(session, prepay_id),
            }

    async def pay_as_user(self, prepay_id: str, payer_user_id: str) -> dict[str, Any]:
        """Act as the payer: the user pays the order from their balance."""
        result: dict[str, Any] = await self.checkout.pay(prepay_id, payer_user_id)
        return result

    async def reject_refund(self, req: schemas.RefundReject) -> dict[str, Any]:
        now = self.p.clock.now_ms()
        async with self.p.db.write() as session:
            refund_id = (
                await session.execute(
                    select(PayRefund.id).where(
                        PayRefund.merchant_id == req.merchantId,
                        PayRefund.refund_request_id == req.refundRequestId,
                    )
                )
            ).scalar_one_or_none()
            if refund_id is None:
                raise NotFound(f"No refund {req.refundRequestId} of merchant {req.merchantId}.")
            await session.run_sync(
                self.refunds.settle_refund,
                refund_id,
                now,
                reject=req.reason or "REJECTED_BY_OPERATOR",
            )
        return {"refundRequestId": req.refundRequestId, "refundStatus": RefundStatus.FAIL.value}

    # -- payouts ----------------------------------------------------------------------------

    async def payouts(
        self, *, merchant_id: str | None, status: str | None, limit: int
    ) -> list[dict[str, Any]]:
        stmt = select(PayPayout)
        if merchant_id:
            stmt = stmt.where(PayPayout.merchant_id == merchant_id)
        if status:
            stmt = stmt.where(PayPayout.status == status)
        stmt = stmt.order_by(PayPayout.created_at.desc(), PayPayout.payout_id).limit(limit)
        async with self.p.db.read() as session:
            return [payout_out(p) for p in (await session.execute(stmt)).scalars()]

    async def payout(self, payout_id: str) -> dict[str, Any]:
        """A payout with its details and timeline."""
        async with self.p.db.read() as session:
            p = (
                await session.execute(select(PayPayout).where(PayPayout.payout_id == payout_id))
            ).scalar_one_or_none()
            if p is None:
                raise NotFound(f"No Pay payout {payout_id}.")
            details = (
                await session.execute(
                    select(PayPayoutDetail)
                    .where(PayPayoutDetail.payout_id == payout_id)
                    .order_by(PayPayoutDetail.id)
                )
            ).scalars()
            return {
                **payout_out(p),
                "details": [
                    {
                        "detailId": d.detail_id,
                        "merchantSendId": d.merchant_send_id,
                        "receiveType": d.receive_type,
                        "receiver": d.receiver,
                        "receiverUserId": d.receiver_user_id,
                        "amount": amount(d.amount),
                        "transferMethod": d.transfer_method,
                        "status": d.status,
                        "failReason": d.fail_reason,
                    }
                    for d in details
                ],
                "timeline": await _timeline(session, payout_id),
            }
