"""The user's decision on a Connect Deposit session (hosted page, control API) and its
expiry on the sandbox clock: each terminal state gets its addresses (when AUTHORIZED) and
sends one `deposit_status_event` webhook."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from binance_sandbox.chain.errors import ChainError
from binance_sandbox.chain.service_addresses import AddressService
from binance_sandbox.connect import errors as connect_errors
from binance_sandbox.delivery.outbox import enqueue_webhook
from binance_sandbox.delivery.webhooks import success_return_code
from binance_sandbox.deposit.lifecycle import SESSION, SessionStatus
from binance_sandbox.deposit.service_shared import (
    EVENT_TYPE,
    FAMILY,
    add_event,
    authorization_out,
    check_transition,
    coin_network,
    effective_status,
    locked_session,
    webhook_body,
)
from binance_sandbox.platform import Platform
from binance_sandbox.storage import test_clocks
from binance_sandbox.storage.models import DepositSession, Partner


class DecisionService:
    def __init__(self, platform: Platform, addresses: AddressService) -> None:
        self.p = platform
        self.addresses = addresses

    async def decide(
        self, session_id: str, target: str, *, as_user: str | None = None
    ) -> dict[str, Any]:
        """The user authorizes or rejects (`target` AUTHORIZED or REJECTED). With `as_user`,
        only that user may decide (the hosted page's signed-in user). It happens on the
        session's partner's clock."""
        await self.p.act_for_stored(test_clocks.of_deposit_session(session_id))
        now = self.p.clock.now_ms()
        async with self.p.db.write() as session:
            row = await session.run_sync(locked_session, session_id)
            if row is None:
                raise connect_errors.IllegalParameters("Deposit session does not exist.")
            if as_user is not None and as_user != row.user_id:
                raise connect_errors.IllegalParameters(
                    f"Deposit session {row.external_order_id} is for another user."
                )
            late = effective_status(row, now) != row.status
            if late:
                # Past its expiry, before the job ran: it expires now, and the answer says so.
                await session.run_sync(self._move, row, SessionStatus.EXPIRED, now)
            else:
                check_transition(row, target)
                if target == SessionStatus.AUTHORIZED:
                    row.deposit_addresses = json.dumps(await self._addresses(session, row))
                await session.run_sync(self._move, row, target, now)
            result = authorization_out(row, now)
        if late:
            check_transition(row, target)  # now EXPIRED: refused, with the usual message
        return result

    def expire(self, session: Session, session_id: str, now: int) -> None:
        """The expiry job: an INIT session whose link has expired becomes EXPIRED."""
        row = locked_session(session, session_id)
        if (
            row is not None
            and SESSION.can(row.status, SessionStatus.EXPIRED)
            and now >= row.link_expire_time
        ):
            self._move(session, row, SessionStatus.EXPIRED, now)

    def _move(self, session: Session, row: DepositSession, target: str, now: int) -> None:
        row.status = check_transition(row, target).value
        row.decide_time = now
        add_event(session, row.session_id, now, target.lower(), status=target)
        self._webhook(session, row, now)

    async def _addresses(self, session: AsyncSession, row: DepositSession) -> list[dict[str, Any]]:
        out = []
        for name in json.loads(row.networks):
            try:
                found = await self.addresses.deposit_address(
                    session, row.user_id, row.crypto_currency, name
                )
            except ChainError as exc:
                raise connect_errors.IllegalParameters(exc.message) from exc
            net = coin_network(row.crypto_currency, found.network)
            assert net is not None
            out.append(
                {
                    "depositAddress": found.address,
                    "network": found.network,
                    "addressTag": found.tag,
                    "minAmount": format(net.deposit_dust, "f"),
                }
            )
        return out

    def _webhook(self, session: Session, row: DepositSession, now: int) -> None:
        partner = session.execute(select(Partner).where(Partner.id == row.partner_id)).scalar_one()
        if not partner.webhook_url:
            add_event(session, row.session_id, now, "webhook_skipped", reason="no webhookUrl")
            return
        item = enqueue_webhook(
            session,
            family=FAMILY,
            url=partner.webhook_url,
            body=webhook_body(row, now),
            signer={"scheme": "connect", "clientId": partner.client_id},
            success=success_return_code(),
            now=now,
            max_attempts=self.p.settings.webhook_max_attempts,
            owner=partner.client_id,
            ref=row.session_id,
            event=EVENT_TYPE,
        )
        add_event(
            session, row.session_id, now, "webhook_queued", outboxId=item.id, status=row.status
        )
