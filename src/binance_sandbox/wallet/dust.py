"""Dust: small SPOT balances converted to BNB (`/sapi/v1/asset/dust`) and the dribblet log
(`userAssetDribbletLog.html`).

Each asset is valued at the market price of the sandbox clock's now: gross BNB =
amount × price(asset) / price(BNB), rounded down to 1e-8; the service charge is
`SERVICE_CHARGE` (2 %) of that, rounded up to 1e-8; the user receives the rest. An asset
qualifies when its whole balance is worth at most `MAX_DUST_BTC`. One conversion is one
ledger entry of kind `dust` (the assets go to the platform, the BNB comes from it) and one
`tranId` shared by every asset converted; all assets convert or none does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import (
    PLATFORM,
    InsufficientBalance,
    Leg,
    balances_of,
    post,
    system_account,
    user_account,
)
from binance_sandbox.market import PriceUnavailable
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import WalletDustLog
from binance_sandbox.wallet import errors

BNB = "BNB"
SERVICE_CHARGE = Decimal("0.02")
MAX_DUST_BTC = Decimal("0.001")
PRICE_FIAT = "USD"


@dataclass(frozen=True)
class Conversion:
    asset: str
    amount: int
    transferred: int
    charge: int


def _fixed(units: int) -> str:
    return money.fmt(units, 8)


def _plain(units: int) -> str:
    return format(money.from_units(units).normalize(), "f")


def operate_time_text(ms: int) -> str:
    """The dribblet log's `operate_time` ("2018-05-03 17:07:04"), in UTC."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


class DustService:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    def _price(self, asset: str, now: int) -> Decimal:
        try:
            return self.p.market.price(asset, PRICE_FIAT, now)
        except PriceUnavailable as exc:
            raise errors.DustNotAllowed() from exc

    def _convert(self, asset: str, units: int, now: int) -> Conversion:
        if asset == BNB:
            raise errors.DustNotAllowed()
        price = self._price(asset, now)
        amount = money.from_units(units)
        if amount * price / self._price("BTC", now) > MAX_DUST_BTC:
            raise errors.DustTooMuch(
                f"The residual balances of {asset} have exceeded 0.001BTC, Please re-choose."
            )
        gross = (amount * price / self._price(BNB, now)).quantize(money.UNIT, ROUND_DOWN)
        charge = (gross * SERVICE_CHARGE).quantize(money.UNIT, ROUND_UP)
        transferred = gross - charge
        if transferred <= 0:
            raise errors.DustTooLow(
                f"The residual balances of {asset} is too low, Please re-choose."
            )
        return Conversion(asset, units, money.to_units(transferred), money.to_units(charge))

    async def convert(self, user_id: str, assets: list[str]) -> dict[str, Any]:
        now = self.p.clock.now_ms()
        tran_id = int(self.p.ids.digits(10))
        interval = self.p.settings.wallet_dust_interval_ms
        try:
            async with self.p.db.write() as session:
                if interval > 0:
                    last = (
                        await session.execute(
                            select(func.max(WalletDustLog.operate_time)).where(
                                WalletDustLog.user_id == user_id
                            )
                        )
                    ).scalar_one_or_none()
                    if last is not None and now - int(last) < interval:
                        raise errors.DustTooSoon()
                held = {
                    a.asset: a.balance
                    for a in await session.run_sync(balances_of, f"user:{user_id}")
                    if a.wallet == "SPOT"
                }
                conversions = []
                for asset in assets:
                    if not held.get(asset):
                        raise errors.DustNoAsset()
                    conversions.append(self._convert(asset, held[asset], now))
                total = sum(c.transferred for c in conversions)
                legs = [
                    leg
                    for c in conversions
                    for leg in (
                        Leg(user_account(user_id, c.asset), -c.amount),
                        Leg(system_account(PLATFORM, c.asset), c.amount),
                    )
                ]
                legs += [
                    Leg(system_account(PLATFORM, BNB), -total),
                    Leg(user_account(user_id, BNB), total),
                ]
                try:
                    async with session.begin_nested():
                        await session.run_sync(
                            post,
                            "dust",
                            legs,
                            at=now,
                            ref_type="dust",
                            ref_id=str(tran_id),
                        )
                except InsufficientBalance as exc:
                    raise errors.DustInsufficient() from exc
                session.add_all(
                    WalletDustLog(
                        tran_id=tran_id,
                        user_id=user_id,
                        from_asset=c.asset,
                        amount=c.amount,
                        transferred_amount=c.transferred,
                        service_charge=c.charge,
                        operate_time=now,
                    )
                    for c in conversions
                )
        except IntegrityError as exc:
            raise errors.Busy() from exc
        return {
            "totalServiceCharge": _fixed(sum(c.charge for c in conversions)),
            "totalTransfered": _fixed(total),
            "transferResult": [
                {
                    "amount": _fixed(c.amount),
                    "fromAsset": c.asset,
                    "operateTime": now,
                    "serviceChargeAmount": _fixed(c.charge),
                    "tranId": tran_id,
                    "transferedAmount": _fixed(c.transferred),
                }
                for c in conversions
            ],
        }

    async def dribblet_log(self, user_id: str) -> dict[str, Any]:
        """Conversions newest first, as the spec's sample lists them."""
        async with self.p.db.read() as session:
            rows = list(
                (
                    await session.execute(
                        select(WalletDustLog)
                        .where(WalletDustLog.user_id == user_id)
                        .order_by(WalletDustLog.operate_time.desc(), WalletDustLog.id)
                    )
                ).scalars()
            )
        grouped: dict[int, list[WalletDustLog]] = {}
        for row in rows:
            grouped.setdefault(row.tran_id, []).append(row)
        out = []
        for tran_id, logs in grouped.items():
            when = operate_time_text(logs[0].operate_time)
            out.append(
                {
                    "transfered_total": _plain(sum(r.transferred_amount for r in logs)),
                    "service_charge_total": _plain(sum(r.service_charge for r in logs)),
                    "tran_id": tran_id,
                    "logs": [
                        {
                            "tranId": tran_id,
                            "serviceChargeAmount": _plain(r.service_charge),
                            "uid": user_id,
                            "amount": _plain(r.amount),
                            "operateTime": operate_time_text(r.operate_time),
                            "transferedAmount": _plain(r.transferred_amount),
                            "fromAsset": r.from_asset,
                        }
                        for r in logs
                    ],
                    "operate_time": when,
                }
            )
        return {"success": True, "results": {"total": len(out), "rows": out}}
