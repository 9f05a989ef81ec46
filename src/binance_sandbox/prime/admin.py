"""What the control API and the console do for Connect Prime: orders with their partner and
timeline, and a PROCESSING order filled or failed by hand. Errors are the control API's own."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.admin_errors import NotFound
from binance_sandbox.platform import Platform
from binance_sandbox.prime.service_settlement import SettlementService
from binance_sandbox.prime.service_shared import order_out
from binance_sandbox.storage.models import OrderEvent, Partner, PrimeOrder, Quote


async def delete_partner_orders(session: AsyncSession, partner_id: int) -> int:
    """Delete a partner's orders with their timelines, and its quotes, as a reset of the
    partner does; how many orders there were."""
    order_ids = select(PrimeOrder.order_id).where(PrimeOrder.partner_id == partner_id)
    await session.execute(delete(OrderEvent).where(OrderEvent.order_ref.in_(order_ids)))
    result = await session.execute(delete(PrimeOrder).where(PrimeOrder.partner_id == partner_id))
    await session.execute(delete(Quote).where(Quote.partner_id == partner_id))
    return int(getattr(result, "rowcount", 0) or 0)


class PrimeAdmin:
    def __init__(self, platform: Platform, settlement: SettlementService) -> None:
        self.p = platform
        self.settlement = settlement

    async def orders(
        self, *, partner_client_id: str | None, status: str | None, user_id: str | None, limit: int
    ) -> list[dict[str, Any]]:
        stmt = select(PrimeOrder, Partner.client_id).join(
            Partner, Partner.id == PrimeOrder.partner_id
        )
        if partner_client_id:
            stmt = stmt.where(Partner.client_id == partner_client_id)
        if status:
            stmt = stmt.where(PrimeOrder.status == status)
        if user_id:
            stmt = stmt.where(PrimeOrder.user_id == user_id)
        async with self.p.db.read() as session:
            rows = (
                await session.execute(stmt.order_by(PrimeOrder.create_time.desc()).limit(limit))
            ).all()
            return [{**order_out(o), "partnerClientId": cid} for o, cid in rows]

    async def order(self, order_id: str) -> dict[str, Any]:
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

    async def settle(self, order_id: str, outcome: str, reason: str | None) -> dict[str, Any]:
        """Fill or fail a PROCESSING order by hand, as an operator."""
        result: dict[str, Any] = await self.settlement.operator_resolve(order_id, outcome, reason)
        return result
