"""What the hosted deposit page shows: the session, its partner and networks, and the
sandbox user who signs in to decide."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from binance_sandbox.deposit.service_shared import (
    authorization_out,
    coin_network,
)
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import DepositSession, Partner, User


class DepositPage:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    async def page_view(self, session_id: str) -> dict[str, Any] | None:
        async with self.p.db.read() as session:
            found = (
                await session.execute(
                    select(DepositSession, Partner.name, Partner.test_clock_id)
                    .join(Partner, Partner.id == DepositSession.partner_id)
                    .where(DepositSession.session_id == session_id)
                )
            ).first()
        if found is None:
            return None
        row, partner_name, test_clock_id = found
        await self.p.act_for(test_clock_id)
        now = self.p.clock.now_ms()
        networks = [coin_network(row.crypto_currency, n) for n in json.loads(row.networks)]
        return {
            **authorization_out(row, now),
            "depositId": row.session_id,
            "partnerName": partner_name,
            "networkNames": {n.network: n.name for n in networks if n is not None},
            "redirectUrl": row.redirect_url,
            "nowMs": now,
        }

    async def find_user(self, login: str) -> tuple[str, str] | None:
        """A sandbox user by email or user id: (userId, email)."""
        login = login.strip()
        async with self.p.db.read() as session:
            found = (
                await session.execute(
                    select(User.user_id, User.email).where(
                        (User.email == login.lower()) | (User.user_id == login)
                    )
                )
            ).first()
        return (found[0], found[1]) if found else None
