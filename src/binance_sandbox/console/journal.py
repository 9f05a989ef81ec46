"""The ledger as the console shows it: accounts with their owners in words, an account's
journal (newest first, with the running balance), and journal entries, each linked to the
order, refund, payout, deposit or withdrawal that made it. Nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select

from binance_sandbox.admin_errors import NotFound
from binance_sandbox.ledger import money
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.models import Account, JournalEntry, PayOrder, PayRefund, Posting

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


@dataclass(frozen=True)
class Source:
    """What made a journal entry, and the console page that shows it."""

    label: str
    href: str | None


class JournalViews:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- accounts ----------------------------------------------------------------------------

    async def accounts(
        self, *, kinds: tuple[str, ...], asset: str | None, owner: str | None, limit: int
    ) -> list[dict[str, Any]]:
        stmt = select(Account).where(Account.kind.in_(kinds))
        if asset:
            stmt = stmt.where(Account.asset == asset)
        if owner:
            stmt = stmt.where(Account.owner.contains(owner, autoescape=True))
        async with self.db.read() as session:
            rows = (
                await session.execute(
                    stmt.order_by(Account.kind, Account.owner, Account.asset, Account.wallet).limit(
                        limit
                    )
                )
            ).scalars()
            return [account_out(a) for a in rows]

    async def account_id(self, owner: str, asset: str, wallet: str) -> int:
        async with self.db.read() as session:
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
        async with self.db.read() as session:
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
        async with self.db.read() as session:
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
        async with self.db.read() as session:
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
