"""The merchant's own account: balances (v1, v2), transfers between the Pay wallet and the
main wallet, sub-merchants, and the webhook certificate (docs/binance-pay.md)."""

from __future__ import annotations

import json
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import (
    InsufficientBalance,
    balances_of,
    post,
    transfer,
    user_account,
)
from binance_sandbox.market import CRYPTOS, PriceUnavailable
from binance_sandbox.pay import errors, schemas
from binance_sandbox.pay.auth import MerchantAuth
from binance_sandbox.pay.keys import PayWebhookKey
from binance_sandbox.pay.lifecycle import DETAIL_OPEN, RefundStatus, TransferStatus
from binance_sandbox.pay.service_shared import FUNDING, PAY_CURRENCIES, SPOT
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import (
    PayOrder,
    PayPayout,
    PayPayoutDetail,
    PayRefund,
    PayWalletTransfer,
    SubMerchant,
)

WALLETS = {"FUNDING_WALLET": FUNDING, "SPOT_WALLET": SPOT}
VALUATION_FIAT = "USD"
_Q8 = Decimal("0.00000001")


def _upper_currency(currency: str) -> str:
    if currency != currency.upper() or not currency.isalnum():
        raise errors.InvalidParamWrongValue("currency must be upper case letters or digits.")
    return currency


class WalletService:
    def __init__(self, platform: Platform, key: PayWebhookKey) -> None:
        self.p = platform
        self.key = key

    def _valuation(self, asset: str, amount: Decimal, now: int) -> tuple[Decimal, Decimal]:
        try:
            usd = self.p.market.price(asset, VALUATION_FIAT, now)
            btc = self.p.market.price("BTC", VALUATION_FIAT, now)
        except PriceUnavailable:
            return Decimal(0), Decimal(0)
        fiat = (amount * usd).quantize(_Q8, rounding=ROUND_DOWN)
        return fiat.normalize(), (amount * usd / btc).quantize(_Q8, rounding=ROUND_DOWN).normalize()

    async def balance_v1(self, merchant: MerchantAuth, req: schemas.BalanceV1) -> dict[str, Any]:
        currency = _upper_currency(req.currency)
        wallet = WALLETS[req.wallet]
        async with self.p.db.read() as session:
            accounts = await session.run_sync(balances_of, f"user:{merchant.merchant_id}")
        units = sum(a.balance for a in accounts if a.asset == currency and a.wallet == wallet)
        amount = money.from_units(units).normalize()
        fiat, btc = self._valuation(currency, amount, self.p.clock.now_ms())
        return {
            "balance": amount,
            "asset": currency,
            "fiat": VALUATION_FIAT,
            "availableFiatValuation": fiat,
            "availableBtcValuation": btc,
        }

    async def balance_v2(self, merchant: MerchantAuth, req: schemas.BalanceV2) -> dict[str, Any]:
        wallet = WALLETS[req.wallet]
        currency = _upper_currency(req.currency) if req.currency else None
        async with self.p.db.read() as session:
            accounts = await session.run_sync(balances_of, f"user:{merchant.merchant_id}")
        held = {a.asset: a.balance for a in accounts if a.wallet == wallet}
        frozen = await self._frozen(merchant.merchant_id, wallet)
        assets = (
            [currency]
            if currency
            else sorted(a for a in set(held) | set(frozen) if held.get(a) or frozen.get(a))
        )
        now = self.p.clock.now_ms()
        out = []
        for asset in assets:
            amount = money.from_units(held.get(asset, 0)).normalize()
            fiat, btc = self._valuation(asset, amount, now)
            out.append(
                {
                    "asset": asset,
                    "available": amount,
                    "freeze": money.from_units(frozen.get(asset, 0)).normalize(),
                    "availableFiatValuation": fiat,
                    "availableBtcValuation": btc,
                }
            )
        return {
            "balance": out,
            "wallet": req.wallet,
            "updateTime": str(now),
            "fiat": VALUATION_FIAT,
        }

    async def _frozen(self, merchant_id: str, wallet: str) -> dict[str, int]:
        """What has left this wallet but is not settled yet: refunds still pending (they come
        from FUNDING) and payout details not yet paid, per asset."""
        frozen: dict[str, int] = {}
        async with self.p.db.read() as session:
            if wallet == FUNDING:
                refunds = await session.execute(
                    select(PayOrder.currency, func.sum(PayRefund.refund_amount))
                    .join(PayOrder, PayOrder.prepay_id == PayRefund.prepay_id)
                    .where(
                        PayRefund.merchant_id == merchant_id,
                        PayRefund.status == RefundStatus.PENDING.value,
                    )
                    .group_by(PayOrder.currency)
                )
                for asset, units in refunds:
                    frozen[asset] = frozen.get(asset, 0) + int(units)
            method = "FUNDING_WALLET" if wallet == FUNDING else "SPOT_WALLET"
            payouts = await session.execute(
                select(PayPayout.currency, func.sum(PayPayoutDetail.amount))
                .join(PayPayout, PayPayout.payout_id == PayPayoutDetail.payout_id)
                .where(
                    PayPayout.merchant_id == merchant_id,
                    PayPayoutDetail.transfer_method == method,
                    PayPayoutDetail.status.in_(sorted(s.value for s in DETAIL_OPEN)),
                )
                .group_by(PayPayout.currency)
            )
            for asset, units in payouts:
                frozen[asset] = frozen.get(asset, 0) + int(units)
        return frozen

    def _transfer_out(self, t: PayWalletTransfer) -> dict[str, Any]:
        return {
            "tranId": t.request_id,
            "status": t.status,
            "currency": t.currency,
            "amount": format(money.from_units(t.amount).normalize(), "f"),
            "transferType": t.transfer_type,
        }

    async def transfer(self, merchant: MerchantAuth, req: schemas.WalletTransfer) -> dict[str, Any]:
        """TO_MAIN: Pay (FUNDING) → main (SPOT); TO_PAY: the other way. Settles at once."""
        currency = _upper_currency(req.currency)
        if currency not in (*PAY_CURRENCIES, *CRYPTOS):
            raise errors.InvalidParamWrongValue(f"currency {currency} is not supported.")
        units = money.to_units(req.amount)
        src, dst = (FUNDING, SPOT) if req.transferType == "TO_MAIN" else (SPOT, FUNDING)
        now = self.p.clock.now_ms()
        try:
            async with self.p.db.write() as session:
                existing = await self._find(session, merchant.merchant_id, req.requestId)
                if existing is not None:
                    same = (existing.currency, existing.amount, existing.transfer_type) == (
                        currency,
                        units,
                        req.transferType,
                    )
                    if not same:
                        raise errors.InvalidParamWrongValue(
                            f"requestId {req.requestId} was used for another transfer."
                        )
                    return self._transfer_out(existing)
                record = PayWalletTransfer(
                    tran_id=req.requestId,
                    request_id=req.requestId,
                    merchant_id=merchant.merchant_id,
                    currency=currency,
                    amount=units,
                    transfer_type=req.transferType,
                    status=TransferStatus.SUCCESS.value,
                    created_at=now,
                )
                session.add(record)
                await session.flush()
                try:
                    async with session.begin_nested():
                        await session.run_sync(
                            post,
                            "pay_wallet_transfer",
                            transfer(
                                user_account(merchant.merchant_id, currency, src),
                                user_account(merchant.merchant_id, currency, dst),
                                units,
                            ),
                            at=now,
                            ref_type="pay_wallet_transfer",
                            ref_id=req.requestId,
                        )
                except InsufficientBalance as exc:
                    raise errors.AccountRemainingAmountNotEnough(
                        f"The {src} wallet holds too little {currency}."
                    ) from exc
                return self._transfer_out(record)
        except IntegrityError:
            async with self.p.db.read() as session:
                existing = await self._find(session, merchant.merchant_id, req.requestId)
            if existing is None:
                raise
            return self._transfer_out(existing)

    async def _find(
        self, session: Any, merchant_id: str, request_id: str
    ) -> PayWalletTransfer | None:
        found = (
            await session.execute(
                select(PayWalletTransfer).where(
                    PayWalletTransfer.merchant_id == merchant_id,
                    PayWalletTransfer.request_id == request_id,
                )
            )
        ).scalar_one_or_none()
        return found if isinstance(found, PayWalletTransfer) else None

    async def transfer_query(
        self, merchant: MerchantAuth, req: schemas.WalletTransferQuery
    ) -> dict[str, Any]:
        async with self.p.db.read() as session:
            found = await self._find(session, merchant.merchant_id, req.tranId)
        if found is None:
            raise errors.OrderNotFound(f"No transfer {req.tranId}.")
        return {"tranId": found.request_id, "status": found.status}

    async def add_sub_merchant(
        self, merchant: MerchantAuth, req: schemas.SubMerchantAdd
    ) -> dict[str, Any]:
        if not (req.merchantMcc.isdigit() and len(req.merchantMcc) == 4):
            raise errors.InvalidParamWrongValue("merchantMcc must be four digits.")
        needed = (
            ("certificateType", "certificateCountry", "certificateNumber", "certificateValidDate")
            if req.merchantType == 1
            else (
                "companyName",
                "registrationNumber",
                "registrationCountry",
                "registrationAddress",
                "incorporationDate",
            )
        )
        if req.merchantMcc == "9999":
            needed = (*needed, "payIndustryDescription")
        if req.siteType == 1:
            needed = (*needed, "siteUrl", "siteName")
        elif req.siteType in (2, 3):
            needed = (*needed, "siteName")
        missing = [name for name in needed if getattr(req, name) in (None, "")]
        if missing:
            raise errors.MandatoryParamEmptyOrMalformed(
                f"{', '.join(missing)} required for merchantType {req.merchantType}."
            )
        sub = SubMerchant(
            sub_merchant_id=self.p.ids.digits(16),
            merchant_id=merchant.merchant_id,
            merchant_name=req.merchantName,
            merchant_type=req.merchantType,
            merchant_mcc=req.merchantMcc,
            country=req.country,
            detail=json.dumps(req.model_dump(exclude_none=True), default=str),
            active=True,
            created_at=self.p.clock.now_ms(),
        )
        try:
            async with self.p.db.write() as session:
                session.add(sub)
        except IntegrityError as exc:
            raise errors.SubMerchantExists(
                f"A sub merchant named {req.merchantName} exists."
            ) from exc
        return {"subMerchantId": int(sub.sub_merchant_id)}

    def certificates(self) -> list[dict[str, str]]:
        return [{"certSerial": self.key.cert_serial, "certPublic": self.key.public_pem}]
