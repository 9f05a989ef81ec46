"""How many of each thing the sandbox holds: the console's overview."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from binance_sandbox.storage.db import Database
from binance_sandbox.storage.models import Merchant, OutboxItem, Partner, PayOrder, PrimeOrder, User


async def counts(db: Database) -> dict[str, Any]:
    async with db.read() as session:

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
