"""Pay orders: create, query and close (pay-create-order-v2/v3, pay-query-order,
pay-close-order). Rules and state changes, no HTTP.

Order states (NOTES.md): INITIAL → PENDING → PAID; INITIAL/PENDING → CANCELED (close) or
EXPIRED (on the sandbox clock); PAID → REFUNDING → REFUNDED (partly) / FULL_REFUNDED. Every
change goes through `move_order`, which refuses any move `lifecycle.ORDER` does not declare.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, Session

from binance_sandbox import wire
from binance_sandbox.delivery.outbox import outbox_item
from binance_sandbox.ledger import money
from binance_sandbox.market import PAY_FIATS, PriceUnavailable
from binance_sandbox.pay import errors, schemas
from binance_sandbox.pay.auth import MerchantAuth
from binance_sandbox.pay.lifecycle import ORDER, OrderStatus
from binance_sandbox.pay.service_notices import OrderNotices
from binance_sandbox.pay.service_shared import (
    DEFAULT_EXPIRY_MS,
    DIRECT_DEBIT_CURRENCIES,
    FAMILY,
    MAX_EXPIRY_MS,
    PAY_CURRENCIES,
    SUPPORT_PAY_CURRENCIES,
    add_event,
    amount_text,
    check_url,
    event_row,
    move_order,
)
from binance_sandbox.platform import Platform
from binance_sandbox.storage.core_insert import insert_new
from binance_sandbox.storage.models import PayOrder, SubMerchant


def _locked_statement(column: InstrumentedAttribute[str]) -> Select[PayOrder]:
    return (
        select(PayOrder)
        .where(PayOrder.merchant_id == bindparam("merchant_id"), column == bindparam("key"))
        .with_for_update()
    )


# An order, locked, by prepayId or merchantTradeNo (the order's close), the values bound at
# each call. Built once: making an ORM statement costs more than running it (SQLAlchemy
# caches the compiled SQL, not the statement).
_LOCKED_ORDER = {
    by_prepay_id: _locked_statement(column)
    for by_prepay_id, column in ((True, PayOrder.prepay_id), (False, PayOrder.merchant_trade_no))
}


# The same lookup as columns (`Database.rows`), for the order query: it changes nothing, and
# reads only what the answer shows (`OrderNotices.order_out`), not the order's stored request,
# URLs or refund bookkeeping.
_ORDER_OUT_COLUMNS = (
    PayOrder.merchant_id,
    PayOrder.prepay_id,
    PayOrder.transaction_id,
    PayOrder.merchant_trade_no,
    PayOrder.status,
    PayOrder.currency,
    PayOrder.order_amount,
    PayOrder.payer_user_id,
    PayOrder.payer_wallet,
    PayOrder.pass_through_info,
    PayOrder.transact_time,
    PayOrder.create_time,
    PayOrder.expire_time,
)
_QUERY_ORDER = {
    by_prepay_id: select(*_ORDER_OUT_COLUMNS).where(
        PayOrder.merchant_id == bindparam("merchant_id"), column == bindparam("key")
    )
    for by_prepay_id, column in ((True, PayOrder.prepay_id), (False, PayOrder.merchant_trade_no))
}


def _order_key(merchant: MerchantAuth, req: schemas.OrderRef) -> tuple[bool, dict[str, Any]]:
    """Which key finds the order (prepayId or merchantTradeNo), and the values to bind."""
    if not req.prepayId and not req.merchantTradeNo:
        raise errors.MandatoryParamEmptyOrMalformed("prepayId or merchantTradeNo is required.")
    # NOTES.md: prepayId wins over merchantTradeNo.
    by_prepay_id = bool(req.prepayId)
    key = req.prepayId if by_prepay_id else req.merchantTradeNo
    return by_prepay_id, {"merchant_id": merchant.merchant_id, "key": key}


class OrderService:
    def __init__(self, platform: Platform, notices: OrderNotices) -> None:
        self.p = platform
        self.notices = notices

    # -- create -----------------------------------------------------------------------------

    def _expiry(self, value: int | None, now: int) -> int:
        if value is None:
            return now + DEFAULT_EXPIRY_MS
        # Accepted as a duration ("how long an order is valid for", in ms) or, when it reads
        # as an epoch time, as the moment of expiry.
        expire = value if value > 10**12 else now + value
        if expire <= now or expire > now + MAX_EXPIRY_MS:
            raise errors.InvalidParamWrongValue(
                "orderExpireTime must be in the future and at most 15 days."
            )
        return expire

    def _amounts(
        self, req: schemas.CreateOrderCommon, now: int
    ) -> tuple[str, Decimal, str | None, Decimal | None]:
        if req.fiatCurrency is not None:
            if req.fiatCurrency not in PAY_FIATS:
                raise errors.InvalidParamWrongValue(
                    f"fiatCurrency {req.fiatCurrency} is not supported; "
                    f"supported: {', '.join(PAY_FIATS)}."
                )
            if req.fiatAmount is None:
                raise errors.MandatoryParamEmptyOrMalformed(
                    "fiatAmount is required with fiatCurrency."
                )
            try:
                price = self.p.market.price("USDT", req.fiatCurrency, now)
            except PriceUnavailable as exc:
                raise errors.UnknownError(
                    f"No USDT/{req.fiatCurrency} rate now; try again later."
                ) from exc
            # "Order currency will be set to USDT", converted at the market rate.
            amount = (req.fiatAmount / price).quantize(
                Decimal("0.00000001"), rounding=ROUND_HALF_UP
            )
            if amount <= 0:
                raise errors.InvalidParamWrongValue("fiatAmount is too small.")
            return "USDT", amount, req.fiatCurrency, req.fiatAmount
        if req.currency is None:
            raise errors.MandatoryParamEmptyOrMalformed(
                "currency and fiatCurrency cannot be both null."
            )
        if req.currency not in PAY_CURRENCIES:
            raise errors.InvalidParamWrongValue(
                f"currency {req.currency} is not accepted; only "
                f"{', '.join(PAY_CURRENCIES)} (fiat NOT supported)."
            )
        if req.orderAmount is None:
            raise errors.MandatoryParamEmptyOrMalformed("orderAmount is required with currency.")
        return req.currency, req.orderAmount, None, None

    def _direct_debit(
        self, merchant: MerchantAuth, req: schemas.CreateOrderCommon, currency: str, now: int
    ) -> None:
        contract = req.directDebitContract
        if contract is None:
            return
        if not merchant.direct_debit_whitelisted:
            raise errors.InvalidAccountStatus(
                "Direct debit is only available for whitelisted merchants."
            )
        if currency not in DIRECT_DEBIT_CURRENCIES:
            raise errors.InvalidParamWrongValue(
                "With directDebitContract the order currency must be BUSD or USDT."
            )
        if contract.periodic:
            for name in ("cycleDebitFixed", "cycleType", "cycleValue", "firstDeductTime"):
                if getattr(contract, name) is None:
                    raise errors.MandatoryParamEmptyOrMalformed(
                        f"directDebitContract.{name} is mandatory when periodic."
                    )
            value = contract.cycleValue or 0
            if contract.cycleType == "MONTH" and not 1 <= value <= 24:
                raise errors.InvalidParamWrongValue("cycleValue must be 1 to 24 for MONTH.")
            if contract.cycleType == "DAY" and value <= 7:
                raise errors.InvalidParamWrongValue("cycleValue must be more than 7 days for DAY.")
            if (contract.firstDeductTime or 0) <= now:
                raise errors.InvalidParamWrongValue("firstDeductTime must be in the future.")
        if (
            contract.contractEndTime is not None
            and not now < contract.contractEndTime <= now + 1095 * 86_400_000
        ):
            raise errors.InvalidParamWrongValue(
                "contractEndTime must be in the future and at most 1095 days."
            )

    async def create_order(
        self,
        merchant: MerchantAuth,
        req: schemas.CreateOrderCommon,
        *,
        version: str,
        raw: dict[str, Any],
        base_url: str,
    ) -> dict[str, Any]:
        now = self.p.clock.now_ms()
        if req.env.terminalType == "MINI_PROGRAM" and not req.appId:
            raise errors.MandatoryParamEmptyOrMalformed(
                "appId is required when terminalType is MINI_PROGRAM."
            )
        check_url(req.returnUrl, "returnUrl", one_param=True)
        check_url(req.cancelUrl, "cancelUrl", one_param=True)
        check_url(req.webhookUrl, "webhookUrl", one_param=False)
        currency, amount, fiat_currency, fiat_amount = self._amounts(req, now)
        if req.supportPayCurrency:
            unknown = [
                c
                for c in req.supportPayCurrency.split(",")
                if c.strip() not in SUPPORT_PAY_CURRENCIES
            ]
            if unknown:
                raise errors.InvalidParamWrongValue(
                    f"supportPayCurrency has unknown currencies: {', '.join(unknown)}."
                )
        self._direct_debit(merchant, req, currency, now)
        expire = self._expiry(req.orderExpireTime, now)
        sub_merchant = req.merchant.subMerchantId if req.merchant else None
        order = PayOrder(
            prepay_id=self.p.ids.digits(18),
            merchant_id=merchant.merchant_id,
            sub_merchant_id=sub_merchant,
            merchant_trade_no=req.merchantTradeNo,
            version=version,
            terminal_type=req.env.terminalType,
            currency=currency,
            order_amount=money.to_units(amount),
            fiat_currency=fiat_currency,
            fiat_amount=money.to_units(fiat_amount) if fiat_amount is not None else None,
            request=wire.dumps(raw),
            webhook_url=req.webhookUrl,
            return_url=req.returnUrl,
            cancel_url=req.cancelUrl,
            pass_through_info=req.passThroughInfo,
            status=OrderStatus.INITIAL.value,
            create_time=now,
            expire_time=expire,
            refunded_amount=0,
            refund_attempts=0,
        )
        rows = (
            order,
            event_row(order.prepay_id, now, "created", status=order.status, version=version),
            outbox_item(
                kind="pay.expire",
                family=FAMILY,
                payload={"prepayId": order.prepay_id},
                due_at=expire,
                now=now,
                max_attempts=20,
                owner=merchant.merchant_id,
                ref=order.prepay_id,
            ),
        )
        # A merchantTradeNo used before is refused by the unique constraint on
        # (merchant_id, merchant_trade_no): no query ahead of the insert.
        try:
            if sub_merchant is None:
                await self.p.db.insert(*rows)
            else:
                async with self.p.db.write() as session:
                    await self._check_sub_merchant(session, merchant, sub_merchant)
                    await insert_new(session, *rows)
        except IntegrityError as exc:
            raise errors.InvalidMerchantTradeNo(
                f"merchantTradeNo {req.merchantTradeNo} is duplicated."
            ) from exc
        links = self.notices.links(base_url, order.prepay_id, req.universalUrlAttach)
        data: dict[str, Any] = {
            "prepayId": order.prepay_id,
            "terminalType": order.terminal_type,
            "expireTime": order.expire_time,
            **links,
            "currency": currency,
            "totalFee": amount_text(order.order_amount),
        }
        if fiat_currency is not None and order.fiat_amount is not None:
            data["fiatCurrency"] = fiat_currency
            data["fiatAmount"] = amount_text(order.fiat_amount)
        return data

    async def _check_sub_merchant(
        self, session: AsyncSession, merchant: MerchantAuth, sub_id: str
    ) -> None:
        found = (
            await session.execute(
                select(SubMerchant.active).where(
                    SubMerchant.sub_merchant_id == sub_id,
                    SubMerchant.merchant_id == merchant.merchant_id,
                )
            )
        ).scalar_one_or_none()
        if not found:
            raise errors.SubMerchantInvalid(
                "The sub merchant does not exist or is in an unavailable state."
            )

    # -- query and close ---------------------------------------------------------------------

    def _locked(self, session: Session, merchant: MerchantAuth, req: schemas.OrderRef) -> PayOrder:
        by_prepay_id, params = _order_key(merchant, req)
        order = session.execute(_LOCKED_ORDER[by_prepay_id], params).scalar_one_or_none()
        if order is None:
            raise errors.OrderNotFound("Order not found.")
        return order

    async def query(self, merchant: MerchantAuth, req: schemas.OrderRef) -> dict[str, Any]:
        by_prepay_id, params = _order_key(merchant, req)
        rows = await self.p.db.rows(_QUERY_ORDER[by_prepay_id], params)
        if not rows:
            raise errors.OrderNotFound("Order not found.")
        return self.notices.order_out(rows[0], self.p.clock.now_ms())

    async def close(self, merchant: MerchantAuth, req: schemas.OrderRef) -> bool:
        """Close answers `true`; the result arrives as a PAY_CLOSED webhook (NOTES.md)."""
        now = self.p.clock.now_ms()
        await self.p.db.run_write(self._close, merchant, req, now)
        return True

    def _close(
        self, session: Session, merchant: MerchantAuth, req: schemas.OrderRef, now: int
    ) -> None:
        """`close`'s unit of work (`Database.run_write`)."""
        order = self._locked(session, merchant, req)
        # docs/binance-pay.md "Close order": only INITIAL or PENDING; anything else, an order
        # closed already included, is 400204.
        if not ORDER.can(order.status, OrderStatus.CANCELED):
            raise errors.InvalidOrderStatus(
                f"Order is {order.status}; only an unpaid order can be closed."
            )
        move_order(order, OrderStatus.CANCELED)
        add_event(session, order.prepay_id, now, "closed", status=order.status)
        self.notices.order_webhook(session, order, "PAY_CLOSED", now)
