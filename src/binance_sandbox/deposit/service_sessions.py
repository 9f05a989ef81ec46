"""Connect Deposit's sessions: initiate, authorization and report. No HTTP here: routes
call these methods with the authenticated partner and a parsed request, and render what they
return or raise.

A session (NOTES.md "Deposit") moves INIT (0) → AUTHORIZED (1) | REJECTED (2) | EXPIRED (3),
one-way (`lifecycle.SESSION`), in `service_decisions`. It expires on the sandbox clock at its
`linkExpireTime`: an outbox job is due then, and until it has run every read already answers
EXPIRED.

Connect Deposit never moves funds (connect-deposit-flow.txt, "Key distinction"): the chain
core credits a transfer to an authorized address after its confirmations.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from binance_sandbox.chain.switches import NetworkSwitches
from binance_sandbox.connect import errors as connect_errors
from binance_sandbox.connect.auth import PartnerAuth
from binance_sandbox.delivery.outbox import enqueue
from binance_sandbox.deposit import errors, schemas
from binance_sandbox.deposit.lifecycle import SessionStatus
from binance_sandbox.deposit.service_networks import requested_networks
from binance_sandbox.deposit.service_shared import (
    EXTERNAL_ORDER_ID,
    FAMILY,
    MAX_URL,
    REFUSED_SCHEMES,
    TX_HASH,
    add_event,
    authorization_out,
    effective_status,
    link,
)
from binance_sandbox.ledger import money
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import DepositReport, DepositSession, User

# The partner's poll (`deposit/authorization`), as rows (`Database.rows`), the values bound at
# each call: built once, since building a statement costs more than running it.
_AUTHORIZATION = select(DepositSession.__table__).where(
    DepositSession.partner_id == bindparam("partner_id"),
    DepositSession.external_order_id == bindparam("key"),
)


class SessionService:
    def __init__(self, platform: Platform, switches: NetworkSwitches) -> None:
        self.p = platform
        self.switches = switches

    async def initiate(
        self, partner: PartnerAuth, req: schemas.InitiateRequest, base_url: str
    ) -> dict[str, Any]:
        external_order_id = _external_order_id(req.externalOrderId)
        networks = requested_networks(req.cryptoCurrency, req.networks, await self.switches.fresh())
        redirect_url = _redirect_url(req.redirectUrl)
        now = self.p.clock.now_ms()
        row = DepositSession(
            session_id=self.p.ids.alnum(40),
            partner_id=partner.id,
            external_order_id=external_order_id,
            user_id=req.userId,
            crypto_currency=req.cryptoCurrency,
            networks=json.dumps(networks),
            redirect_url=redirect_url,
            status=SessionStatus.INIT.value,
            create_time=now,
            link_expire_time=now + self.p.settings.deposit_link_ttl_ms,
        )
        try:
            await self.p.db.run_write(self._initiate, partner, row, networks, now)
        except IntegrityError:
            # A concurrent initiate won the race for this externalOrderId.
            async with self.p.db.read() as session:
                await session.run_sync(self._raise_if_duplicate, partner, external_order_id)
            raise
        base = self.p.settings.public_base_url or base_url
        return {"link": link(base, row.session_id), "linkExpireTime": row.link_expire_time}

    def _initiate(
        self,
        session: Session,
        partner: PartnerAuth,
        row: DepositSession,
        networks: list[str],
        now: int,
    ) -> None:
        """`initiate`'s unit of work (`Database.run_write`): the session and its expiry job."""
        self._raise_if_duplicate(session, partner, row.external_order_id)
        self._check_user(session, partner, row.user_id)
        session.add(row)
        session.flush()
        add_event(session, row.session_id, now, "created", status=row.status, networks=networks)
        enqueue(
            session,
            kind="deposit.expire",
            family=FAMILY,
            payload={"sessionId": row.session_id},
            due_at=row.link_expire_time,
            now=now,
            max_attempts=10,
            owner=partner.client_id,
            ref=row.session_id,
        )

    async def authorization(
        self, partner: PartnerAuth, req: schemas.AuthorizationRequest
    ) -> dict[str, Any]:
        params = {"partner_id": partner.id, "key": req.externalOrderId}
        rows = await self.p.db.rows(_AUTHORIZATION, params)
        if not rows:
            raise connect_errors.IllegalParameters(
                f"Deposit session {req.externalOrderId} does not exist."
            )
        return authorization_out(rows[0], self.p.clock.now_ms())

    async def report(self, partner: PartnerAuth, req: schemas.ReportRequest) -> None:
        """Record the partner's transaction hash; the first report wins, later ones are
        ignored (NOTES.md). Reports are for reconciliation: nothing moves."""
        if not TX_HASH.fullmatch(req.txHash):
            raise connect_errors.IllegalParameters(
                "txHash must be 1 to 128 printable characters without spaces."
            )
        units = None if req.amount is None else _amount_units(req.amount)
        now = self.p.clock.now_ms()
        await self.p.db.run_write(self._report, partner, req, units, now)

    def _report(
        self,
        session: Session,
        partner: PartnerAuth,
        req: schemas.ReportRequest,
        units: int | None,
        now: int,
    ) -> None:
        """`report`'s unit of work (`Database.run_write`)."""
        row = self._find(session, partner, req.externalOrderId, lock=True)
        status = effective_status(row, now)
        if status != SessionStatus.AUTHORIZED:
            raise errors.InvalidOrderStatus(
                f"Deposit session {row.external_order_id} is {status}; "
                "only an AUTHORIZED session takes a report."
            )
        if req.cryptoCurrency is not None and req.cryptoCurrency != row.crypto_currency:
            raise connect_errors.IllegalParameters(
                f"cryptoCurrency {req.cryptoCurrency} does not match the session's "
                f"{row.crypto_currency}."
            )
        networks = json.loads(row.networks)
        if req.network is not None and req.network not in networks:
            raise connect_errors.IllegalParameters(
                f"network {req.network} is not one of the session's networks "
                f"({', '.join(networks)})."
            )
        first = session.execute(
            select(DepositReport.tx_hash).where(DepositReport.session_id == row.session_id)
        ).scalar_one_or_none()
        if first is not None:
            add_event(
                session, row.session_id, now, "report_ignored", txHash=req.txHash, first=first
            )
            return
        session.add(
            DepositReport(
                session_id=row.session_id,
                tx_hash=req.txHash,
                amount=units,
                crypto_currency=req.cryptoCurrency,
                network=req.network,
                report_time=now,
            )
        )
        add_event(session, row.session_id, now, "reported", txHash=req.txHash)

    def _find(
        self,
        session: Session,
        partner: PartnerAuth,
        external_order_id: str,
        *,
        lock: bool = False,
    ) -> DepositSession:
        stmt = select(DepositSession).where(
            DepositSession.partner_id == partner.id,
            DepositSession.external_order_id == external_order_id,
        )
        if lock:
            stmt = stmt.with_for_update()
        row = session.execute(stmt).scalar_one_or_none()
        if row is None:
            raise connect_errors.IllegalParameters(
                f"Deposit session {external_order_id} does not exist."
            )
        return row

    def _raise_if_duplicate(
        self, session: Session, partner: PartnerAuth, external_order_id: str
    ) -> None:
        existing = session.execute(
            select(DepositSession).where(
                DepositSession.partner_id == partner.id,
                DepositSession.external_order_id == external_order_id,
            )
        ).scalar_one_or_none()
        if existing is not None:
            raise errors.DuplicateOrderSubmission(
                f"externalOrderId {external_order_id} was already used; "
                "a new session needs a new externalOrderId.",
                data={
                    "externalOrderId": external_order_id,
                    "status": effective_status(existing, self.p.clock.now_ms()),
                },
            )

    def _check_user(self, session: Session, partner: PartnerAuth, user_id: str) -> None:
        found = session.execute(
            select(User.id).where(User.user_id == user_id, User.partner_id == partner.id)
        ).scalar_one_or_none()
        if found is None:
            raise connect_errors.IllegalParameters(
                f"userId {user_id} does not exist for this client."
            )


def _external_order_id(value: str) -> str:
    if not EXTERNAL_ORDER_ID.fullmatch(value):
        raise connect_errors.IllegalParameters(
            "externalOrderId must be 1 to 64 letters, digits, '_', '-' or '.'."
        )
    return value


def _redirect_url(value: str | None) -> str | None:
    """Where the page sends the user after deciding: a web page or the partner's app."""
    if value is None or value == "":
        return None
    parsed = urlparse(value)
    if (
        len(value) > MAX_URL
        or not re.fullmatch(r"[a-z][a-z0-9+.\-]*", parsed.scheme)
        or parsed.scheme in REFUSED_SCHEMES
        or not parsed.netloc
        or any(c.isspace() for c in value)
    ):
        raise connect_errors.IllegalParameters(
            f"redirectUrl must be an absolute URL (http(s) or the partner app's scheme) of at "
            f"most {MAX_URL} characters."
        )
    return value


def _amount_units(amount: Decimal) -> int:
    if amount <= 0:
        raise connect_errors.IllegalParameters("amount must be greater than 0.")
    try:
        return money.to_units(amount)
    except money.AmountError as exc:
        raise connect_errors.IllegalParameters(f"amount: {exc}.") from exc
