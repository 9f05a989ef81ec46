"""The double-entry ledger every family posts to.

A journal entry is a list of postings that sums to zero per asset; it is checked before it
is written, and applied with single `UPDATE … SET balance = balance + :d` statements whose
result the database checks against `balance >= 0` (constraint `balance_not_negative`), so
no interleaving of requests can overdraw an account.

Account kinds: `user` (end users, merchants' wallets), `system` (the platform's liquidity,
partners' revenue), `external` (faucet, chains, fiat rails: the world outside). Entries that
touch an external account are the mint/burn kinds of `MINT_BURN_KINDS`; every other entry
moves value only between accounts inside the platform, so per-asset totals inside it
change only by those.

The ledger's functions are synchronous, on an ORM `Session`: the worker's units of work and
the hot write paths run whole in one `Database.run_write`, and a caller holding an
`AsyncSession` runs them with `await session.run_sync(post, …)` (SQLAlchemy's documented
bridge), in the same transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from binance_sandbox.storage.models import Account, JournalEntry, Posting

# Entries allowed to move value across the platform's boundary.
MINT_BURN_KINDS = frozenset(
    {
        "treasury_mint",  # platform liquidity, once per asset
        "faucet",  # control API credit
        "fiat_in",  # a partner's fiat arriving for a Connect Prime buy
        "fiat_out",  # a Connect Prime sell's fiat leaving to the user through the partner
        "chain_deposit",
        "withdrawal",
        "dividend",
    }
)

PLATFORM = "platform"
WORLD = "world"


class LedgerError(Exception):
    """An entry that does not balance, or that the ledger's rules refuse."""


class InsufficientBalance(LedgerError):
    def __init__(self, owner: str, asset: str, wallet: str) -> None:
        super().__init__(f"insufficient {asset} balance in {owner} {wallet}")
        self.owner = owner
        self.asset = asset
        self.wallet = wallet


@dataclass(frozen=True)
class AccountRef:
    owner: str
    asset: str
    wallet: str = "SPOT"
    kind: str = "user"


@dataclass(frozen=True)
class Leg:
    account: AccountRef
    amount: int  # units of 1e-8; positive credits the account


def user_account(user_id: str, asset: str, wallet: str = "SPOT") -> AccountRef:
    return AccountRef(f"user:{user_id}", asset, wallet, "user")


def system_account(owner: str, asset: str, wallet: str = "SPOT") -> AccountRef:
    return AccountRef(owner, asset, wallet, "system")


def external_account(owner: str, asset: str) -> AccountRef:
    return AccountRef(owner, asset, "SPOT", "external")


def transfer(src: AccountRef, dst: AccountRef, amount: int) -> list[Leg]:
    """The two legs that move `amount` from `src` to `dst`."""
    if amount <= 0:
        raise LedgerError("a transfer moves a positive amount")
    if src.asset != dst.asset:
        raise LedgerError("a transfer stays in one asset")
    return [Leg(src, -amount), Leg(dst, amount)]


def account_id(session: Session, ref: AccountRef) -> int:
    """The account's id, creating it on first use (race-safe: a unique constraint decides)."""
    return _account_ids(session, [ref])[ref]


def post(
    session: Session,
    kind: str,
    legs: Sequence[Leg],
    *,
    at: int,
    ref_type: str | None = None,
    ref_id: str | None = None,
    memo: str | None = None,
) -> int:
    """Write one balanced journal entry inside the caller's transaction; returns its id.

    Raises `InsufficientBalance` (and the caller's transaction must then roll back) when a
    non-external account would go below zero.

    The entry, its postings and the balances are written with Core statements on the
    session's connection: one INSERT of the entry, one lookup of its accounts, one INSERT of
    its postings and one UPDATE per account. An `Account` the session had already loaded
    has its balance expired, so that reading it again shows the new balance.
    """
    if not legs:
        raise LedgerError("an entry needs postings")
    sums: dict[str, int] = defaultdict(int)
    for leg in legs:
        if leg.amount == 0:
            raise LedgerError("a posting moves a non-zero amount")
        sums[leg.account.asset] += leg.amount
        if leg.account.kind == "external" and kind not in MINT_BURN_KINDS:
            raise LedgerError(f"a {kind} entry cannot touch an external account")
    unbalanced = {asset: total for asset, total in sums.items() if total != 0}
    if unbalanced:
        raise LedgerError(f"entry does not balance: {unbalanced}")

    connection = session.connection()
    entry_id: int = connection.execute(
        _NEW_ENTRY,
        {"kind": kind, "ref_type": ref_type, "ref_id": ref_id, "memo": memo, "created_at": at},
    ).scalar_one()
    # One global order of accounts, so that concurrent entries lock rows alike (debits first
    # would not do: two entries moving money opposite ways between the same two accounts
    # would lock them in opposite orders, a deadlock on PostgreSQL).
    ordered = sorted(
        legs, key=lambda leg: (leg.account.owner, leg.account.asset, leg.account.wallet)
    )
    ids = _account_ids(session, [leg.account for leg in ordered])
    connection.execute(
        _NEW_POSTING,
        [
            {
                "entry_id": entry_id,
                "account_id": ids[leg.account],
                "asset": leg.account.asset,
                "amount": leg.amount,
            }
            for leg in ordered
        ],
    )
    for leg in ordered:
        try:
            connection.execute(_CREDIT, {"account": ids[leg.account], "amount": leg.amount})
        except IntegrityError as exc:
            if leg.amount < 0:
                raise InsufficientBalance(
                    leg.account.owner, leg.account.asset, leg.account.wallet
                ) from exc
            raise
    touched = set(ids.values())
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Account) and loaded.id in touched:
            session.expire(loaded, ["balance"])
    return entry_id


_ACCOUNTS = cast(Table, Account.__table__)
_ENTRIES = cast(Table, JournalEntry.__table__)
_NEW_ENTRY = insert(_ENTRIES).returning(_ENTRIES.c.id)
_NEW_POSTING = insert(cast(Table, Posting.__table__))
# `balance_not_negative` refuses the statement that would overdraw the account.
_CREDIT = (
    update(_ACCOUNTS)
    .where(_ACCOUNTS.c.id == bindparam("account"))
    .values(balance=_ACCOUNTS.c.balance + bindparam("amount"))
)


def _account_ids(session: Session, refs: Sequence[AccountRef]) -> dict[AccountRef, int]:
    """The accounts' ids, in one lookup; an account used for the first time is created."""
    keys = {(ref.owner, ref.asset, ref.wallet): ref for ref in refs}
    lookup = select(_ACCOUNTS.c.id, _ACCOUNTS.c.kind, *_KEY).where(tuple_(*_KEY).in_(list(keys)))
    found = {(row.owner, row.asset, row.wallet): row for row in session.execute(lookup)}
    missing = [ref for key, ref in keys.items() if key not in found]
    for ref in missing:
        try:
            with session.begin_nested():
                session.execute(
                    insert(_ACCOUNTS).values(
                        owner=ref.owner,
                        kind=ref.kind,
                        asset=ref.asset,
                        wallet=ref.wallet,
                        balance=0,
                    )
                )
        except IntegrityError:
            pass  # created at the same moment by another transaction
    if missing:
        found = {(row.owner, row.asset, row.wallet): row for row in session.execute(lookup)}
    ids = {}
    for key, ref in keys.items():
        row = found[key]
        if row.kind != ref.kind:
            raise LedgerError(f"account {ref.owner} is {row.kind}, not {ref.kind}")
        ids[ref] = int(row.id)
    return ids


_KEY = (_ACCOUNTS.c.owner, _ACCOUNTS.c.asset, _ACCOUNTS.c.wallet)


def balance(session: Session, ref: AccountRef) -> int:
    stmt = select(Account.balance).where(
        Account.owner == ref.owner, Account.asset == ref.asset, Account.wallet == ref.wallet
    )
    value = session.execute(stmt).scalar_one_or_none()
    return int(value or 0)


def balances_of(session: Session, owner: str) -> list[Account]:
    stmt = select(Account).where(Account.owner == owner).order_by(Account.asset, Account.wallet)
    return list(session.execute(stmt).scalars())
