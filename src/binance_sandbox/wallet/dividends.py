"""Asset dividends: records the control API creates, each credited to the user's SPOT wallet
by a `dividend` ledger entry (a mint, from `world:dividends`), listed by
`/sapi/v1/asset/assetDividend`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import WORLD, external_account, post, transfer, user_account
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import WalletDividend


def dividend_out(d: WalletDividend) -> dict[str, Any]:
    return {
        "amount": money.fmt(d.amount, 8),
        "asset": d.asset,
        "divTime": d.div_time,
        "enInfo": d.en_info,
        "tranId": d.tran_id,
    }


async def credit_dividend(
    platform: Platform,
    session: AsyncSession,
    *,
    user_id: str,
    asset: str,
    amount: Decimal,
    info: str | None,
    at: int,
) -> WalletDividend:
    units = money.to_units(amount)
    record = WalletDividend(
        tran_id=int(platform.ids.digits(10)),
        user_id=user_id,
        asset=asset,
        amount=units,
        div_time=at,
        en_info=info or f"{asset} distribution",
    )
    session.add(record)
    await session.flush()
    await session.run_sync(
        post,
        "dividend",
        transfer(
            external_account(f"{WORLD}:dividends", asset), user_account(user_id, asset), units
        ),
        at=at,
        ref_type="dividend",
        ref_id=str(record.tran_id),
        memo=record.en_info,
    )
    return record


class DividendService:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    async def records(
        self, user_id: str, *, asset: str | None, start: int | None, end: int | None
    ) -> dict[str, Any]:
        """Newest first, as the spec's sample lists them."""
        stmt = select(WalletDividend).where(WalletDividend.user_id == user_id)
        if asset is not None:
            stmt = stmt.where(WalletDividend.asset == asset)
        if start is not None:
            stmt = stmt.where(WalletDividend.div_time >= start)
        if end is not None:
            stmt = stmt.where(WalletDividend.div_time <= end)
        async with self.p.db.read() as session:
            rows = [
                dividend_out(d)
                for d in (
                    await session.execute(
                        stmt.order_by(WalletDividend.div_time.desc(), WalletDividend.tran_id.desc())
                    )
                ).scalars()
            ]
        return {"rows": rows, "total": len(rows)}
