"""What the control API and the console do for Connect Deposit: sessions listed and shown
(with their report, the chain transfer it names and their timeline), and the end user's
answer in "the Binance App" (connect-deposit-flow.txt, step 3). Errors are the control API's
own."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.admin_errors import NotFound
from binance_sandbox.deposit.lifecycle import SessionStatus
from binance_sandbox.deposit.service_decisions import DecisionService
from binance_sandbox.deposit.service_shared import session_out
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import (
    ChainTransfer,
    DepositReport,
    DepositSession,
    OrderEvent,
    Partner,
)


def _sessions() -> Select[DepositSession, str, DepositReport, str]:
    return (
        select(DepositSession, Partner.client_id, DepositReport, ChainTransfer.status)
        .join(Partner, Partner.id == DepositSession.partner_id)
        .outerjoin(DepositReport, DepositReport.session_id == DepositSession.session_id)
        .outerjoin(ChainTransfer, ChainTransfer.tx_hash == DepositReport.tx_hash)
    )


async def delete_partner_sessions(session: AsyncSession, partner_id: int) -> int:
    """Delete a partner's deposit sessions with their reports and timelines, as a reset of
    the partner does; how many sessions there were."""
    ids = select(DepositSession.session_id).where(DepositSession.partner_id == partner_id)
    await session.execute(delete(DepositReport).where(DepositReport.session_id.in_(ids)))
    await session.execute(delete(OrderEvent).where(OrderEvent.order_ref.in_(ids)))
    result = await session.execute(
        delete(DepositSession).where(DepositSession.partner_id == partner_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


class DepositAdmin:
    def __init__(self, platform: Platform, decisions: DecisionService) -> None:
        self.p = platform
        self.decisions = decisions

    async def sessions(
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
                    _sessions()
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

    async def session(
        self, partner_client_id: str, external_order_id: str, base_url: str
    ) -> dict[str, Any]:
        """A session, named as the partner names it, with its timeline."""
        async with self.p.db.read() as session:
            found = (
                await session.execute(
                    _sessions().where(
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

    async def session_key(self, deposit_id: str) -> tuple[str, str]:
        """The partner's clientId and externalOrderId of a session known by its own id (the
        control API names a session by those two)."""
        async with self.p.db.read() as session:
            found = (
                await session.execute(
                    select(Partner.client_id, DepositSession.external_order_id)
                    .join(Partner, Partner.id == DepositSession.partner_id)
                    .where(DepositSession.session_id == deposit_id)
                )
            ).first()
        if found is None:
            raise NotFound(f"No deposit session {deposit_id}.")
        return str(found[0]), str(found[1])

    async def decide(
        self, partner_client_id: str, external_order_id: str, target: str, base_url: str
    ) -> dict[str, Any]:
        """Act as the end user in "the Binance App" (connect-deposit-flow.txt, step 3):
        authorize or reject; the session as it is after."""
        found = await self.session(partner_client_id, external_order_id, base_url)
        await self.decisions.decide(found["depositId"], target)
        return await self.session(partner_client_id, external_order_id, base_url)
