"""What Pay tells a merchant about an order: its links, its answer, its webhooks."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from binance_sandbox.pay import webhooks
from binance_sandbox.pay.lifecycle import effective_status
from binance_sandbox.pay.service_shared import FUNDING, amount_text, open_user_id
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import Merchant, PayOrder


class OrderNotices:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    @property
    def attempts(self) -> int:
        return self.p.settings.pay_webhook_max_attempts

    def links(self, base_url: str, prepay_id: str, attach: str | None = None) -> dict[str, str]:
        base = (self.p.settings.public_base_url or base_url).rstrip("/")
        checkout = f"{base}/pay/checkout/{prepay_id}"
        universal = f"{base}/pay/universal/{prepay_id}" + (f"?{attach}" if attach else "")
        return {
            "qrcodeLink": f"{base}/pay/qr/{prepay_id}.svg",
            "qrContent": checkout,
            "checkoutUrl": checkout,
            "deeplink": f"{base}/pay/deeplink/{prepay_id}",
            "universalUrl": universal,
        }

    def order_out(self, order: PayOrder | Row[Any], now_ms: int | None = None) -> dict[str, Any]:
        """The order as the API shows it; given the time of the read, its status as of then
        (`lifecycle.effective_status`)."""
        # Both the docs' names and pay-openapi.txt's (orderStatus, totalFee, payerInfo).
        payer = order.payer_user_id
        status = (
            order.status
            if now_ms is None
            else effective_status(order.status, order.expire_time, now_ms)
        )
        return {
            "merchantId": int(order.merchant_id),
            "prepayId": order.prepay_id,
            "transactionId": order.transaction_id,
            "merchantTradeNo": order.merchant_trade_no,
            "status": status,
            "orderStatus": status,
            "currency": order.currency,
            "orderAmount": amount_text(order.order_amount),
            "totalFee": amount_text(order.order_amount),
            "openUserId": open_user_id(order.merchant_id, payer) if payer else None,
            "passThroughInfo": order.pass_through_info,
            "commission": "0",
            "transactTime": order.transact_time,
            "createTime": order.create_time,
            "paymentInfo": self.payment_info(order) if payer else None,
            "payerInfo": None,
        }

    def webhook_url_for(
        self, session: Session, merchant_id: str, *overrides: str | None
    ) -> str | None:
        for url in overrides:
            if url:
                return url
        return session.execute(
            select(Merchant.webhook_url).where(Merchant.merchant_id == merchant_id)
        ).scalar_one_or_none()

    def order_notification(self, order: PayOrder) -> dict[str, Any]:
        request = json.loads(order.request)
        goods = request.get("goods") or (request.get("goodsDetails") or [{}])[0]
        data: dict[str, Any] = {
            "merchantTradeNo": order.merchant_trade_no,
            "productType": goods.get("goodsCategory") or request.get("productType"),
            "productName": goods.get("goodsName")
            or request.get("productName")
            or request.get("description"),
            "transactTime": order.transact_time,
            "tradeType": order.terminal_type,
            "totalFee": Decimal(amount_text(order.order_amount)),
            "currency": order.currency,
        }
        if order.payer_user_id:
            data["openUserId"] = open_user_id(order.merchant_id, order.payer_user_id)
        if order.transaction_id:
            data["transactionId"] = order.transaction_id
        if order.pass_through_info is not None:
            data["passThroughInfo"] = order.pass_through_info
        data["commission"] = Decimal(0)
        if order.payer_user_id:
            data["paymentInfo"] = self.payment_info(order)
        return data

    def payment_info(self, order: PayOrder | Row[Any]) -> dict[str, Any]:
        return {
            "payMethod": order.payer_wallet or FUNDING,
            "paymentInstructions": [
                {
                    "currency": order.currency,
                    "amount": Decimal(amount_text(order.order_amount)),
                    "price": Decimal(1),
                }
            ],
        }

    def order_webhook(self, session: Session, order: PayOrder, status: str, now: int) -> None:
        webhooks.send(
            session,
            url=self.webhook_url_for(session, order.merchant_id, order.webhook_url),
            merchant_id=order.merchant_id,
            ref=order.prepay_id,
            biz_type="PAY",
            biz_id=order.prepay_id,
            biz_status=status,
            data=self.order_notification(order),
            now=now,
            max_attempts=self.attempts,
        )
