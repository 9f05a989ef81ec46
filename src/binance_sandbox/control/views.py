"""Read-only views for the web console: the ledger's accounts and journal (each entry linked
to what made it), Connect Deposit sessions, chain deposits, withdrawals, Pay payouts, and the
request log's volume per time bucket. Nothing here writes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import and_, case, func, or_, select

from binance_sandbox.chain.lifecycle import TRANSFER, WITHDRAWAL_NAMES, TransferStatus
from binance_sandbox.control.errors import NotFound
from binance_sandbox.ledger import money
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import (
    Account,
    ChainTransfer,
    DepositReport,
    DepositSession,
    JournalEntry,
    OrderEvent,
    Partner,
    PayOrder,
    PayPayout,
    PayPayoutDetail,
    PayRefund,
    Posting,
    Withdrawal,
)
from binance_sandbox.storage.models import RequestLog as RequestLogRow

CONSOLE = "/console"
MAX_ID = 2**31 - 1  # the largest INTEGER key: a larger one is no row, not a database error
# Who the platform's own and the outside world's accounts are.
OWNERS = {
    "platform": "the platform's liquidity (treasury)",
    "platform:withdraw-fees": "withdrawal fees",
    "pay:payouts": "Pay payouts in flight (escrow)",
    "pay:refunds": "Pay refunds in flight (escrow)",
    "world": "outside: treasury mint, partner resets",
    "world:faucet": "outside: faucet credits",
    "world:fiat-rails": "outside: partners' fiat rails",
    "world:dividends": "outside: dividends",
}
WITHDRAW_STATUSES = {status.value: name for status, name in WITHDRAWAL_NAMES.items()}


def amount(units: int) -> str:
    return format(money.from_units(units).normalize(), "f")


def _href(path: str, ref: str) -> str:
    return f"{CONSOLE}{path}/{quote(ref, safe='')}"


def describe_owner(owner: str) -> str:
    if owner.startswith("user:"):
        return f"user {owner[5:]}"
    if owner.startswith("world:chain:"):
        return f"outside: the {owner[12:]} chain"
    if owner.startswith("partner:") and owner.endswith(":revenue"):
        return f"partner {owner[8:-8]}'s revenue"
    return OWNERS.get(owner, owner)


def account_out(a: Account) -> dict[str, Any]:
    user = a.owner[5:] if a.owner.startswith("user:") else None
    return {
        "id": a.id,
        "owner": a.owner,
        "kind": a.kind,
        "asset": a.asset,
        "wallet": a.wallet,
        "balance": amount(a.balance),
        "label": f"{a.owner} {a.asset} {a.wallet}",
        "description": describe_owner(a.owner),
        "userHref": _href("/users", user) if user else None,
        "href": f"{CONSOLE}/ledger/accounts/{a.id}",
    }


def timeline(events: Any) -> list[dict[str, Any]]:
    return [{"at": e.at, "kind": e.kind, "detail": json.loads(e.detail)} for e in events]


@dataclass(frozen=True)
class Source:
    """What made a journal entry, and the console page that shows it."""

    label: str
    href: str | None


class ConsoleViews:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    # -- accounts ----------------------------------------------------------------------------

    async def accounts(
        self, *, kinds: tuple[str, ...], asset: str | None, owner: str | None, limit: int
    ) -> list[dict[str, Any]]:
        stmt = select(Account).where(Account.kind.in_(kinds))
        if asset:
            stmt = stmt.where(Account.asset == asset)
        if owner:
            stmt = stmt.where(Account.owner.contains(owner, autoescape=True))
        async with self.p.db.read() as session:
            rows = (
                await session.execute(
                    stmt.order_by(Account.kind, Account.owner, Account.asset, Account.wallet).limit(
                        limit
                    )
                )
            ).scalars()
            return [account_out(a) for a in rows]

    async def account_id(self, owner: str, asset: str, wallet: str) -> int:
        async with self.p.db.read() as session:
            found = (
                await session.execute(
                    select(Account.id).where(
                        Account.owner == owner, Account.asset == asset, Account.wallet == wallet
                    )
                )
            ).scalar_one_or_none()
        if found is None:
            raise NotFound(f"No {asset} {wallet} account of {owner}.")
        return int(found)

    async def journal(self, account_id: int, *, page: int, per_page: int) -> dict[str, Any]:
        """The account's postings, newest first, each with the balance right after it."""
        async with self.p.db.read() as session:
            account = await self._account(session, account_id)
            total = int(
                (
                    await session.execute(
                        select(func.count(Posting.id)).where(Posting.account_id == account_id)
                    )
                ).scalar_one()
            )
            rows = (
                await session.execute(
                    select(Posting.id, Posting.amount, JournalEntry)
                    .join(JournalEntry, JournalEntry.id == Posting.entry_id)
                    .where(Posting.account_id == account_id)
                    .order_by(Posting.id.desc())
                    .offset((page - 1) * per_page)
                    .limit(per_page)
                )
            ).all()
            # The running balance, from the postings themselves (the account's balance is
            # their sum, which the ledger audit checks): one sum up to the newest row shown.
            running = 0
            if rows:
                running = int(
                    (
                        await session.execute(
                            select(func.coalesce(func.sum(Posting.amount), 0)).where(
                                Posting.account_id == account_id, Posting.id <= rows[0][0]
                            )
                        )
                    ).scalar_one()
                )
            entries = [entry for _pid, _amount, entry in rows]
            others = await self._postings(session, [e.id for e in entries])
            sources = await self._sources(session, entries, others)
        lines = []
        for (_posting_id, units, entry), source in zip(rows, sources, strict=True):
            lines.append(
                {
                    **self._entry_head(entry, source),
                    "amount": amount(units),
                    "credit": units > 0,
                    "balanceAfter": amount(running),
                    "counterparts": [p for p in others.get(entry.id, []) if p["id"] != account_id],
                }
            )
            running -= units
        return {
            "account": account_out(account),
            "entries": lines,
            "page": page,
            "pages": max(1, -(-total // per_page)),
            "total": total,
        }

    async def entry(self, entry_id: int) -> dict[str, Any]:
        async with self.p.db.read() as session:
            entry = None
            if 0 < entry_id <= MAX_ID:
                entry = (
                    await session.execute(select(JournalEntry).where(JournalEntry.id == entry_id))
                ).scalar_one_or_none()
            if entry is None:
                raise NotFound(f"No journal entry {entry_id}.")
            postings = await self._postings(session, [entry.id])
            [source] = await self._sources(session, [entry], postings)
        return {**self._entry_head(entry, source), "postings": postings.get(entry.id, [])}

    async def entries_for(self, ref_type: str, ref_id: str) -> list[dict[str, Any]]:
        """The journal entries an order, payout, transfer or withdrawal made."""
        async with self.p.db.read() as session:
            return await self._entries_for(session, ref_type, ref_id)

    async def _entries_for(self, session: Any, ref_type: str, ref_id: str) -> list[dict[str, Any]]:
        entries = list(
            (
                await session.execute(
                    select(JournalEntry)
                    .where(JournalEntry.ref_type == ref_type, JournalEntry.ref_id == ref_id)
                    .order_by(JournalEntry.id)
                )
            ).scalars()
        )
        postings = await self._postings(session, [e.id for e in entries])
        sources = await self._sources(session, entries, postings)
        return [
            {**self._entry_head(e, s), "postings": postings.get(e.id, [])}
            for e, s in zip(entries, sources, strict=True)
        ]

    async def _account(self, session: Any, account_id: int) -> Account:
        found = None
        if 0 < account_id <= MAX_ID:
            found = (
                await session.execute(select(Account).where(Account.id == account_id))
            ).scalar_one_or_none()
        if not isinstance(found, Account):
            raise NotFound(f"No ledger account {account_id}.")
        return found

    @staticmethod
    def _entry_head(entry: JournalEntry, source: Source) -> dict[str, Any]:
        return {
            "entryId": entry.id,
            "href": f"{CONSOLE}/ledger/entries/{entry.id}",
            "at": entry.created_at,
            "kind": entry.kind,
            "refType": entry.ref_type,
            "refId": entry.ref_id,
            "memo": entry.memo,
            "source": {"label": source.label, "href": source.href},
        }

    @staticmethod
    async def _postings(session: Any, entry_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        out: dict[int, list[dict[str, Any]]] = {}
        if not entry_ids:
            return out
        rows = (
            await session.execute(
                select(Posting.entry_id, Posting.amount, Account)
                .join(Account, Account.id == Posting.account_id)
                .where(Posting.entry_id.in_(entry_ids))
                .order_by(Posting.id)
            )
        ).all()
        for entry_id, units, account in rows:
            out.setdefault(entry_id, []).append(
                {**account_out(account), "amount": amount(units), "credit": units > 0}
            )
        return out

    async def _sources(
        self, session: Any, entries: list[JournalEntry], postings: dict[int, list[dict[str, Any]]]
    ) -> list[Source]:
        refund_ids = {e.ref_id for e in entries if e.ref_type == "pay_refund" and e.ref_id}
        refunds: dict[str, list[tuple[str, str, str | None]]] = {}
        if refund_ids:
            rows = (
                await session.execute(
                    select(
                        PayRefund.refund_request_id,
                        PayRefund.prepay_id,
                        PayRefund.merchant_id,
                        PayOrder.payer_user_id,
                    )
                    .join(PayOrder, PayOrder.prepay_id == PayRefund.prepay_id)
                    .where(PayRefund.refund_request_id.in_(sorted(refund_ids)))
                )
            ).all()
            for rrid, prepay_id, merchant_id, payer in rows:
                refunds.setdefault(rrid, []).append((prepay_id, merchant_id, payer))
        out = []
        for e in entries:
            owners = {p["owner"] for p in postings.get(e.id, [])}
            out.append(self._source(e, owners, refunds))
        return out

    @staticmethod
    def _source(
        e: JournalEntry,
        owners: set[str],
        refunds: dict[str, list[tuple[str, str, str | None]]],
    ) -> Source:
        ref = e.ref_id or ""
        match e.ref_type:
            case "prime_order":
                return Source(f"Connect Prime order {ref}", _href("/prime/orders", ref))
            case "pay_order":
                return Source(f"Pay order {ref}", _href("/pay/orders", ref))
            case "pay_refund":
                # refundRequestId is unique per merchant: the entry's accounts tell which.
                found = refunds.get(ref, [])
                mine = [
                    f for f in found if f"user:{f[1]}" in owners or f"user:{f[2]}" in owners
                ] or found
                if mine:
                    prepay_id = mine[0][0]
                    return Source(
                        f"refund {ref} of Pay order {prepay_id}", _href("/pay/orders", prepay_id)
                    )
                return Source(f"refund {ref}", None)
            case "pay_payout":
                return Source(f"Pay payout {ref}", _href("/pay/payouts", ref))
            case "chain_transfer":
                return Source(f"chain deposit {ref}", _href("/chain/deposits", ref))
            case "withdrawal":
                return Source(f"withdrawal {ref}", _href("/withdrawals", ref))
            case "user":
                return Source(f"faucet credit to user {ref}", _href("/users", ref))
            case None:
                return Source(e.memo or e.kind, None)
            case _:
                return Source(f"{e.ref_type.replace('_', ' ')} {ref}", None)

    # -- Connect Deposit sessions -------------------------------------------------------------

    async def deposit_key(self, session_id: str) -> tuple[str, str]:
        """The partner's clientId and externalOrderId of a session, known by its own id (the
        control API names a session by those two)."""
        async with self.p.db.read() as session:
            found = (
                await session.execute(
                    select(Partner.client_id, DepositSession.external_order_id)
                    .join(Partner, Partner.id == DepositSession.partner_id)
                    .where(DepositSession.session_id == session_id)
                )
            ).first()
        if found is None:
            raise NotFound(f"No deposit session {session_id}.")
        return str(found[0]), str(found[1])

    # -- chain deposits and withdrawals -------------------------------------------------------

    async def chain_transfers(
        self, *, status: str | None, network: str | None, user_id: str | None, limit: int
    ) -> list[dict[str, Any]]:
        stmt = select(ChainTransfer)
        if status:
            stmt = stmt.where(ChainTransfer.status == status)
        if network:
            stmt = stmt.where(ChainTransfer.network == network)
        if user_id:
            stmt = stmt.where(ChainTransfer.user_id == user_id)
        stmt = stmt.order_by(ChainTransfer.created_at.desc(), ChainTransfer.tx_hash).limit(limit)
        async with self.p.db.read() as session:
            return [self._transfer_out(t) for t in (await session.execute(stmt)).scalars()]

    @staticmethod
    def _transfer_out(t: ChainTransfer) -> dict[str, Any]:
        return {
            "txHash": t.tx_hash,
            "network": t.network,
            "address": t.address,
            "addressTag": t.tag or None,
            "asset": t.asset,
            "amount": amount(t.amount),
            "userId": t.user_id,
            "status": t.status,
            "confirmationsNeeded": t.confirmations_needed,
            "createdAt": t.created_at,
            "confirmAt": t.confirm_at,
            "creditedAt": t.credited_at,
            "source": t.source,
        }

    async def chain_transfer(self, tx_hash: str) -> dict[str, Any]:
        async with self.p.db.read() as session:
            t = (
                await session.execute(select(ChainTransfer).where(ChainTransfer.tx_hash == tx_hash))
            ).scalar_one_or_none()
            if t is None:
                raise NotFound(f"No chain transfer {tx_hash}.")
            sessions = (
                await session.execute(
                    select(DepositSession.session_id, DepositSession.external_order_id)
                    .join(DepositReport, DepositReport.session_id == DepositSession.session_id)
                    .where(DepositReport.tx_hash == tx_hash)
                    .order_by(DepositSession.create_time)
                )
            ).all()
            sent_by = (
                await session.execute(select(Withdrawal.id).where(Withdrawal.tx_id == tx_hash))
            ).scalar_one_or_none()
            entries = await self._entries_for(session, "chain_transfer", tx_hash)
        # Its steps, from the transfer's own times (a transfer records no separate events).
        steps: list[dict[str, Any]] = [
            {
                "at": t.created_at,
                "kind": "seen_on_chain",
                "detail": {
                    "status": TransferStatus.PENDING.value,
                    "confirmationsNeeded": t.confirmations_needed,
                },
            }
        ]
        if t.status == TransferStatus.CREDITED and t.credited_at is not None:
            steps.append({"at": t.credited_at, "kind": "credited", "detail": {"status": t.status}})
        elif not TRANSFER.is_terminal(t.status):
            steps.append({"at": t.confirm_at, "kind": "confirmations_due", "detail": {}})
        else:
            why: dict[str, str] = {
                TransferStatus.DUST: "below the network's depositDust",
                TransferStatus.UNCLAIMED: "no sandbox user",
            }
            steps.append(
                {
                    "at": t.confirm_at,
                    "kind": "not_credited",
                    "detail": {"status": t.status, "reason": why.get(t.status, t.status)},
                }
            )
        return {
            **self._transfer_out(t),
            "timeline": steps,
            "sessions": [{"depositId": s, "externalOrderId": x} for s, x in sessions],
            "withdrawalId": sent_by,
            "entries": entries,
        }

    async def withdrawals(
        self, *, user_id: str | None, status: int | None, asset: str | None, limit: int
    ) -> list[dict[str, Any]]:
        stmt = select(Withdrawal)
        if user_id:
            stmt = stmt.where(Withdrawal.user_id == user_id)
        if status is not None:
            stmt = stmt.where(Withdrawal.status == status)
        if asset:
            stmt = stmt.where(Withdrawal.asset == asset)
        stmt = stmt.order_by(Withdrawal.apply_time.desc(), Withdrawal.id).limit(limit)
        async with self.p.db.read() as session:
            return [self._withdrawal_out(w) for w in (await session.execute(stmt)).scalars()]

    @staticmethod
    def _withdrawal_out(w: Withdrawal) -> dict[str, Any]:
        return {
            "id": w.id,
            "userId": w.user_id,
            "asset": w.asset,
            "network": w.network,
            "address": w.address,
            "addressTag": w.tag or None,
            "amount": amount(w.amount),
            "fee": amount(w.fee),
            "name": w.name,
            "status": w.status,
            "statusName": WITHDRAW_STATUSES[w.status],
            "applyTime": w.apply_time,
            "txId": w.tx_id,
            "completedAt": w.completed_at,
        }

    async def withdrawal(self, withdrawal_id: str) -> dict[str, Any]:
        async with self.p.db.read() as session:
            w = (
                await session.execute(select(Withdrawal).where(Withdrawal.id == withdrawal_id))
            ).scalar_one_or_none()
            if w is None:
                raise NotFound(f"No withdrawal {withdrawal_id}.")
            events = (
                await session.execute(
                    select(OrderEvent)
                    .where(OrderEvent.order_ref == w.id, OrderEvent.family == "withdrawal")
                    .order_by(OrderEvent.id)
                )
            ).scalars()
            arrived = None
            if w.tx_id is not None:
                arrived = (
                    await session.execute(
                        select(ChainTransfer.tx_hash).where(ChainTransfer.tx_hash == w.tx_id)
                    )
                ).scalar_one_or_none()
            entries = await self._entries_for(session, "withdrawal", w.id)
        steps = timeline(events)
        for step in steps:
            status = step["detail"].get("status")
            if isinstance(status, int) and status in WITHDRAW_STATUSES:
                step["detail"]["statusName"] = WITHDRAW_STATUSES[status]
        return {
            **self._withdrawal_out(w),
            "timeline": steps,
            "arrivedTxHash": arrived,
            "entries": entries,
        }

    # -- Pay payouts ----------------------------------------------------------------------------

    async def payouts(
        self, *, merchant_id: str | None, status: str | None, limit: int
    ) -> list[dict[str, Any]]:
        stmt = select(PayPayout)
        if merchant_id:
            stmt = stmt.where(PayPayout.merchant_id == merchant_id)
        if status:
            stmt = stmt.where(PayPayout.status == status)
        stmt = stmt.order_by(PayPayout.created_at.desc(), PayPayout.payout_id).limit(limit)
        async with self.p.db.read() as session:
            return [self._payout_out(p) for p in (await session.execute(stmt)).scalars()]

    @staticmethod
    def _payout_out(p: PayPayout) -> dict[str, Any]:
        return {
            "payoutId": p.payout_id,
            "requestId": p.request_id,
            "merchantId": p.merchant_id,
            "batchName": p.batch_name,
            "currency": p.currency,
            "totalAmount": amount(p.total_amount),
            "totalNumber": p.total_number,
            "bizScene": p.biz_scene,
            "status": p.status,
            "createdAt": p.created_at,
            "finishedAt": p.finished_at,
        }

    async def payout(self, payout_id: str) -> dict[str, Any]:
        async with self.p.db.read() as session:
            p = (
                await session.execute(select(PayPayout).where(PayPayout.payout_id == payout_id))
            ).scalar_one_or_none()
            if p is None:
                raise NotFound(f"No Pay payout {payout_id}.")
            details = (
                await session.execute(
                    select(PayPayoutDetail)
                    .where(PayPayoutDetail.payout_id == payout_id)
                    .order_by(PayPayoutDetail.id)
                )
            ).scalars()
            detail_rows = [
                {
                    "detailId": d.detail_id,
                    "merchantSendId": d.merchant_send_id,
                    "receiveType": d.receive_type,
                    "receiver": d.receiver,
                    "receiverUserId": d.receiver_user_id,
                    "amount": amount(d.amount),
                    "transferMethod": d.transfer_method,
                    "status": d.status,
                    "failReason": d.fail_reason,
                }
                for d in details
            ]
            events = (
                await session.execute(
                    select(OrderEvent)
                    .where(OrderEvent.order_ref == payout_id)
                    .order_by(OrderEvent.id)
                )
            ).scalars()
            steps = timeline(events)
            entries = await self._entries_for(session, "pay_payout", payout_id)
        return {
            **self._payout_out(p),
            "details": detail_rows,
            "timeline": steps,
            "entries": entries,
        }

    # -- the request log's volume ---------------------------------------------------------------

    async def request_volume(
        self, *, start_ms: int, bucket_ms: int, buckets: int, family: str | None
    ) -> list[tuple[int, int, int]]:
        """(bucket start, requests, errors) for each bucket from `start_ms`, oldest first. An
        error is an HTTP status of 400 or more, or a family code other than success (wapi and
        Connect answer some refusals with HTTP 200)."""
        await self.p.flush_request_log()
        end_ms = start_ms + bucket_ms * buckets
        bucket = ((RequestLogRow.at - start_ms) // bucket_ms).label("bucket")
        failed = or_(
            RequestLogRow.http_status >= 400,
            and_(RequestLogRow.code.is_not(None), RequestLogRow.code != "000000"),
        )
        stmt = (
            select(bucket, func.count(), func.sum(case((failed, 1), else_=0)))
            .where(RequestLogRow.at >= start_ms, RequestLogRow.at < end_ms)
            .group_by(bucket)
        )
        if family:
            stmt = stmt.where(RequestLogRow.family == family)
        async with self.p.db.read() as session:
            counts = {int(b): (int(n), int(e or 0)) for b, n, e in (await session.execute(stmt))}
        return [
            (start_ms + i * bucket_ms, *counts.get(i, (0, 0)))
            for i in range(buckets)  # every bucket, the empty ones too
        ]
