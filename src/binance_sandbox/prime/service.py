"""Connect Prime's rules and state changes. No HTTP here: routes call these methods with
the authenticated partner and a parsed request, and render what they return or raise."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox import wire
from binance_sandbox.connect import errors as connect_errors
from binance_sandbox.connect.auth import PartnerAuth
from binance_sandbox.delivery.outbox import enqueue, enqueue_webhook
from binance_sandbox.delivery.webhooks import success_return_code
from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import (
    PLATFORM,
    WORLD,
    AccountRef,
    InsufficientBalance,
    Leg,
    external_account,
    post,
    system_account,
    transfer,
    user_account,
)
from binance_sandbox.market import CRYPTOS, FIATS, INTERVALS, PriceUnavailable, offered, pairs
from binance_sandbox.platform import Platform
from binance_sandbox.prime import errors, schemas
from binance_sandbox.prime.lifecycle import ORDER, STATUS_CODES, OrderStatus
from binance_sandbox.prime.pricing import crypto_limit, plain, price_quote, quote_price
from binance_sandbox.storage.models import Account, OrderEvent, Partner, PrimeOrder, Quote, User

DIRECTIONS = ("BUY", "SELL")
# Crypto a sell has taken from the user but the platform has not yet settled
# (shown as `locked` by `wallet/asset/user-assets`).
PRIME_LOCKED = "PRIME_LOCKED"
FAMILY = "prime"
# Far above any limit, small enough for exact arithmetic at every precision.
MAX_AMOUNT = Decimal(10) ** 12


def revenue_account(client_id: str, asset: str) -> AccountRef:
    return system_account(f"partner:{client_id}:revenue", asset)


def fiat_rails(asset: str) -> AccountRef:
    return external_account(f"{WORLD}:fiat-rails", asset)


def order_out(order: PrimeOrder | Row[Any]) -> dict[str, Any]:
    fiat_places = FIATS[order.fiat_currency].precision
    crypto_places = CRYPTOS[order.crypto_currency].precision
    return {
        "orderId": order.order_id,
        "clientOrderId": order.client_order_id,
        "userId": order.user_id,
        "direction": order.direction,
        "fiatCurrency": order.fiat_currency,
        "cryptoCurrency": order.crypto_currency,
        "fiatAmount": money.fmt(order.fiat_amount, fiat_places),
        "cryptoAmount": money.fmt(order.crypto_amount, crypto_places),
        "price": order.price,
        "spreadAmount": money.fmt(order.spread_amount, fiat_places),
        "status": order.status,
        "statusCode": STATUS_CODES[order.status],
        "createTime": order.create_time,
        "settleTime": order.settle_time,
        "failReason": order.fail_reason,
    }


def webhook_body(order: PrimeOrder) -> str:
    """The `prime_order_event` body, field for field as guide §8 shows it (numbers, and
    second-level times)."""
    return wire.dumps(
        {
            "webhookEventType": "prime_order_event",
            "orderId": order.order_id,
            "clientOrderId": order.client_order_id,
            "direction": order.direction,
            "fiatCurrency": order.fiat_currency,
            "cryptoCurrency": order.crypto_currency,
            "fiatAmount": money.from_units(order.fiat_amount).normalize(),
            "cryptoAmount": money.from_units(order.crypto_amount).normalize(),
            "price": Decimal(order.price),
            "status": order.status,
            "createTime": order.create_time // 1000,
            "settleTime": (order.settle_time or order.create_time) // 1000,
        }
    )


async def add_event(
    session: AsyncSession, order_id: str, at: int, kind: str, **detail: Any
) -> None:
    session.add(
        OrderEvent(
            family=FAMILY,
            order_ref=order_id,
            at=at,
            kind=kind,
            detail=json.dumps(detail, default=str),
        )
    )


# `transaction`'s lookup, by orderId (True) or clientOrderId (False), the values bound at each
# call, as rows (`Database.rows`). Built once: making a statement costs more than running it
# (SQLAlchemy caches the compiled SQL, not the statement), and partners poll this endpoint for
# every order.
_FIND_ORDER = {
    by_order_id: select(PrimeOrder.__table__).where(
        PrimeOrder.partner_id == bindparam("partner_id"), column == bindparam("key")
    )
    for by_order_id, column in ((True, PrimeOrder.order_id), (False, PrimeOrder.client_order_id))
}


class PrimeService:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    # -- reference data -------------------------------------------------------------

    async def _check_user(self, session: AsyncSession, partner: PartnerAuth, user_id: str) -> None:
        found = (
            await session.execute(
                select(User.id).where(User.user_id == user_id, User.partner_id == partner.id)
            )
        ).scalar_one_or_none()
        if found is None:
            raise connect_errors.IllegalParameters(
                f"userId {user_id} does not exist for this client."
            )

    async def fiat_list(self, partner: PartnerAuth, req: schemas.UserRequest) -> dict[str, Any]:
        async with self.p.db.read() as session:
            await self._check_user(session, partner, req.userId)
        fiats = [code for code in FIATS if pairs("BUY", fiat=code)]
        return {
            "fiatCurrencies": [
                {"currency": code, "precision": FIATS[code].precision} for code in fiats
            ]
        }

    async def crypto_list(self, partner: PartnerAuth, req: schemas.UserRequest) -> dict[str, Any]:
        async with self.p.db.read() as session:
            await self._check_user(session, partner, req.userId)
        cryptos = [code for code in CRYPTOS if pairs("SELL", crypto=code)]
        return {
            "cryptoCurrencies": [
                {"cryptoCurrency": code, "precision": CRYPTOS[code].precision} for code in cryptos
            ]
        }

    async def trading_pairs(
        self, partner: PartnerAuth, req: schemas.TradingPairRequest
    ) -> list[dict[str, Any]]:
        direction = _direction(req.direction)
        async with self.p.db.read() as session:
            await self._check_user(session, partner, req.userId)
        # Guide §7: BUY lists cryptos for a fiat, SELL lists fiats for a crypto.
        if direction == "BUY":
            if not req.fiatCurrency:
                raise connect_errors.IllegalParameters("fiatCurrency is required for BUY.")
            _fiat(req.fiatCurrency)
            found = pairs("BUY", fiat=req.fiatCurrency)
        else:
            if not req.cryptoCurrency:
                raise connect_errors.IllegalParameters("cryptoCurrency is required for SELL.")
            _crypto(req.cryptoCurrency)
            found = pairs("SELL", crypto=req.cryptoCurrency)
        return [
            {
                "fiatCurrency": fiat,
                "cryptoCurrency": crypto,
                # Guide §6 step 2 and §7: crypto precision for BUY, fiat precision for SELL.
                "precision": CRYPTOS[crypto].precision
                if direction == "BUY"
                else FIATS[fiat].precision,
            }
            for fiat, crypto in found
        ]

    def _spread(self, partner: PartnerAuth, requested: Decimal | None) -> Decimal:
        low, high = Decimal(partner.custom_spread_min), Decimal(partner.custom_spread_max)
        if requested is None:
            return low
        if not low <= requested <= high:
            raise errors.CustomSpreadExceeded(
                f"customSpread {plain(requested)} is outside the allowed range "
                f"[{plain(low)}, {plain(high)}]."
            )
        return requested

    def _pair(self, direction: str, fiat: str, crypto: str) -> None:
        _fiat(fiat)
        _crypto(crypto)
        if not offered(direction, fiat, crypto):
            raise errors.NoPaymentMethodAvailable(
                f"No payment method available for {direction} {crypto} with {fiat}."
            )

    async def amount_limits(
        self, partner: PartnerAuth, req: schemas.AmountLimitRequest
    ) -> dict[str, Any]:
        direction = _direction(req.direction)
        if req.amountType is not None:
            _amount_type(req.amountType)
        self._pair(direction, req.fiatCurrency, req.cryptoCurrency)
        spread = self._spread(partner, req.customSpread)
        async with self.p.db.read() as session:
            await self._check_user(session, partner, req.userId)
        try:
            mid = self.p.market.price(req.cryptoCurrency, req.fiatCurrency, self.p.clock.now_ms())
        except PriceUnavailable as exc:
            raise errors.LimitCalculationFailed(f"Cannot calculate limits: {exc}") from exc
        price = quote_price(direction, mid, spread)
        fiat = FIATS[req.fiatCurrency]
        places = CRYPTOS[req.cryptoCurrency].precision
        return {
            "fiatMinLimit": plain(fiat.min_limit),
            "fiatMaxLimit": plain(fiat.max_limit),
            "cryptoMinLimit": format(crypto_limit(fiat.min_limit, price, places, up=True), "f"),
            "cryptoMaxLimit": format(crypto_limit(fiat.max_limit, price, places, up=False), "f"),
        }

    # -- quote and execute ------------------------------------------------------------

    async def quote(self, partner: PartnerAuth, req: schemas.QuoteRequest) -> dict[str, Any]:
        direction = _direction(req.direction)
        amount_type = _amount_type(req.amountType)
        self._pair(direction, req.fiatCurrency, req.cryptoCurrency)
        spread = self._spread(partner, req.customSpread)
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
            await self._check_user(session, partner, req.userId)
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
            async with self.p.db.write() as session:
                order = await self._execute(session, partner, req, now)
                result = {"orderId": order.order_id, "status": order.status}
        except IntegrityError:
            # A concurrent execute won the race for this clientOrderId or this quote.
            async with self.p.db.read() as session:
                await self._raise_if_duplicate(session, partner, req)
            raise
        self.p.wake_worker()
        return result

    async def _raise_if_duplicate(
        self, session: AsyncSession, partner: PartnerAuth, req: schemas.ExecuteRequest
    ) -> None:
        existing = (
            await session.execute(
                select(PrimeOrder).where(
                    PrimeOrder.partner_id == partner.id,
                    PrimeOrder.client_order_id == req.clientOrderId,
                )
            )
        ).scalar_one_or_none()
        if existing is not None:
            raise errors.DuplicateOrderSubmission(
                f"clientOrderId {req.clientOrderId} was already used.",
                data={"orderId": existing.order_id, "status": existing.status},
            )
        used = (
            await session.execute(select(PrimeOrder).where(PrimeOrder.quote_id == req.quoteId))
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

    async def _execute(
        self, session: AsyncSession, partner: PartnerAuth, req: schemas.ExecuteRequest, now: int
    ) -> PrimeOrder:
        await self._raise_if_duplicate(session, partner, req)
        quote = (
            await session.execute(
                select(Quote).where(Quote.quote_id == req.quoteId, Quote.partner_id == partner.id)
            )
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
        await session.flush()
        if order.direction == "SELL":
            # Guide §7: the crypto is deducted from the user's sub-account at execute.
            try:
                await post(
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
        await add_event(
            session, order.order_id, now, "created", status=order.status, direction=order.direction
        )
        job = "prime.check" if order.direction == "BUY" else "prime.settle"
        s = self.p.settings
        await enqueue(
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

    # -- queries ------------------------------------------------------------------------

    async def transaction(
        self, partner: PartnerAuth, req: schemas.TransactionRequest
    ) -> dict[str, Any]:
        if not req.orderId and not req.clientOrderId:
            raise connect_errors.IllegalParameters("orderId or clientOrderId is required.")
        by_order_id = bool(req.orderId)
        params = {
            "partner_id": partner.id,
            "key": req.orderId if by_order_id else req.clientOrderId,
        }
        rows = await self.p.db.rows(_FIND_ORDER[by_order_id], params)
        if not rows:
            raise connect_errors.IllegalParameters("Order does not exist.")
        return order_out(rows[0])

    async def transactions(
        self, partner: PartnerAuth, req: schemas.TransactionsRequest
    ) -> dict[str, Any]:
        if req.endTime < req.startTime:
            raise connect_errors.IllegalParameters("endTime must not be before startTime.")
        if req.endTime - req.startTime > 90 * 86_400_000:
            raise connect_errors.IllegalParameters(
                "startTime and endTime must be at most 90 days apart."
            )
        conditions = [
            PrimeOrder.partner_id == partner.id,
            PrimeOrder.create_time >= req.startTime,
            PrimeOrder.create_time <= req.endTime,
        ]
        if req.userId:
            conditions.append(PrimeOrder.user_id == req.userId)
        if req.status:
            if req.status not in STATUS_CODES:
                raise connect_errors.IllegalParameters(
                    "status must be PROCESSING, FILLED or FAILED."
                )
            conditions.append(PrimeOrder.status == req.status)
        if req.direction:
            conditions.append(PrimeOrder.direction == _direction(req.direction))
        async with self.p.db.read() as session:
            total = (
                await session.execute(
                    select(func.count()).select_from(PrimeOrder).where(*conditions)
                )
            ).scalar_one()
            rows = (
                await session.execute(
                    select(PrimeOrder)
                    .where(*conditions)
                    .order_by(PrimeOrder.create_time.desc(), PrimeOrder.order_id)
                    .offset((req.page - 1) * req.rows)
                    .limit(req.rows)
                )
            ).scalars()
            return {
                "total": int(total),
                "page": req.page,
                "rows": req.rows,
                "list": [order_out(o) for o in rows],
            }

    async def user_assets(
        self, partner: PartnerAuth, req: schemas.UserAssetsRequest
    ) -> list[dict[str, Any]]:
        if req.asset is not None:
            _crypto(req.asset)
        async with self.p.db.read() as session:
            await self._check_user(session, partner, req.userId)
            accounts = (
                await session.execute(select(Account).where(Account.owner == f"user:{req.userId}"))
            ).scalars()
            held: dict[str, dict[str, int]] = {}
            for acc in accounts:
                if acc.asset not in CRYPTOS or acc.wallet not in ("SPOT", PRIME_LOCKED):
                    continue
                held.setdefault(acc.asset, {"SPOT": 0, PRIME_LOCKED: 0})[acc.wallet] = acc.balance
        if req.asset is not None:
            held.setdefault(req.asset, {"SPOT": 0, PRIME_LOCKED: 0})
            held = {req.asset: held[req.asset]}
        out = []
        for asset in CRYPTOS:
            if asset in held and (req.asset or held[asset]["SPOT"] or held[asset][PRIME_LOCKED]):
                places = CRYPTOS[asset].precision
                out.append(
                    {
                        "asset": asset,
                        "free": money.fmt(held[asset]["SPOT"], max(places, 8)),
                        "locked": money.fmt(held[asset][PRIME_LOCKED], max(places, 8)),
                    }
                )
        return out

    # -- market data (guide §10) ----------------------------------------------------------

    def symbol_detail(self, req: schemas.SymbolDetailRequest) -> dict[str, Any]:
        crypto = _crypto(req.cryptoCurrency)
        fiat = _fiat(req.fiatCurrency or "USD")
        now = self.p.clock.now_ms()
        try:
            ticker = self.p.market.ticker_24h(crypto, fiat, now)
        except PriceUnavailable as exc:
            raise connect_errors.IllegalParameters(f"No market data for {crypto}/{fiat}.") from exc
        info = CRYPTOS[crypto]
        places = FIATS[fiat].precision
        return {
            "cryptoCurrency": crypto,
            "name": info.name,
            "fiatCurrency": fiat,
            "price": plain(ticker.last),
            "rank": info.rank,
            "marketCap": format(money.quantize(ticker.last * info.circulating_supply, places), "f"),
            "circulatingSupply": plain(info.circulating_supply),
            "maxSupply": plain(info.max_supply) if info.max_supply is not None else None,
            "volume24h": format(money.quantize(ticker.quote_volume, places), "f"),
            "priceChangePercent24h": plain(ticker.change_percent),
            "description": info.description,
        }

    def klines(self, req: schemas.KlinesRequest) -> list[list[object]]:
        crypto = _crypto(req.cryptoCurrency)
        fiat = _fiat(req.fiatCurrency or "USD")
        if req.interval not in INTERVALS:
            raise connect_errors.IllegalParameters("interval must be one of 3m, 1h, 1d.")
        if req.startTime is not None and req.endTime is not None and req.endTime < req.startTime:
            raise connect_errors.IllegalParameters("endTime must not be before startTime.")
        try:
            klines = self.p.market.klines(
                crypto,
                fiat,
                req.interval,
                now_ms=self.p.clock.now_ms(),
                start_ms=req.startTime,
                end_ms=req.endTime,
                limit=req.limit or 500,
            )
        except PriceUnavailable as exc:
            raise connect_errors.IllegalParameters(f"No market data for {crypto}/{fiat}.") from exc
        return [k.as_spot_array(8, 8) for k in klines]

    def discover(self, req: schemas.DiscoverRequest) -> list[dict[str, Any]]:
        # Guide §10: "The Discover Price API currently supports AED only."
        if req.fiatCurrency != "AED":
            raise connect_errors.IllegalParameters(
                "fiatCurrency must be AED; Discover Price supports AED only."
            )
        now = self.p.clock.now_ms()
        out = []
        for crypto in CRYPTOS:
            try:
                t = self.p.market.ticker_24h(crypto, "AED", now)
            except PriceUnavailable:
                continue
            out.append(
                {
                    "cryptoCurrency": crypto,
                    "fiatCurrency": "AED",
                    "price": plain(t.last),
                    "priceChangePercent24h": plain(t.change_percent),
                    "high24h": plain(t.high),
                    "low24h": plain(t.low),
                    "volume24h": plain(t.volume),
                }
            )
        return out

    # -- settlement (called by the lifecycle jobs and by operators) ------------------------

    async def fill(self, session: AsyncSession, order: PrimeOrder, now: int) -> None:
        """PROCESSING → FILLED, with the ledger entries of guide §6/§7 and the webhook."""
        partner = await _partner(session, order.partner_id)
        fiat, crypto = order.fiat_currency, order.crypto_currency
        platform_fiat = system_account(PLATFORM, fiat)
        revenue = revenue_account(partner.client_id, fiat)
        spread = order.spread_amount
        # The crypto entry first in both directions, so that a buy and a sell settling at
        # once lock the platform's accounts in the same order (no deadlock on PostgreSQL).
        if order.direction == "BUY":
            await post(
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
            await post(
                session, "fiat_in", legs, at=now, ref_type="prime_order", ref_id=order.order_id
            )
        else:
            await post(
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
            await post(
                session, "fiat_out", legs, at=now, ref_type="prime_order", ref_id=order.order_id
            )
        order.status = ORDER.move(order.status, OrderStatus.FILLED).value
        order.settle_time = now
        await add_event(session, order.order_id, now, "filled", status=order.status)
        await self._webhook(session, partner, order, now)
        if order.direction == "SELL":
            await self._enqueue_merchant_job(session, partner, order, "prime.transfer", now)

    async def fail(
        self, session: AsyncSession, order: PrimeOrder, now: int, reason: str, *, refund: bool
    ) -> None:
        partner = await _partner(session, order.partner_id)
        if order.direction == "SELL":
            await post(
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
        await add_event(session, order.order_id, now, "failed", status=order.status, reason=reason)
        await self._webhook(session, partner, order, now)
        if refund:
            await self._enqueue_merchant_job(session, partner, order, "prime.refund", now)

    async def _webhook(
        self, session: AsyncSession, partner: Partner, order: PrimeOrder, now: int
    ) -> None:
        if not partner.webhook_url:
            await add_event(session, order.order_id, now, "webhook_skipped", reason="no webhookUrl")
            return
        item = await enqueue_webhook(
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
        await add_event(
            session, order.order_id, now, "webhook_queued", outboxId=item.id, status=order.status
        )

    async def _enqueue_merchant_job(
        self, session: AsyncSession, partner: Partner, order: PrimeOrder, kind: str, now: int
    ) -> None:
        await enqueue(
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
        async with self.p.db.write() as session:
            order = await locked_order(session, order_id)
            if order is None:
                raise connect_errors.IllegalParameters("Order does not exist.")
            target = OrderStatus.FILLED if outcome == "fill" else OrderStatus.FAILED
            if not ORDER.can(order.status, target):
                raise errors.InvalidOrderStatus(
                    f"Order {order_id} is {order.status}, not PROCESSING."
                )
            if target is OrderStatus.FILLED:
                await self.fill(session, order, now)
            else:
                await self.fail(session, order, now, reason or "OPERATOR_FAILED", refund=False)
            result = order_out(order)
        self.p.wake_worker()
        return result


async def locked_order(session: AsyncSession, order_id: str) -> PrimeOrder | None:
    stmt = select(PrimeOrder).where(PrimeOrder.order_id == order_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def _partner(session: AsyncSession, partner_id: int) -> Partner:
    return (await session.execute(select(Partner).where(Partner.id == partner_id))).scalar_one()


def _direction(value: str) -> str:
    if value not in DIRECTIONS:
        raise errors.InvalidDirection('direction must be "BUY" or "SELL".')
    return value


def _amount_type(value: int) -> int:
    if value not in (1, 2):
        raise errors.InvalidAmountType("amountType must be 1 (fiat) or 2 (crypto).")
    return value


def _fiat(code: str) -> str:
    if code not in FIATS:
        raise connect_errors.IllegalParameters(f"Unsupported fiatCurrency {code}.")
    return code


def _crypto(code: str) -> str:
    if code not in CRYPTOS:
        raise connect_errors.IllegalParameters(f"Unsupported cryptoCurrency {code}.")
    return code
