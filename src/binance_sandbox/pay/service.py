"""Binance Pay orders and refunds: rules and state changes, no HTTP.

Order states (NOTES.md): INITIAL → PENDING → PAID; INITIAL/PENDING → CANCELED (close) or
EXPIRED (on the sandbox clock); PAID → REFUNDING → REFUNDED (partly) / FULL_REFUNDED. Every
change goes through `_move`, which refuses any move `lifecycle.ORDER` does not declare.
"""

from __future__ import annotations

import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import parse_qsl, urlparse

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from binance_sandbox import wire
from binance_sandbox.delivery.outbox import enqueue, outbox_item
from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import (
    InsufficientBalance,
    balance,
    post,
    system_account,
    transfer,
    user_account,
)
from binance_sandbox.market import FIATS, PriceUnavailable
from binance_sandbox.pay import errors, schemas, webhooks
from binance_sandbox.pay.auth import MerchantAuth
from binance_sandbox.pay.lifecycle import (
    ORDER,
    REFUND,
    REFUND_ASKED,
    REFUNDABLE,
    OrderStatus,
    RefundStatus,
)
from binance_sandbox.platform import Platform
from binance_sandbox.storage.core_insert import insert_new
from binance_sandbox.storage.models import (
    Merchant,
    OrderEvent,
    PayOrder,
    PayRefund,
    SubMerchant,
    User,
)

FAMILY = "pay"
# pay-create-order-v2: 'only "BUSD","USDT","MBOX" can be accepted, fiat NOT supported'.
PAY_CURRENCIES = ("USDT", "BUSD", "MBOX")
DIRECT_DEBIT_CURRENCIES = ("BUSD", "USDT")
SUPPORT_PAY_CURRENCIES = (*PAY_CURRENCIES, "BNB", "BTC", "ETH")
DEFAULT_EXPIRY_MS = 3_600_000  # 1 hour
MAX_EXPIRY_MS = 15 * 86_400_000  # 15 days
MAX_REFUND_ATTEMPTS = 10
FUNDING, SPOT = "FUNDING", "SPOT"
REFUND_ESCROW = "pay:refunds"


def _find_statement(column: InstrumentedAttribute[str], *, lock: bool) -> Select[PayOrder]:
    stmt = select(PayOrder).where(
        PayOrder.merchant_id == bindparam("merchant_id"), column == bindparam("key")
    )
    return stmt.with_for_update() if lock else stmt


# An order by (prepayId or merchantTradeNo, locked or not), the values bound at each call.
# Built once: making an ORM statement costs more than running it (SQLAlchemy caches the
# compiled SQL, not the statement), and every order query, close and refund finds an order.
_FIND_ORDER = {
    (by_prepay_id, lock): _find_statement(column, lock=lock)
    for by_prepay_id, column in ((True, PayOrder.prepay_id), (False, PayOrder.merchant_trade_no))
    for lock in (False, True)
}


# The same lookup as columns (`Database.rows`), for the order query: it changes nothing, and
# reads only what the answer shows (`PayService.order_out`), not the order's stored request,
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
)
_QUERY_ORDER = {
    by_prepay_id: select(*_ORDER_OUT_COLUMNS).where(
        PayOrder.merchant_id == bindparam("merchant_id"), column == bindparam("key")
    )
    for by_prepay_id, column in ((True, PayOrder.prepay_id), (False, PayOrder.merchant_trade_no))
}


class InsufficientFunds(errors.PayError):
    code, name = "400000", "INSUFFICIENT_FUNDS"


def _order_key(merchant: MerchantAuth, req: schemas.OrderRef) -> tuple[bool, dict[str, Any]]:
    """Which key finds the order (prepayId or merchantTradeNo), and the values to bind."""
    if not req.prepayId and not req.merchantTradeNo:
        raise errors.MandatoryParamEmptyOrMalformed("prepayId or merchantTradeNo is required.")
    # NOTES.md: prepayId wins over merchantTradeNo.
    by_prepay_id = bool(req.prepayId)
    key = req.prepayId if by_prepay_id else req.merchantTradeNo
    return by_prepay_id, {"merchant_id": merchant.merchant_id, "key": key}


def merchant_wallet(merchant_id: str, currency: str, wallet: str = FUNDING) -> Any:
    """A merchant's Pay wallet is the FUNDING wallet of its own Binance account."""
    return user_account(merchant_id, currency, wallet)


def _amount(units: int) -> str:
    return format(money.from_units(units).normalize(), "f")


def open_user_id(merchant_id: str, user_id: str) -> str:
    """The payer as this merchant sees them: stable per merchant, not the Binance user id."""
    return hashlib.sha256(f"{merchant_id}:{user_id}".encode()).hexdigest()[:32]


def _check_url(value: str | None, field: str, *, one_param: bool) -> None:
    if value is None:
        return
    parsed = urlparse(value)
    if (
        not value.lower().startswith("http")
        or parsed.scheme not in ("http", "https")
        or not parsed.netloc
    ):
        raise errors.InvalidParamWrongValue(f"{field} must begin with http or https.")
    # pay-create-order-v2: "Only one parameter is allowed per URL".
    if one_param and len(parse_qsl(parsed.query, keep_blank_values=True)) > 1:
        raise errors.InvalidParamWrongValue(f"{field} may carry at most one parameter.")


def _move(order: PayOrder, status: OrderStatus) -> None:
    if not ORDER.can(order.status, status):
        raise errors.InvalidOrderStatus(f"Order status {order.status} cannot change to {status}.")
    order.status = status.value


def _event(session: AsyncSession, ref: str, at: int, kind: str, **detail: Any) -> None:
    session.add(_event_row(ref, at, kind, **detail))


def _event_row(ref: str, at: int, kind: str, **detail: Any) -> OrderEvent:
    return OrderEvent(
        family=FAMILY, order_ref=ref, at=at, kind=kind, detail=json.dumps(detail, default=str)
    )


class PayService:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    @property
    def attempts(self) -> int:
        return self.p.settings.pay_webhook_max_attempts

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
            if req.fiatCurrency not in FIATS:
                raise errors.InvalidParamWrongValue(
                    f"fiatCurrency {req.fiatCurrency} is not supported; "
                    f"supported: {', '.join(FIATS)}."
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
        _check_url(req.returnUrl, "returnUrl", one_param=True)
        _check_url(req.cancelUrl, "cancelUrl", one_param=True)
        _check_url(req.webhookUrl, "webhookUrl", one_param=False)
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
            _event_row(order.prepay_id, now, "created", status=order.status, version=version),
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
        links = self.links(base_url, order.prepay_id, req.universalUrlAttach)
        data: dict[str, Any] = {
            "prepayId": order.prepay_id,
            "terminalType": order.terminal_type,
            "expireTime": order.expire_time,
            **links,
            "currency": currency,
            "totalFee": _amount(order.order_amount),
        }
        if fiat_currency is not None and order.fiat_amount is not None:
            data["fiatCurrency"] = fiat_currency
            data["fiatAmount"] = _amount(order.fiat_amount)
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

    # -- query and close ---------------------------------------------------------------------

    async def _find(
        self,
        session: AsyncSession,
        merchant: MerchantAuth,
        req: schemas.OrderRef,
        *,
        lock: bool = False,
    ) -> PayOrder:
        by_prepay_id, params = _order_key(merchant, req)
        stmt = _FIND_ORDER[by_prepay_id, lock]
        order = (await session.execute(stmt, params)).scalar_one_or_none()
        if order is None:
            raise errors.OrderNotFound("Order not found.")
        return order

    def order_out(self, order: PayOrder | Row[Any]) -> dict[str, Any]:
        # Both the docs' names and pay-openapi.txt's (orderStatus, totalFee, payerInfo).
        payer = order.payer_user_id
        return {
            "merchantId": int(order.merchant_id),
            "prepayId": order.prepay_id,
            "transactionId": order.transaction_id,
            "merchantTradeNo": order.merchant_trade_no,
            "status": order.status,
            "orderStatus": order.status,
            "currency": order.currency,
            "orderAmount": _amount(order.order_amount),
            "totalFee": _amount(order.order_amount),
            "openUserId": open_user_id(order.merchant_id, payer) if payer else None,
            "passThroughInfo": order.pass_through_info,
            "commission": "0",
            "transactTime": order.transact_time,
            "createTime": order.create_time,
            "paymentInfo": self._payment_info(order) if payer else None,
            "payerInfo": None,
        }

    async def query(self, merchant: MerchantAuth, req: schemas.OrderRef) -> dict[str, Any]:
        by_prepay_id, params = _order_key(merchant, req)
        rows = await self.p.db.rows(_QUERY_ORDER[by_prepay_id], params)
        if not rows:
            raise errors.OrderNotFound("Order not found.")
        return self.order_out(rows[0])

    async def close(self, merchant: MerchantAuth, req: schemas.OrderRef) -> bool:
        """Close answers `true`; the result arrives as a PAY_CLOSED webhook (NOTES.md)."""
        now = self.p.clock.now_ms()
        async with self.p.db.write() as session:
            order = await self._find(session, merchant, req, lock=True)
            if order.status == OrderStatus.CANCELED:
                return True
            if not ORDER.can(order.status, OrderStatus.CANCELED):
                raise errors.InvalidOrderStatus(
                    f"Order is {order.status}; only an unpaid order can be closed."
                )
            _move(order, OrderStatus.CANCELED)
            _event(session, order.prepay_id, now, "closed", status=order.status)
            await self._order_webhook(session, order, "PAY_CLOSED", now)
        self.p.wake_worker()
        return True

    async def webhook_url_for(
        self, session: AsyncSession, merchant_id: str, *overrides: str | None
    ) -> str | None:
        for url in overrides:
            if url:
                return url
        return (
            await session.execute(
                select(Merchant.webhook_url).where(Merchant.merchant_id == merchant_id)
            )
        ).scalar_one_or_none()

    def _order_notification(self, order: PayOrder) -> dict[str, Any]:
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
            "totalFee": Decimal(_amount(order.order_amount)),
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
            data["paymentInfo"] = self._payment_info(order)
        return data

    def _payment_info(self, order: PayOrder | Row[Any]) -> dict[str, Any]:
        return {
            "payMethod": order.payer_wallet or FUNDING,
            "paymentInstructions": [
                {
                    "currency": order.currency,
                    "amount": Decimal(_amount(order.order_amount)),
                    "price": Decimal(1),
                }
            ],
        }

    async def _order_webhook(
        self, session: AsyncSession, order: PayOrder, status: str, now: int
    ) -> None:
        await webhooks.send(
            session,
            url=await self.webhook_url_for(session, order.merchant_id, order.webhook_url),
            merchant_id=order.merchant_id,
            ref=order.prepay_id,
            biz_type="PAY",
            biz_id=order.prepay_id,
            biz_status=status,
            data=self._order_notification(order),
            now=now,
            max_attempts=self.attempts,
        )

    # -- the payer's side (hosted checkout and the control API) ---------------------------------

    async def order_view(self, prepay_id: str) -> dict[str, Any] | None:
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
        links = self.links(self.p.settings.public_base_url or "", prepay_id)
        return {
            "prepayId": prepay_id,
            "merchantId": order.merchant_id,
            "merchantName": merchant_name,
            "title": goods.get("goodsName")
            or request.get("description")
            or request.get("productName")
            or "Order",
            "currency": order.currency,
            "totalFee": _amount(order.order_amount),
            "fiatCurrency": order.fiat_currency,
            "fiatAmount": _amount(order.fiat_amount) if order.fiat_amount is not None else None,
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
            total = await balance(
                session, user_account(user_id, currency, FUNDING)
            ) + await balance(session, user_account(user_id, currency, SPOT))
        return money.from_units(total)

    async def _payable(self, session: AsyncSession, prepay_id: str, now: int) -> PayOrder:
        order = (
            await session.execute(
                select(PayOrder).where(PayOrder.prepay_id == prepay_id).with_for_update()
            )
        ).scalar_one_or_none()
        if order is None:
            raise errors.OrderNotFound("Order not found.")
        payable = ORDER.can(order.status, OrderStatus.PAID)
        if payable and now >= order.expire_time:
            raise errors.InvalidOrderStatus("The order has expired.")
        if not payable:
            raise errors.InvalidOrderStatus(f"The order is {order.status} and cannot be paid.")
        return order

    async def _payer(self, session: AsyncSession, user_id: str) -> None:
        if (
            await session.execute(select(User.id).where(User.user_id == user_id))
        ).scalar_one_or_none() is None:
            raise errors.InvalidRequest(f"No sandbox user {user_id}.")

    async def start_checkout(self, prepay_id: str, payer_user_id: str) -> None:
        """A payer opened the order in "the app": INITIAL → PENDING."""
        now = self.p.clock.now_ms()
        async with self.p.db.write() as session:
            await self._payer(session, payer_user_id)
            order = await self._payable(session, prepay_id, now)
            if order.status == OrderStatus.INITIAL:
                _move(order, OrderStatus.PENDING)
                _event(session, prepay_id, now, "pending", status=order.status, payer=payer_user_id)

    async def pay(self, prepay_id: str, payer_user_id: str) -> dict[str, Any]:
        """The payer pays: funds move from the payer (FUNDING first, then SPOT) to the
        merchant's Pay wallet in one journal entry; PAY_SUCCESS goes out."""
        now = self.p.clock.now_ms()
        async with self.p.db.write() as session:
            await self._payer(session, payer_user_id)
            order = await self._payable(session, prepay_id, now)
            if payer_user_id == order.merchant_id:
                raise errors.InvalidRequest("A merchant cannot pay its own order.")
            if order.status == OrderStatus.INITIAL:
                _move(order, OrderStatus.PENDING)
                _event(session, prepay_id, now, "pending", status=order.status, payer=payer_user_id)
            # Binance Pay takes the Funding wallet first and the rest from Spot, in one entry.
            funding = await balance(session, user_account(payer_user_id, order.currency, FUNDING))
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
                async with session.begin_nested():
                    await post(
                        session, "pay_payment", legs, at=now, ref_type="pay_order", ref_id=prepay_id
                    )
            except InsufficientBalance as exc:
                raise InsufficientFunds(
                    f"Insufficient {order.currency} balance to pay "
                    f"{_amount(order.order_amount)} {order.currency}."
                ) from exc
            paid_from = FUNDING if from_funding * 2 >= order.order_amount else SPOT
            _move(order, OrderStatus.PAID)
            order.payer_user_id = payer_user_id
            order.payer_wallet = paid_from
            order.transact_time = now
            order.transaction_id = "M_P_" + self.p.ids.digits(17)
            _event(
                session,
                prepay_id,
                now,
                "paid",
                status=order.status,
                payer=payer_user_id,
                wallet=paid_from,
            )
            await self._order_webhook(session, order, "PAY_SUCCESS", now)
            out = self.order_out(order)
        self.p.wake_worker()
        return out

    async def expire(self, session: AsyncSession, prepay_id: str, now: int) -> None:
        order = (
            await session.execute(
                select(PayOrder).where(PayOrder.prepay_id == prepay_id).with_for_update()
            )
        ).scalar_one_or_none()
        if (
            order is None
            or not ORDER.can(order.status, OrderStatus.EXPIRED)
            or now < order.expire_time
        ):
            return
        _move(order, OrderStatus.EXPIRED)
        _event(session, prepay_id, now, "expired", status=order.status)
        await self._order_webhook(session, order, "PAY_CLOSED", now)

    # -- refunds -----------------------------------------------------------------------------

    def refund_out(self, refund: PayRefund, order: PayOrder, *, duplicate: bool) -> dict[str, Any]:
        return {
            "refundRequestId": refund.refund_request_id,
            "prepayId": refund.prepay_id,
            "orderAmount": _amount(order.order_amount),
            "refundedAmount": _amount(refund.refunded_before + refund.refund_amount),
            "refundAmount": _amount(refund.refund_amount),
            "remainingAttempts": MAX_REFUND_ATTEMPTS - refund.attempt,
            "payerOpenId": open_user_id(order.merchant_id, order.payer_user_id or ""),
            "duplicateRequest": duplicate,
        }

    async def _existing_refund(
        self, session: AsyncSession, merchant_id: str, refund_request_id: str
    ) -> tuple[PayRefund, PayOrder] | None:
        row = (
            await session.execute(
                select(PayRefund, PayOrder)
                .join(PayOrder, PayOrder.prepay_id == PayRefund.prepay_id)
                .where(
                    PayRefund.merchant_id == merchant_id,
                    PayRefund.refund_request_id == refund_request_id,
                )
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def refund(self, merchant: MerchantAuth, req: schemas.Refund) -> dict[str, Any]:
        _check_url(req.webhookUrl, "webhookUrl", one_param=False)
        now = self.p.clock.now_ms()
        try:
            async with self.p.db.write() as session:
                result = await self._refund(session, merchant, req, now)
        except IntegrityError:
            # The same refundRequestId raced in: answer as its duplicate.
            async with self.p.db.read() as session:
                existing = await self._existing_refund(
                    session, merchant.merchant_id, req.refundRequestId
                )
                if existing is None:
                    raise
                return self.refund_out(*existing, duplicate=True)
        self.p.wake_worker()
        return result

    async def _refund(
        self, session: AsyncSession, merchant: MerchantAuth, req: schemas.Refund, now: int
    ) -> dict[str, Any]:
        existing = await self._existing_refund(session, merchant.merchant_id, req.refundRequestId)
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
        order = (
            await session.execute(
                select(PayOrder)
                .where(
                    PayOrder.prepay_id == req.prepayId, PayOrder.merchant_id == merchant.merchant_id
                )
                .with_for_update()
            )
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
                f"{_amount(remaining)} {order.currency}."
            )
        attempt = order.refund_attempts + 1
        # The last allowed attempt refunds whatever remains.
        amount = remaining if attempt == MAX_REFUND_ATTEMPTS else requested
        try:
            async with session.begin_nested():
                await post(
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
            _move(order, OrderStatus.REFUNDING)
        await session.flush()
        _event(
            session,
            order.prepay_id,
            now,
            "refund_requested",
            refundRequestId=req.refundRequestId,
            amount=_amount(amount),
        )
        await enqueue(
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
            existing = await self._existing_refund(
                session, merchant.merchant_id, req.refundRequestId
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

    async def settle_refund(
        self, session: AsyncSession, refund_id: int, now: int, *, reject: str | None = None
    ) -> None:
        """REFUND_PENDING → REFUND_SUCCESS (the escrow goes to the payer) or, when rejected,
        REFUND_FAIL (it goes back to the merchant)."""
        refund = (
            await session.execute(
                select(PayRefund).where(PayRefund.id == refund_id).with_for_update()
            )
        ).scalar_one()
        if REFUND.is_terminal(refund.status):
            if reject:
                raise errors.InvalidOrderStatus(f"Refund is {refund.status}.")
            return
        order = (
            await session.execute(
                select(PayOrder).where(PayOrder.prepay_id == refund.prepay_id).with_for_update()
            )
        ).scalar_one()
        escrow = system_account(REFUND_ESCROW, order.currency)
        if reject:
            await post(
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
            await post(
                session,
                "pay_refund",
                transfer(escrow, payer_wallet, refund.refund_amount),
                at=now,
                ref_type="pay_refund",
                ref_id=refund.refund_request_id,
            )
            refund.status = REFUND.move(refund.status, RefundStatus.SUCCESS).value
        refund.finished_at = now
        pending = (
            await session.execute(
                select(func.count())
                .select_from(PayRefund)
                .where(
                    PayRefund.prepay_id == order.prepay_id,
                    PayRefund.status == RefundStatus.PENDING.value,
                    PayRefund.id != refund.id,
                )
            )
        ).scalar_one()
        if not pending:
            if order.refunded_amount == order.order_amount:
                _move(order, OrderStatus.FULL_REFUNDED)
            elif order.refunded_amount > 0:
                _move(order, OrderStatus.REFUNDED)
            else:
                _move(order, OrderStatus.PAID)
        _event(
            session,
            order.prepay_id,
            now,
            "refund",
            refundRequestId=refund.refund_request_id,
            status=refund.status,
            reason=reject,
        )
        data = self._order_notification(order)
        data["transactTime"] = now
        data["refundInfo"] = {
            "refundRequestId": refund.refund_request_id,
            "prepayId": order.prepay_id,
            "orderAmount": Decimal(_amount(order.order_amount)),
            "refundedAmount": Decimal(_amount(order.refunded_amount)),
            "refundAmount": Decimal(_amount(refund.refund_amount)),
            "remainingAttempts": MAX_REFUND_ATTEMPTS - order.refund_attempts,
            "payerOpenId": open_user_id(order.merchant_id, order.payer_user_id or ""),
            "duplicateRequest": False,
        }
        await webhooks.send(
            session,
            url=await self.webhook_url_for(
                session, order.merchant_id, refund.webhook_url, order.webhook_url
            ),
            merchant_id=order.merchant_id,
            ref=order.prepay_id,
            biz_type="PAY_REFUND",
            biz_id=order.prepay_id,
            biz_status="REFUND_REJECTED" if reject else "REFUND_SUCCESS",
            data=data,
            now=now,
            max_attempts=self.attempts,
        )
