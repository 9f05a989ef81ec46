"""Connect Deposit's rules and state changes. No HTTP here: routes call these methods with
the authenticated partner and a parsed request, and render what they return or raise.

A session (NOTES.md "Deposit") moves INIT (0) → AUTHORIZED (1) | REJECTED (2) | EXPIRED (3),
one-way (`lifecycle.SESSION`); every change goes through `_move`, which refuses any other. It
expires on the sandbox clock at its `linkExpireTime`: an outbox job is due then, and until it
has run every read already answers EXPIRED. Each terminal state sends one
`deposit_status_event` webhook whose body is what `deposit/authorization` answers, plus its
`webhookEventType`.

Connect Deposit never moves funds (connect-deposit-flow.txt, "Key distinction"): the chain
core credits a transfer to an authorized address after its confirmations.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import Row, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox import wire
from binance_sandbox.chain.errors import ChainError
from binance_sandbox.chain.networks import COINS, Network
from binance_sandbox.chain.service import ChainService
from binance_sandbox.chain.switches import NetworkSwitches
from binance_sandbox.connect import errors as connect_errors
from binance_sandbox.connect.auth import PartnerAuth
from binance_sandbox.delivery.outbox import enqueue, enqueue_webhook
from binance_sandbox.delivery.webhooks import success_return_code
from binance_sandbox.deposit import errors, schemas
from binance_sandbox.deposit.lifecycle import SESSION, STATUS_CODES, SessionStatus
from binance_sandbox.ledger import money
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import (
    DepositReport,
    DepositSession,
    OrderEvent,
    Partner,
    User,
)

FAMILY = "deposit"
EVENT_TYPE = "deposit_status_event"
EXTERNAL_ORDER_ID = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
TX_HASH = re.compile(r"[\x21-\x7e]{1,128}")  # printable ASCII, no spaces
REFUSED_SCHEMES = frozenset({"javascript", "data", "vbscript", "file"})
MAX_URL = 2048


def network_out(net: Network) -> dict[str, Any]:
    return {
        "network": net.network,
        "addressRegex": net.address_regex,
        "memoRegex": net.memo_regex,
        "withdrawFee": format(net.withdraw_fee, "f"),
        "withdrawMinAmount": format(net.withdraw_min, "f"),
        "withdrawMaxAmount": format(net.withdraw_max, "f"),
        "contractAddress": net.contract_address,
        "withdrawEnable": net.withdraw_enable,
        "depositEnable": net.deposit_enable,
        "depositDust": format(net.deposit_dust, "f"),
    }


def coin_network(coin: str, name: str) -> Network | None:
    return next((n for n in COINS.get(coin, []) if n.network == name), None)


# The partner's poll (`deposit/authorization`), as rows (`Database.rows`), the values bound at
# each call: built once, since building a statement costs more than running it.
_AUTHORIZATION = select(DepositSession.__table__).where(
    DepositSession.partner_id == bindparam("partner_id"),
    DepositSession.external_order_id == bindparam("key"),
)


def effective_status(row: DepositSession | Row[Any], now: int) -> str:
    """The status a read answers: an INIT session past its link's expiry is EXPIRED even
    before the expiry job has run."""
    if SESSION.can(row.status, SessionStatus.EXPIRED) and now >= row.link_expire_time:
        return SessionStatus.EXPIRED.value
    return row.status


def authorization_out(row: DepositSession | Row[Any], now: int) -> dict[str, Any]:
    """`deposit/authorization`'s data; addresses only once AUTHORIZED."""
    status = effective_status(row, now)
    addresses = (
        json.loads(row.deposit_addresses or "[]") if status == SessionStatus.AUTHORIZED else []
    )
    return {
        "externalOrderId": row.external_order_id,
        "userId": row.user_id,
        "status": status,
        "statusCode": STATUS_CODES[status],
        "cryptoCurrency": row.crypto_currency,
        "networks": json.loads(row.networks),
        "depositAddresses": addresses,
        "expireTime": row.link_expire_time,
    }


def webhook_body(row: DepositSession, now: int) -> str:
    return wire.dumps({"webhookEventType": EVENT_TYPE, **authorization_out(row, now)})


def link(base_url: str, session_id: str) -> str:
    """The universal link: the sandbox's own page standing in for the Binance App."""
    return f"{base_url.rstrip('/')}/connect/deposit/{session_id}"


def report_out(report: DepositReport | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "txHash": report.tx_hash,
        "amount": None
        if report.amount is None
        else format(money.from_units(report.amount).normalize(), "f"),
        "cryptoCurrency": report.crypto_currency,
        "network": report.network,
        "reportTime": report.report_time,
    }


def session_out(
    row: DepositSession,
    now: int,
    *,
    client_id: str,
    base_url: str,
    report: DepositReport | None,
    chain_status: str | None,
) -> dict[str, Any]:
    """A session as the control API and the console show it."""
    reported = report_out(report)
    if reported is not None:
        reported["chainStatus"] = chain_status  # None: no such transfer seen on the chain
    return {
        "depositId": row.session_id,
        "partnerClientId": client_id,
        **authorization_out(row, now),
        "storedStatus": row.status,
        "link": link(base_url, row.session_id),
        "linkExpireTime": row.link_expire_time,
        "redirectUrl": row.redirect_url,
        "createTime": row.create_time,
        "decideTime": row.decide_time,
        "report": reported,
    }


async def add_event(
    session: AsyncSession, session_id: str, at: int, kind: str, **detail: Any
) -> None:
    session.add(
        OrderEvent(
            family=FAMILY,
            order_ref=session_id,
            at=at,
            kind=kind,
            detail=json.dumps(detail, default=str),
        )
    )


class DepositService:
    def __init__(self, platform: Platform, chain: ChainService) -> None:
        self.p = platform
        self.chain = chain

    # -- networks ----------------------------------------------------------------------------

    async def crypto_networks(self) -> list[dict[str, Any]]:
        switches = await self.chain.networks.fresh()
        return [
            {
                "cryptoCurrency": coin,
                "networks": [network_out(switches.apply(n)) for n in networks],
            }
            for coin, networks in COINS.items()
        ]

    # -- sessions ----------------------------------------------------------------------------

    async def initiate(
        self, partner: PartnerAuth, req: schemas.InitiateRequest, base_url: str
    ) -> dict[str, Any]:
        external_order_id = _external_order_id(req.externalOrderId)
        networks = _networks(req.cryptoCurrency, req.networks, await self.chain.networks.fresh())
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
            async with self.p.db.write() as session:
                await self._raise_if_duplicate(session, partner, external_order_id)
                await self._check_user(session, partner, req.userId)
                session.add(row)
                await session.flush()
                await add_event(
                    session, row.session_id, now, "created", status=row.status, networks=networks
                )
                await enqueue(
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
        except IntegrityError:
            # A concurrent initiate won the race for this externalOrderId.
            async with self.p.db.read() as session:
                await self._raise_if_duplicate(session, partner, external_order_id)
            raise
        self.p.wake_worker()
        base = self.p.settings.public_base_url or base_url
        return {"link": link(base, row.session_id), "linkExpireTime": row.link_expire_time}

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
        async with self.p.db.write() as session:
            row = await self._find(session, partner, req.externalOrderId, lock=True)
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
            first = (
                await session.execute(
                    select(DepositReport.tx_hash).where(DepositReport.session_id == row.session_id)
                )
            ).scalar_one_or_none()
            if first is not None:
                await add_event(
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
            await add_event(session, row.session_id, now, "reported", txHash=req.txHash)

    # -- the user's decision (hosted page, control API) and expiry ---------------------------

    async def decide(
        self, session_id: str, target: str, *, as_user: str | None = None
    ) -> dict[str, Any]:
        """The user authorizes or rejects (`target` AUTHORIZED or REJECTED). With `as_user`,
        only that user may decide (the hosted page's signed-in user)."""
        now = self.p.clock.now_ms()
        async with self.p.db.write() as session:
            row = await _locked(session, session_id)
            if row is None:
                raise connect_errors.IllegalParameters("Deposit session does not exist.")
            if as_user is not None and as_user != row.user_id:
                raise connect_errors.IllegalParameters(
                    f"Deposit session {row.external_order_id} is for another user."
                )
            late = effective_status(row, now) != row.status
            if late:
                # Past its expiry, before the job ran: it expires now, and the answer says so.
                await self._move(session, row, SessionStatus.EXPIRED, now)
            else:
                _check_transition(row, target)
                if target == SessionStatus.AUTHORIZED:
                    row.deposit_addresses = json.dumps(await self._addresses(session, row))
                await self._move(session, row, target, now)
            result = authorization_out(row, now)
        self.p.wake_worker()
        if late:
            _check_transition(row, target)  # now EXPIRED: refused, with the usual message
        return result

    async def expire(self, session: AsyncSession, session_id: str, now: int) -> None:
        """The expiry job: an INIT session whose link has expired becomes EXPIRED."""
        row = await _locked(session, session_id)
        if (
            row is not None
            and SESSION.can(row.status, SessionStatus.EXPIRED)
            and now >= row.link_expire_time
        ):
            await self._move(session, row, SessionStatus.EXPIRED, now)

    async def _move(
        self, session: AsyncSession, row: DepositSession, target: str, now: int
    ) -> None:
        row.status = _check_transition(row, target).value
        row.decide_time = now
        await add_event(session, row.session_id, now, target.lower(), status=target)
        await self._webhook(session, row, now)

    async def _addresses(self, session: AsyncSession, row: DepositSession) -> list[dict[str, Any]]:
        out = []
        for name in json.loads(row.networks):
            try:
                found = await self.chain.deposit_address(
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

    async def _webhook(self, session: AsyncSession, row: DepositSession, now: int) -> None:
        partner = (
            await session.execute(select(Partner).where(Partner.id == row.partner_id))
        ).scalar_one()
        if not partner.webhook_url:
            await add_event(session, row.session_id, now, "webhook_skipped", reason="no webhookUrl")
            return
        item = await enqueue_webhook(
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
        await add_event(
            session, row.session_id, now, "webhook_queued", outboxId=item.id, status=row.status
        )

    # -- what the hosted page shows ----------------------------------------------------------

    async def page_view(self, session_id: str) -> dict[str, Any] | None:
        async with self.p.db.read() as session:
            found = (
                await session.execute(
                    select(DepositSession, Partner.name)
                    .join(Partner, Partner.id == DepositSession.partner_id)
                    .where(DepositSession.session_id == session_id)
                )
            ).first()
        if found is None:
            return None
        row, partner_name = found
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

    # -- lookups -----------------------------------------------------------------------------

    async def _find(
        self,
        session: AsyncSession,
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
        row = (await session.execute(stmt)).scalar_one_or_none()
        if row is None:
            raise connect_errors.IllegalParameters(
                f"Deposit session {external_order_id} does not exist."
            )
        return row

    async def _raise_if_duplicate(
        self, session: AsyncSession, partner: PartnerAuth, external_order_id: str
    ) -> None:
        existing = (
            await session.execute(
                select(DepositSession).where(
                    DepositSession.partner_id == partner.id,
                    DepositSession.external_order_id == external_order_id,
                )
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

    async def _check_user(self, session: AsyncSession, partner: PartnerAuth, user_id: str) -> None:
        found = (
            await session.execute(
                select(User.id).where(User.user_id == user_id, User.partner_id == partner.id)
            )
        ).scalar_one_or_none()
        if found is None:
            raise connect_errors.IllegalParameters(
                f"userId {user_id} does not exist for this client."
            )


async def _locked(session: AsyncSession, session_id: str) -> DepositSession | None:
    stmt = select(DepositSession).where(DepositSession.session_id == session_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


def _check_transition(row: DepositSession, target: str) -> SessionStatus:
    """The state `target` names, if the session may move to it."""
    try:
        state = SessionStatus(target)
    except ValueError:
        state = None
    if state is not None and SESSION.can(row.status, state):
        return state
    raise errors.InvalidOrderStatus(
        f"Deposit session {row.external_order_id} is {row.status} and cannot become {target}."
    )


def _external_order_id(value: str) -> str:
    if not EXTERNAL_ORDER_ID.fullmatch(value):
        raise connect_errors.IllegalParameters(
            "externalOrderId must be 1 to 64 letters, digits, '_', '-' or '.'."
        )
    return value


def _networks(coin: str, names: list[str], switches: NetworkSwitches) -> list[str]:
    if coin not in COINS:
        raise connect_errors.IllegalParameters(
            f"Unsupported cryptoCurrency {coin}; supported: {', '.join(COINS)}."
        )
    if not names:
        raise connect_errors.IllegalParameters("networks must name at least one network.")
    seen: list[str] = []
    for name in names:
        net = coin_network(coin, name)
        if net is None:
            offered = ", ".join(n.network for n in COINS[coin])
            raise connect_errors.IllegalParameters(
                f"Network {name} is not supported for {coin}; supported: {offered}."
            )
        net = switches.apply(net)
        if not net.deposit_enable:
            raise connect_errors.IllegalParameters(f"Deposits of {coin} on {name} are suspended.")
        if name in seen:
            raise connect_errors.IllegalParameters(f"networks names {name} more than once.")
        seen.append(name)
    return seen


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
