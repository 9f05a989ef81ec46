"""What every Connect Deposit service shares: a session's effective status and answers, its
link, its moves and its timeline."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from binance_sandbox import wire
from binance_sandbox.chain.networks import COINS, Network
from binance_sandbox.deposit import errors
from binance_sandbox.deposit.lifecycle import SESSION, STATUS_CODES, SessionStatus
from binance_sandbox.ledger import money
from binance_sandbox.storage.models import DepositReport, DepositSession, OrderEvent

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


def add_event(session: Session, session_id: str, at: int, kind: str, **detail: Any) -> None:
    session.add(
        OrderEvent(
            family=FAMILY,
            order_ref=session_id,
            at=at,
            kind=kind,
            detail=json.dumps(detail, default=str),
        )
    )


def locked_session(session: Session, session_id: str) -> DepositSession | None:
    stmt = select(DepositSession).where(DepositSession.session_id == session_id).with_for_update()
    return session.execute(stmt).scalar_one_or_none()


def check_transition(row: DepositSession, target: str) -> SessionStatus:
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
