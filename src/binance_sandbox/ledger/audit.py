"""The ledger's own audit: every invariant of DESIGN.md's "One ledger under everything",
checked against the rows as they are."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import MINT_BURN_KINDS
from binance_sandbox.storage.db import Database
from binance_sandbox.storage.models import Account, JournalEntry, Posting


async def audit(db: Database) -> dict[str, Any]:
    """Each entry sums to zero per asset, each balance is the sum of its postings, no balance
    inside the platform is negative, only mint/burn entries touch the outside world, and the
    totals inside equal what was minted."""
    async with db.read() as session:
        unbalanced = (
            await session.execute(
                select(Posting.entry_id, Posting.asset, func.sum(Posting.amount))
                .group_by(Posting.entry_id, Posting.asset)
                .having(func.sum(Posting.amount) != 0)
            )
        ).all()
        drift = (
            await session.execute(
                select(Account.id, Account.balance, func.coalesce(func.sum(Posting.amount), 0))
                .outerjoin(Posting, Posting.account_id == Account.id)
                .group_by(Account.id, Account.balance)
                .having(Account.balance != func.coalesce(func.sum(Posting.amount), 0))
            )
        ).all()
        negative = (
            await session.execute(
                select(Account.owner, Account.asset, Account.wallet, Account.balance).where(
                    Account.kind != "external", Account.balance < 0
                )
            )
        ).all()
        stray = (
            await session.execute(
                select(JournalEntry.id, JournalEntry.kind)
                .join(Posting, Posting.entry_id == JournalEntry.id)
                .join(Account, Account.id == Posting.account_id)
                .where(Account.kind == "external")
                .where(JournalEntry.kind.not_in(sorted(MINT_BURN_KINDS)))
            )
        ).all()
        inside = (
            await session.execute(
                select(Account.asset, func.sum(Account.balance))
                .where(Account.kind != "external")
                .group_by(Account.asset)
            )
        ).all()
        minted = (
            await session.execute(
                select(Posting.asset, func.sum(Posting.amount))
                .join(Account, Account.id == Posting.account_id)
                .where(Account.kind == "external")
                .group_by(Posting.asset)
            )
        ).all()
    minted_by = {asset: -int(total) for asset, total in minted}
    totals = {asset: int(total) for asset, total in inside}
    conserved = all(totals.get(a, 0) == minted_by.get(a, 0) for a in set(totals) | set(minted_by))
    return {
        "ok": not unbalanced and not drift and not negative and not stray and conserved,
        "unbalancedEntries": [{"entryId": e, "asset": a, "sum": str(s)} for e, a, s in unbalanced],
        "balanceDrift": [{"accountId": i} for i, _b, _s in drift],
        "negativeBalances": [{"owner": o, "asset": a, "wallet": w} for o, a, w, _b in negative],
        "externalPostingsOutsideMintBurn": [{"entryId": i, "kind": k} for i, k in stray],
        "totalsConserved": conserved,
        "totals": {a: format(money.from_units(t), "f") for a, t in sorted(totals.items())},
    }
