"""Connect Prime's quote and execute (guide §6 steps 4-6, §7): a quote is priced and stored;
executing it makes a PROCESSING order (and holds a sell's crypto) for the worker to settle."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from binance_sandbox.connect import errors as connect_errors
from binance_sandbox.connect.auth import PartnerAuth
from binance_sandbox.delivery.outbox import enqueue
from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import (
    InsufficientBalance,
    post,
    transfer,
    user_account,
)
from binance_sandbox.market import CRYPTOS, FIATS, PriceUnavailable
from binance_sandbox.platform import Platform
from binance_sandbox.prime import errors, schemas
from binance_sandbox.prime.lifecycle import OrderStatus
from binance_sandbox.prime.pricing import plain, price_quote
from binance_sandbox.prime.service_shared import (
    FAMILY,
    MAX_AMOUNT,
    PRIME_LOCKED,
    add_event,
    check_amount_type,
    check_direction,
    check_pair,
    check_spread,
    check_user,
)
from binance_sandbox.storage.models import PrimeOrder, Quote


class TradeService:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    async def quote(self, partner: PartnerAuth, req: schemas.QuoteRequest) -> dict[str, Any]:
        direction = check_direction(req.direction)
        amount_type = check_amount_type(req.amountType)
        check_pair(direction, req.fiatCurrency, req.cryptoCurrency)
        spread = check_spread(partner, req.customSpread)
        if req.amount <= 0:
            raise connect_errors.IllegalParameters("amount must be greater than 0.")
        if req.amount > MAX_AMOUNT:
            raise connect_errors.IllegalParameters(f"amount must be at most {MAX_AMOUNT}.")
        now = self.p.clock.now_ms()
        try:
            mid = self.p.market.price(req.cryptoCurrency, req.fiatCurrency, now)
        except PriceUnavailable as exc:
            raise errors.QuoteGenerationFailed(
                f"No price for {req.cryptoCurrency}/{req.fiatCurrency}."
            ) from exc
        fiat = FIATS[req.fiatCurrency]
        crypto = CRYPTOS[req.cryptoCurrency]
        priced = price_quote(
            direction=direction,
            amount_type=amount_type,
            amount=req.amount,
            mid=mid,
            spread=spread,
            fiat_places=fiat.precision,
            crypto_places=crypto.precision,
        )
        if priced.crypto_amount <= 0 or priced.fiat_amount <= 0:
            raise errors.QuoteGenerationFailed(
                f"The amount is too small to quote at {req.cryptoCurrency} precision "
                f"{crypto.precision}."
            )
        if not fiat.min_limit <= priced.fiat_amount <= fiat.max_limit:
            raise connect_errors.IllegalParameters(
                f"The fiat amount {priced.fiat_amount} {fiat.code} is outside the limits "
                f"[{plain(fiat.min_limit)}, {plain(fiat.max_limit)}]."
            )
        quote = Quote(
            quote_id=self.p.ids.hex(32),
            partner_id=partner.id,
            user_id=req.userId,
            direction=direction,
            fiat_currency=fiat.code,
            crypto_currency=crypto.symbol,
            amount_type=amount_type,
            fiat_amount=money.to_units(priced.fiat_amount),
            crypto_amount=money.to_units(priced.crypto_amount),
            spread_amount=money.to_units(priced.spread_amount),
            quote_price=plain(priced.quote_price),
            mid_price=plain(mid),
            custom_spread=plain(spread),
            expired_at=now + self.p.settings.quote_ttl_ms,
            created_at=now,
        )
        async with self.p.db.read() as session:
            await check_user(session, partner, req.userId)
        try:
            await self.p.db.insert(quote)
        except SQLAlchemyError as exc:
            raise errors.QuoteCacheFailed("The quote could not be stored; retry.") from exc
        places = crypto.precision if amount_type == 1 else fiat.precision
        return {
            "quoteId": quote.quote_id,
            "totalAmount": format(money.quantize(priced.total_amount, places), "f"),
            "quotePrice": quote.quote_price,
            "expiredAt": quote.expired_at,
            "spreadAmount": format(priced.spread_amount, "f"),
        }

    async def execute(self, partner: PartnerAuth, req: schemas.ExecuteRequest) -> dict[str, Any]:
        # Guide §6 step 6 / FAQ Q3: clientOrderId unique per partner, at most 50 characters.
        if len(req.clientOrderId) > 50:
            raise connect_errors.IllegalParameters("clientOrderId must be at most 50 characters.")
        now = self.p.clock.now_ms()
        try:
            order = await self.p.db.run_write(self._execute, partner, req, now)
        except IntegrityError:
            # A concurrent execute won the race for this clientOrderId or this quote.
            async with self.p.db.read() as session:
                await session.run_sync(self._raise_if_duplicate, partner, req)
            raise
        return {"orderId": order.order_id, "status": order.status}

    def _raise_if_duplicate(
        self, session: Session, partner: PartnerAuth, req: schemas.ExecuteRequest
    ) -> None:
        existing = session.execute(
            select(PrimeOrder).where(
                PrimeOrder.partner_id == partner.id,
                PrimeOrder.client_order_id == req.clientOrderId,
            )
        ).scalar_one_or_none()
        if existing is not None:
            raise errors.DuplicateOrderSubmission(
                f"clientOrderId {req.clientOrderId} was already used.",
                data={"orderId": existing.order_id, "status": existing.status},
            )
        used = session.execute(
            select(PrimeOrder).where(PrimeOrder.quote_id == req.quoteId)
        ).scalar_one_or_none()
        if used is not None and (used.partner_id, used.client_order_id) == (
            partner.id,
            req.clientOrderId,
        ):
            # The same execute again, whose first try committed between the two lookups.
            raise errors.DuplicateOrderSubmission(
                f"clientOrderId {req.clientOrderId} was already used.",
                data={"orderId": used.order_id, "status": used.status},
            )
        if used is not None:
            raise errors.OrderExecutionFailed(f"Quote {req.quoteId} was already executed.")

    def _execute(
        self, session: Session, partner: PartnerAuth, req: schemas.ExecuteRequest, now: int
    ) -> PrimeOrder:
        """`execute`'s unit of work (`Database.run_write`)."""
        self._raise_if_duplicate(session, partner, req)
        quote = session.execute(
            select(Quote).where(Quote.quote_id == req.quoteId, Quote.partner_id == partner.id)
        ).scalar_one_or_none()
        if quote is None:
            raise connect_errors.IllegalParameters(f"quoteId {req.quoteId} does not exist.")
        if now > quote.expired_at:
            raise errors.QuoteExpired("Quote expired; get a new quote.")
        order = PrimeOrder(
            order_id=self.p.ids.alnum(32),
            partner_id=partner.id,
            client_order_id=req.clientOrderId,
            quote_id=quote.quote_id,
            user_id=quote.user_id,
            direction=quote.direction,
            fiat_currency=quote.fiat_currency,
            crypto_currency=quote.crypto_currency,
            fiat_amount=quote.fiat_amount,
            crypto_amount=quote.crypto_amount,
            spread_amount=quote.spread_amount,
            mid_price=quote.mid_price,
            price=quote.quote_price,
            quote_expired_at=quote.expired_at,
            status=OrderStatus.PROCESSING.value,
            create_time=now,
        )
        session.add(order)
        session.flush()
        if order.direction == "SELL":
            # Guide §7: the crypto is deducted from the user's sub-account at execute.
            try:
                post(
                    session,
                    "prime_sell_hold",
                    transfer(
                        user_account(order.user_id, order.crypto_currency),
                        user_account(order.user_id, order.crypto_currency, PRIME_LOCKED),
                        order.crypto_amount,
                    ),
                    at=now,
                    ref_type="prime_order",
                    ref_id=order.order_id,
                )
            except InsufficientBalance as exc:
                raise errors.OrderExecutionFailed(
                    f"Insufficient {order.crypto_currency} balance to sell "
                    f"{money.fmt(order.crypto_amount, CRYPTOS[order.crypto_currency].precision)}."
                ) from exc
        add_event(
            session, order.order_id, now, "created", status=order.status, direction=order.direction
        )
        job = "prime.check" if order.direction == "BUY" else "prime.settle"
        s = self.p.settings
        enqueue(
            session,
            kind=job,
            family=FAMILY,
            payload={"orderId": order.order_id},
            due_at=now,
            now=now,
            max_attempts=s.check_deadline_ms // max(1, s.check_interval_ms) + 10,
            owner=partner.client_id,
            ref=order.order_id,
        )
        return order
