"""Connect Prime's order queries and a user's assets (guide §6 step 7, §7)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select

from binance_sandbox.connect import errors as connect_errors
from binance_sandbox.connect.auth import PartnerAuth
from binance_sandbox.ledger import money
from binance_sandbox.market import CRYPTOS
from binance_sandbox.platform import Platform
from binance_sandbox.prime import schemas
from binance_sandbox.prime.lifecycle import STATUS_CODES
from binance_sandbox.prime.service_shared import (
    PRIME_LOCKED,
    check_crypto,
    check_direction,
    check_user,
    order_out,
)
from binance_sandbox.storage.models import Account, PrimeOrder

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


class OrderQueries:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

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
            conditions.append(PrimeOrder.direction == check_direction(req.direction))
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
            check_crypto(req.asset)
        async with self.p.db.read() as session:
            await check_user(session, partner, req.userId)
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
