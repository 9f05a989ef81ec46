"""Control-plane actions: partners, users, balances, the clock, deliveries, operator fixes."""

from __future__ import annotations

import asyncio
import ipaddress
import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from binance_sandbox.connect.auth import PartnerDirectory
from binance_sandbox.control import schemas
from binance_sandbox.control.errors import Conflict, Invalid, NotFound
from binance_sandbox.delivery.outbox import enqueue
from binance_sandbox.deposit.lifecycle import SessionStatus
from binance_sandbox.deposit.service import session_out
from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import (
    MINT_BURN_KINDS,
    WORLD,
    balances_of,
    external_account,
    post,
    transfer,
    user_account,
)
from binance_sandbox.market import CRYPTOS, FIATS
from binance_sandbox.pay.auth import MerchantDirectory
from binance_sandbox.pay.lifecycle import RefundStatus
from binance_sandbox.pay.service import PAY_CURRENCIES, PayService
from binance_sandbox.platform import Platform
from binance_sandbox.prime.service import order_out
from binance_sandbox.signing import (
    RsaKeyError,
    generate_private_key,
    load_public_key,
    private_key_to_pem,
    public_key_to_der_b64,
)
from binance_sandbox.storage.models import (
    Account,
    ChainTransfer,
    DeliveryAttempt,
    DepositReport,
    DepositSession,
    JournalEntry,
    Merchant,
    OrderEvent,
    OutboxItem,
    Partner,
    PayOrder,
    PayRefund,
    Posting,
    PrimeOrder,
    User,
)
from binance_sandbox.storage.models import RequestLog as RequestLogRow
from binance_sandbox.wallet.admin import link_sub_account

KNOWN_ASSETS = (*CRYPTOS, *FIATS, *(c for c in PAY_CURRENCIES if c not in CRYPTOS))


def _url(value: str | None, field: str) -> str | None:
    if value is None or value == "":
        return None
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise Invalid(f"{field} must be an http(s) URL.")
    return value


def _whitelist(items: list[str]) -> str:
    try:
        return json.dumps([str(ipaddress.ip_network(item.strip(), strict=False)) for item in items])
    except ValueError as exc:
        raise Invalid(f"ipWhitelist: {exc}") from exc


def _spreads(low: Decimal, high: Decimal) -> tuple[str, str]:
    if not Decimal(0) <= low <= high < 1:
        raise Invalid("customSpreadMin and customSpreadMax must satisfy 0 <= min <= max < 1.")
    return format(low, "f"), format(high, "f")


def _public_key(text: str) -> str:
    try:
        key = load_public_key(text)
    except RsaKeyError as exc:
        raise Invalid(f"rsaPublicKey: {exc}") from exc
    return public_key_to_der_b64(key)


def partner_out(p: Partner) -> dict[str, Any]:
    return {
        "clientId": p.client_id,
        "name": p.name,
        "active": p.active,
        "ipWhitelist": json.loads(p.ip_whitelist),
        "webhookUrl": p.webhook_url,
        "merchantApiBaseUrl": p.merchant_api_base_url,
        "customSpreadMin": p.custom_spread_min,
        "customSpreadMax": p.custom_spread_max,
        "webhookPublicKey": p.webhook_public_key,
        "createdAt": p.created_at,
        "credentialsIssuedAt": p.credentials_issued_at or p.created_at,
    }


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
    }


class ControlService:
    def __init__(
        self,
        platform: Platform,
        partners: PartnerDirectory,
        merchants: MerchantDirectory,
        pay: PayService,
    ) -> None:
        self.p = platform
        self.partners = partners
        self.merchants = merchants
        self.pay = pay

    # -- Binance Pay merchants --------------------------------------------------------------

    async def create_merchant(self, req: schemas.MerchantCreate) -> dict[str, Any]:
        now = self.p.clock.now_ms()
        merchant_id = req.merchantId or self.p.ids.digits(9)
        merchant = Merchant(
            merchant_id=merchant_id,
            name=req.name,
            api_key=req.apiKey or self.p.ids.alnum(64).lower(),
            api_secret=req.apiSecret or self.p.ids.secret(64).lower(),
            webhook_url=_url(req.webhookUrl, "webhookUrl"),
            ip_whitelist=_whitelist(req.ipWhitelist),
            direct_debit_whitelisted=req.directDebitWhitelisted,
            active=True,
            created_at=now,
        )
        try:
            async with self.p.db.write() as session:
                # The merchant's own Binance account: its wallets hold the Pay balance.
                session.add(
                    User(
                        user_id=merchant_id,
                        email=f"merchant{merchant_id}@sandbox.test",
                        pay_id=self.p.ids.digits(9),
                        created_at=now,
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

    async def _merchant(self, session: Any, merchant_id: str) -> Merchant:
        found = (
            await session.execute(select(Merchant).where(Merchant.merchant_id == merchant_id))
        ).scalar_one_or_none()
        if not isinstance(found, Merchant):
            raise NotFound(f"No merchant {merchant_id}.")
        return found

    async def update_merchant(
        self, merchant_id: str, req: schemas.MerchantUpdate
    ) -> dict[str, Any]:
        async with self.p.db.write() as session:
            m = await self._merchant(session, merchant_id)
            fields = req.model_fields_set
            if "name" in fields and req.name:
                m.name = req.name
            if "webhookUrl" in fields:
                m.webhook_url = _url(req.webhookUrl, "webhookUrl")
            if "ipWhitelist" in fields:
                m.ip_whitelist = _whitelist(req.ipWhitelist or [])
            if "directDebitWhitelisted" in fields and req.directDebitWhitelisted is not None:
                m.direct_debit_whitelisted = req.directDebitWhitelisted
            if "active" in fields and req.active is not None:
                m.active = req.active
            out = merchant_out(m)
        self.merchants.invalidate()
        return out

    async def list_merchants(self) -> list[dict[str, Any]]:
        async with self.p.db.read() as session:
            return [
                merchant_out(m)
                for m in (await session.execute(select(Merchant).order_by(Merchant.id))).scalars()
            ]

    async def get_merchant(self, merchant_id: str) -> dict[str, Any]:
        async with self.p.db.read() as session:
            return merchant_out(await self._merchant(session, merchant_id))

    async def pay_orders(
        self, *, merchant_id: str | None, status: str | None, limit: int
    ) -> list[dict[str, Any]]:
        async with self.p.db.read() as session:
            stmt = select(PayOrder)
            if merchant_id:
                stmt = stmt.where(PayOrder.merchant_id == merchant_id)
            if status:
                stmt = stmt.where(PayOrder.status == status)
            rows = (
                await session.execute(stmt.order_by(PayOrder.create_time.desc()).limit(limit))
            ).scalars()
            return [self.pay.order_out(o) for o in rows]

    async def pay_order(self, prepay_id: str) -> dict[str, Any]:
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
            events = (
                await session.execute(
                    select(OrderEvent)
                    .where(OrderEvent.order_ref == prepay_id)
                    .order_by(OrderEvent.id)
                )
            ).scalars()
            return {
                **self.pay.order_out(order),
                "expireTime": order.expire_time,
                "refunds": [
                    {
                        "refundRequestId": r.refund_request_id,
                        "refundAmount": format(money.from_units(r.refund_amount).normalize(), "f"),
                        "status": r.status,
                    }
                    for r in refunds
                ],
                "timeline": [
                    {"at": e.at, "kind": e.kind, "detail": json.loads(e.detail)} for e in events
                ],
            }

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
            await self.pay.settle_refund(
                session, refund_id, now, reject=req.reason or "REJECTED_BY_OPERATOR"
            )
        self.p.wake_worker()
        return {"refundRequestId": req.refundRequestId, "refundStatus": RefundStatus.FAIL.value}

    # -- partners -------------------------------------------------------------------------

    async def create_partner(self, req: schemas.PartnerCreate) -> dict[str, Any]:
        low, high = _spreads(req.customSpreadMin, req.customSpreadMax)
        rsa_public_key = _public_key(req.rsaPublicKey)
        webhook_key = await asyncio.to_thread(generate_private_key, 2048)
        partner = Partner(
            client_id=req.clientId or self.p.ids.alnum(20),
            name=req.name,
            sign_access_token=req.signAccessToken or self.p.ids.secret(40),
            rsa_public_key=rsa_public_key,
            ip_whitelist=_whitelist(req.ipWhitelist),
            webhook_url=_url(req.webhookUrl, "webhookUrl"),
            merchant_api_base_url=_url(req.merchantApiBaseUrl, "merchantApiBaseUrl"),
            merchant_api_token=req.merchantApiToken,
            custom_spread_min=low,
            custom_spread_max=high,
            webhook_private_key=private_key_to_pem(webhook_key),
            webhook_public_key=public_key_to_der_b64(webhook_key.public_key()),
            active=True,
            created_at=self.p.clock.now_ms(),
        )
        try:
            async with self.p.db.write() as session:
                session.add(partner)
        except IntegrityError as exc:
            raise Conflict(f"clientId {partner.client_id} exists.") from exc
        self.partners.invalidate(partner.client_id)
        # Guide §2: what Binance gives the partner.
        return {
            **partner_out(partner),
            "signAccessToken": partner.sign_access_token,
        }

    async def _partner(self, session: Any, client_id: str) -> Partner:
        partner = (
            await session.execute(select(Partner).where(Partner.client_id == client_id))
        ).scalar_one_or_none()
        if partner is None:
            raise NotFound(f"No partner {client_id}.")
        assert isinstance(partner, Partner)
        return partner

    async def update_partner(self, client_id: str, req: schemas.PartnerUpdate) -> dict[str, Any]:
        async with self.p.db.write() as session:
            partner = await self._partner(session, client_id)
            fields = req.model_fields_set
            if "name" in fields and req.name:
                partner.name = req.name
            if "rsaPublicKey" in fields and req.rsaPublicKey:
                partner.rsa_public_key = _public_key(req.rsaPublicKey)
            if "ipWhitelist" in fields:
                partner.ip_whitelist = _whitelist(req.ipWhitelist or [])
            if "webhookUrl" in fields:
                partner.webhook_url = _url(req.webhookUrl, "webhookUrl")
            if "merchantApiBaseUrl" in fields:
                partner.merchant_api_base_url = _url(req.merchantApiBaseUrl, "merchantApiBaseUrl")
            if "merchantApiToken" in fields:
                partner.merchant_api_token = req.merchantApiToken
            if fields & {"customSpreadMin", "customSpreadMax"}:
                low = (
                    req.customSpreadMin
                    if req.customSpreadMin is not None
                    else Decimal(partner.custom_spread_min)
                )
                high = (
                    req.customSpreadMax
                    if req.customSpreadMax is not None
                    else Decimal(partner.custom_spread_max)
                )
                partner.custom_spread_min, partner.custom_spread_max = _spreads(low, high)
            if "active" in fields and req.active is not None:
                partner.active = req.active
            out = partner_out(partner)
        self.partners.invalidate(client_id)
        return out

    async def list_partners(self) -> list[dict[str, Any]]:
        async with self.p.db.read() as session:
            rows = (await session.execute(select(Partner).order_by(Partner.id))).scalars()
            return [partner_out(p) for p in rows]

    async def get_partner(self, client_id: str) -> dict[str, Any]:
        async with self.p.db.read() as session:
            return partner_out(await self._partner(session, client_id))

    # -- users and balances ---------------------------------------------------------------

    async def create_user(self, req: schemas.UserCreate) -> dict[str, Any]:
        now = self.p.clock.now_ms()
        async with self.p.db.write() as session:
            partner_id = None
            if req.partnerClientId:
                partner_id = (await self._partner(session, req.partnerClientId)).id
            user_id = req.userId or self.p.ids.digits(11)
            email = (req.email or f"user{user_id}@sandbox.test").strip().lower()
            if "@" not in email:
                raise Invalid("email must contain @.")
            user = User(
                user_id=user_id,
                email=email,
                partner_id=partner_id,
                pay_id=self.p.ids.digits(9),
                created_at=now,
            )
            try:
                async with session.begin_nested():
                    session.add(user)
            except IntegrityError as exc:
                raise Conflict("A user with that userId or email exists.") from exc
            if req.masterUserId:
                await link_sub_account(session, req.masterUserId, user_id, now)
        return {
            "userId": user.user_id,
            "email": user.email,
            "payId": user.pay_id,
            "partnerClientId": req.partnerClientId,
            **({"masterUserId": req.masterUserId} if req.masterUserId else {}),
        }

    async def list_users(self, partner_client_id: str | None) -> list[dict[str, Any]]:
        async with self.p.db.read() as session:
            stmt = select(User, Partner.client_id).outerjoin(Partner, Partner.id == User.partner_id)
            if partner_client_id:
                stmt = stmt.where(Partner.client_id == partner_client_id)
            rows = (await session.execute(stmt.order_by(User.id))).all()
            return [
                {
                    "userId": u.user_id,
                    "email": u.email,
                    "payId": u.pay_id,
                    "partnerClientId": cid,
                    "createdAt": u.created_at,
                }
                for u, cid in rows
            ]

    async def _user_exists(self, session: Any, user_id: str) -> None:
        found = (
            await session.execute(select(User.id).where(User.user_id == user_id))
        ).scalar_one_or_none()
        if found is None:
            raise NotFound(f"No user {user_id}.")

    async def credit(self, req: schemas.Credit) -> dict[str, Any]:
        if req.asset not in KNOWN_ASSETS:
            raise Invalid(f"Unknown asset {req.asset}; known: {', '.join(KNOWN_ASSETS)}.")
        if req.amount <= 0:
            raise Invalid("amount must be greater than 0.")
        try:
            units = money.to_units(req.amount)
        except money.AmountError as exc:
            raise Invalid(f"amount: {exc}") from exc
        now = self.p.clock.now_ms()
        async with self.p.db.write() as session:
            await self._user_exists(session, req.userId)
            await post(
                session,
                "faucet",
                transfer(
                    external_account(f"{WORLD}:faucet", req.asset),
                    user_account(req.userId, req.asset, req.wallet),
                    units,
                ),
                at=now,
                ref_type="user",
                ref_id=req.userId,
                memo="control API credit",
            )
        return await self.balances(req.userId)

    async def balances(self, user_id: str) -> dict[str, Any]:
        async with self.p.db.read() as session:
            await self._user_exists(session, user_id)
            accounts = await balances_of(session, f"user:{user_id}")
        return {
            "userId": user_id,
            "balances": [
                {
                    "asset": a.asset,
                    "wallet": a.wallet,
                    "amount": format(money.from_units(a.balance), "f"),
                }
                for a in accounts
            ],
        }

    # -- the clock ------------------------------------------------------------------------

    def clock_out(self) -> dict[str, Any]:
        return {"nowMs": self.p.clock.now_ms(), "frozen": self.p.clock.frozen}

    async def advance_clock(self, ms: int) -> dict[str, Any]:
        await self.p.refresh_clock()
        if self.p.clock.now_ms() + ms > schemas.CLOCK_MAX_MS:
            raise Invalid("The sandbox clock stops at 3000-01-01T00:00:00Z.")
        await self.p.set_clock(self.p.clock.advanced(ms))
        return self.clock_out()

    async def set_clock(self, req: schemas.ClockSet) -> dict[str, Any]:
        await self.p.refresh_clock()
        freeze = self.p.clock.frozen if req.frozen is None else req.frozen
        if req.nowMs is not None and req.nowMs < self.p.clock.now_ms() - 1:
            raise Invalid("The sandbox clock only moves forward.")
        await self.p.set_clock(self.p.clock.frozen_state(freeze, req.nowMs))
        return self.clock_out()

    # -- deliveries -----------------------------------------------------------------------

    async def webhooks(
        self, *, owner: str | None, ref: str | None, status: str | None, limit: int
    ) -> list[dict[str, Any]]:
        async with self.p.db.read() as session:
            stmt = select(OutboxItem).where(OutboxItem.kind == "webhook")
            if owner:
                stmt = stmt.where(OutboxItem.owner == owner)
            if ref:
                stmt = stmt.where(OutboxItem.ref == ref)
            if status:
                stmt = stmt.where(OutboxItem.status == status)
            items = list(
                (await session.execute(stmt.order_by(OutboxItem.id.desc()).limit(limit))).scalars()
            )
            attempts = await self._attempts(session, [i.id for i in items])
            return [self._delivery_out(i, attempts.get(i.id, [])) for i in items]

    async def _attempts(self, session: Any, ids: list[int]) -> dict[int, list[DeliveryAttempt]]:
        out: dict[int, list[DeliveryAttempt]] = {}
        if ids:
            rows = (
                await session.execute(
                    select(DeliveryAttempt)
                    .where(DeliveryAttempt.outbox_id.in_(ids))
                    .order_by(DeliveryAttempt.id)
                )
            ).scalars()
            for a in rows:
                out.setdefault(a.outbox_id, []).append(a)
        return out

    def _delivery_out(self, item: OutboxItem, attempts: list[DeliveryAttempt]) -> dict[str, Any]:
        payload = json.loads(item.payload)
        return {
            "id": item.id,
            "family": item.family,
            "event": payload.get("event"),
            "owner": item.owner,
            "ref": item.ref,
            "url": payload.get("url"),
            "body": payload.get("body"),
            "status": item.status,
            "attempts": item.attempts,
            "maxAttempts": item.max_attempts,
            "nextAttemptAt": item.due_at if item.status == "pending" else None,
            "createdAt": item.created_at,
            "finishedAt": item.finished_at,
            "lastError": item.last_error,
            "redeliveryOf": payload.get("redeliveryOf"),
            "attemptLog": [
                {
                    "number": a.number,
                    "at": a.at,
                    "requestHeaders": json.loads(a.request_headers) if a.request_headers else None,
                    "statusCode": a.status_code,
                    "responseBody": a.response_body,
                    "error": a.error,
                    "durationMs": a.duration_ms,
                    "outcome": a.outcome,
                }
                for a in attempts
            ],
        }

    async def webhook(self, item_id: int) -> dict[str, Any]:
        async with self.p.db.read() as session:
            item = (
                await session.execute(
                    select(OutboxItem).where(OutboxItem.id == item_id, OutboxItem.kind == "webhook")
                )
            ).scalar_one_or_none()
            if item is None:
                raise NotFound(f"No webhook delivery {item_id}.")
            attempts = await self._attempts(session, [item.id])
            return self._delivery_out(item, attempts.get(item.id, []))

    async def redeliver(self, item_id: int) -> dict[str, Any]:
        """Send a delivery again, as a new delivery (the original's record stays as it was)."""
        now = self.p.clock.now_ms()
        async with self.p.db.write() as session:
            item = (
                await session.execute(
                    select(OutboxItem).where(OutboxItem.id == item_id, OutboxItem.kind == "webhook")
                )
            ).scalar_one_or_none()
            if item is None:
                raise NotFound(f"No webhook delivery {item_id}.")
            payload = json.loads(item.payload)
            payload["redeliveryOf"] = item.id
            if payload.get("signer", {}).get("scheme") == "connect":
                # To where the partner receives webhooks now (they may have fixed the URL).
                current = (
                    await session.execute(
                        select(Partner.webhook_url).where(Partner.client_id == item.owner)
                    )
                ).scalar_one_or_none()
                payload["url"] = current or payload["url"]
            copy = await enqueue(
                session,
                kind="webhook",
                family=item.family,
                payload=payload,
                due_at=now,
                now=now,
                max_attempts=self.p.settings.webhook_max_attempts,
                owner=item.owner,
                ref=item.ref,
            )
            new_id = copy.id
        self.p.wake_worker()
        return await self.webhook(new_id)

    # -- Connect Prime orders ---------------------------------------------------------------

    async def prime_orders(
        self, *, partner_client_id: str | None, status: str | None, user_id: str | None, limit: int
    ) -> list[dict[str, Any]]:
        async with self.p.db.read() as session:
            stmt = select(PrimeOrder, Partner.client_id).join(
                Partner, Partner.id == PrimeOrder.partner_id
            )
            if partner_client_id:
                stmt = stmt.where(Partner.client_id == partner_client_id)
            if status:
                stmt = stmt.where(PrimeOrder.status == status)
            if user_id:
                stmt = stmt.where(PrimeOrder.user_id == user_id)
            rows = (
                await session.execute(stmt.order_by(PrimeOrder.create_time.desc()).limit(limit))
            ).all()
            return [{**order_out(o), "partnerClientId": cid} for o, cid in rows]

    async def prime_order(self, order_id: str) -> dict[str, Any]:
        async with self.p.db.read() as session:
            row = (
                await session.execute(
                    select(PrimeOrder, Partner.client_id)
                    .join(Partner, Partner.id == PrimeOrder.partner_id)
                    .where(PrimeOrder.order_id == order_id)
                )
            ).first()
            if row is None:
                raise NotFound(f"No Connect Prime order {order_id}.")
            order, client_id = row
            events = (
                await session.execute(
                    select(OrderEvent)
                    .where(OrderEvent.order_ref == order_id)
                    .order_by(OrderEvent.id)
                )
            ).scalars()
            return {
                **order_out(order),
                "partnerClientId": client_id,
                "checkStatus": order.check_status,
                "transactionId": order.transaction_id,
                "refundStatus": order.refund_status,
                "refundReference": order.refund_reference,
                "transferStatus": order.transfer_status,
                "transferReference": order.transfer_reference,
                "timeline": [
                    {"at": e.at, "kind": e.kind, "detail": json.loads(e.detail)} for e in events
                ],
            }

    # -- Connect Deposit sessions ------------------------------------------------------------

    async def deposits(
        self,
        *,
        partner_client_id: str | None,
        status: str | None,
        user_id: str | None,
        limit: int,
        base_url: str,
    ) -> list[dict[str, Any]]:
        now = self.p.clock.now_ms()
        conditions = []
        if partner_client_id:
            conditions.append(Partner.client_id == partner_client_id)
        if user_id:
            conditions.append(DepositSession.user_id == user_id)
        # The status a session answers with: INIT past its link's expiry is EXPIRED.
        init, expired = SessionStatus.INIT.value, SessionStatus.EXPIRED.value
        if status == init:
            conditions += [DepositSession.status == init, DepositSession.link_expire_time > now]
        elif status == expired:
            conditions.append(
                (DepositSession.status == expired)
                | ((DepositSession.status == init) & (DepositSession.link_expire_time <= now))
            )
        elif status:
            conditions.append(DepositSession.status == status)
        async with self.p.db.read() as session:
            rows = (
                await session.execute(
                    self._deposit_query()
                    .where(*conditions)
                    .order_by(DepositSession.create_time.desc(), DepositSession.session_id)
                    .limit(limit)
                )
            ).all()
        base = self.p.settings.public_base_url or base_url
        return [
            session_out(
                row, now, client_id=cid, base_url=base, report=report, chain_status=chain_status
            )
            for row, cid, report, chain_status in rows
        ]

    async def deposit(
        self, partner_client_id: str, external_order_id: str, base_url: str
    ) -> dict[str, Any]:
        async with self.p.db.read() as session:
            found = (
                await session.execute(
                    self._deposit_query().where(
                        Partner.client_id == partner_client_id,
                        DepositSession.external_order_id == external_order_id,
                    )
                )
            ).first()
            if found is None:
                raise NotFound(
                    f"No deposit session {external_order_id} of partner {partner_client_id}."
                )
            row, cid, report, chain_status = found
            events = (
                await session.execute(
                    select(OrderEvent)
                    .where(OrderEvent.order_ref == row.session_id)
                    .order_by(OrderEvent.id)
                )
            ).scalars()
            base = self.p.settings.public_base_url or base_url
            return {
                **session_out(
                    row,
                    self.p.clock.now_ms(),
                    client_id=cid,
                    base_url=base,
                    report=report,
                    chain_status=chain_status,
                ),
                "timeline": [
                    {"at": e.at, "kind": e.kind, "detail": json.loads(e.detail)} for e in events
                ],
            }

    @staticmethod
    def _deposit_query() -> Any:
        return (
            select(DepositSession, Partner.client_id, DepositReport, ChainTransfer.status)
            .join(Partner, Partner.id == DepositSession.partner_id)
            .outerjoin(DepositReport, DepositReport.session_id == DepositSession.session_id)
            .outerjoin(ChainTransfer, ChainTransfer.tx_hash == DepositReport.tx_hash)
        )

    # -- the request log ----------------------------------------------------------------------

    async def requests(
        self, *, family: str | None, caller: str | None, code: str | None, limit: int
    ) -> list[dict[str, Any]]:
        await self.p.flush_request_log()
        async with self.p.db.read() as session:
            stmt = select(RequestLogRow)
            if family:
                stmt = stmt.where(RequestLogRow.family == family)
            if caller:
                stmt = stmt.where(RequestLogRow.caller == caller)
            if code:
                stmt = stmt.where(RequestLogRow.code == code)
            rows = (
                await session.execute(stmt.order_by(RequestLogRow.id.desc()).limit(limit))
            ).scalars()
            return [
                {
                    "id": r.id,
                    "at": r.at,
                    "family": r.family,
                    "method": r.method,
                    "path": r.path,
                    "caller": r.caller,
                    "clientIp": r.client_ip,
                    "httpStatus": r.http_status,
                    "code": r.code,
                    "latencyMs": r.latency_ms,
                    "explanation": r.explanation,
                }
                for r in rows
            ]

    # -- the ledger's own audit -------------------------------------------------------------

    async def ledger_audit(self) -> dict[str, Any]:
        """Check every invariant of DESIGN.md's "One ledger under everything"."""
        async with self.p.db.read() as session:
            unbalanced = (
                await session.execute(
                    select(Posting.entry_id, Posting.asset, func.sum(Posting.amount))
                    .group_by(Posting.entry_id, Posting.asset)
                    .having(func.sum(Posting.amount) != 0)
                )
            ).all()
            drift = (
                await session.execute(
                    select(Account.id, Account.balance, func.coalesce(func.sum(Posting.amount), 0))
                    .outerjoin(Posting, Posting.account_id == Account.id)
                    .group_by(Account.id, Account.balance)
                    .having(Account.balance != func.coalesce(func.sum(Posting.amount), 0))
                )
            ).all()
            negative = (
                await session.execute(
                    select(Account.owner, Account.asset, Account.wallet, Account.balance).where(
                        Account.kind != "external", Account.balance < 0
                    )
                )
            ).all()
            stray = (
                await session.execute(
                    select(JournalEntry.id, JournalEntry.kind)
                    .join(Posting, Posting.entry_id == JournalEntry.id)
                    .join(Account, Account.id == Posting.account_id)
                    .where(Account.kind == "external")
                    .where(JournalEntry.kind.not_in(sorted(MINT_BURN_KINDS)))
                )
            ).all()
            inside = (
                await session.execute(
                    select(Account.asset, func.sum(Account.balance))
                    .where(Account.kind != "external")
                    .group_by(Account.asset)
                )
            ).all()
            minted = (
                await session.execute(
                    select(Posting.asset, func.sum(Posting.amount))
                    .join(Account, Account.id == Posting.account_id)
                    .where(Account.kind == "external")
                    .group_by(Posting.asset)
                )
            ).all()
        minted_by = {asset: -int(total) for asset, total in minted}
        totals = {asset: int(total) for asset, total in inside}
        conserved = all(
            totals.get(a, 0) == minted_by.get(a, 0) for a in set(totals) | set(minted_by)
        )
        return {
            "ok": not unbalanced and not drift and not negative and not stray and conserved,
            "unbalancedEntries": [
                {"entryId": e, "asset": a, "sum": str(s)} for e, a, s in unbalanced
            ],
            "balanceDrift": [{"accountId": i} for i, _b, _s in drift],
            "negativeBalances": [{"owner": o, "asset": a, "wallet": w} for o, a, w, _b in negative],
            "externalPostingsOutsideMintBurn": [{"entryId": i, "kind": k} for i, k in stray],
            "totalsConserved": conserved,
            "totals": {a: format(money.from_units(t), "f") for a, t in sorted(totals.items())},
        }

    # -- read-only summaries for the web console ---------------------------------------------

    async def counts(self) -> dict[str, Any]:
        """How many of each thing the sandbox holds: the console's overview."""
        async with self.p.db.read() as session:

            async def total(model: Any) -> int:
                return int((await session.execute(select(func.count(model.id)))).scalar_one())

            async def by_status(column: Any, where: Any = None) -> dict[str, int]:
                stmt = select(column, func.count()).group_by(column)
                if where is not None:
                    stmt = stmt.where(where)
                return {str(s): int(n) for s, n in (await session.execute(stmt)).all()}

            return {
                "partners": await total(Partner),
                "merchants": await total(Merchant),
                "users": await total(User),
                "primeOrders": await by_status(PrimeOrder.status),
                "payOrders": await by_status(PayOrder.status),
                "webhooks": await by_status(OutboxItem.status, OutboxItem.kind == "webhook"),
            }

    async def request_entry(self, request_id: int) -> dict[str, Any]:
        """One entry of the request log (with a rejected signature's explanation)."""
        await self.p.flush_request_log()
        async with self.p.db.read() as session:
            r = (
                await session.execute(select(RequestLogRow).where(RequestLogRow.id == request_id))
            ).scalar_one_or_none()
            if r is None:
                raise NotFound(f"No request {request_id} in the log.")
            return {
                "id": r.id,
                "at": r.at,
                "family": r.family,
                "method": r.method,
                "path": r.path,
                "caller": r.caller,
                "clientIp": r.client_ip,
                "httpStatus": r.http_status,
                "code": r.code,
                "latencyMs": r.latency_ms,
                "explanation": r.explanation,
            }
