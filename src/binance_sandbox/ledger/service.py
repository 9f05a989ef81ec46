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

from sqlalchemy import select, update
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
    stmt = select(Account.id, Account.kind).where(
        Account.owner == ref.owner, Account.asset == ref.asset, Account.wallet == ref.wallet
    )
    row = session.execute(stmt).first()
    if row is None:
        try:
            with session.begin_nested():
                session.add(
                    Account(
                        owner=ref.owner,
                        kind=ref.kind,
                        asset=ref.asset,
                        wallet=ref.wallet,
                        balance=0,
                    )
                )
        except IntegrityError:
            pass
        row = session.execute(stmt).one()
    if row.kind != ref.kind:
        raise LedgerError(f"account {ref.owner} is {row.kind}, not {ref.kind}")
    return int(row.id)


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

    entry = JournalEntry(kind=kind, ref_type=ref_type, ref_id=ref_id, memo=memo, created_at=at)
    session.add(entry)
    session.flush()
    # One global order of accounts, so that concurrent entries lock rows alike (debits first
    # would not do: two entries moving money opposite ways between the same two accounts
    # would lock them in opposite orders, a deadlock on PostgreSQL).
    ordered = sorted(
        legs, key=lambda leg: (leg.account.owner, leg.account.asset, leg.account.wallet)
    )
    for leg in ordered:
        acc_id = account_id(session, leg.account)
        session.add(
            Posting(
                entry_id=entry.id, account_id=acc_id, asset=leg.account.asset, amount=leg.amount
            )
        )
        try:
            with session.begin_nested():
                session.execute(
                    update(Account)
                    .where(Account.id == acc_id)
                    .values(balance=Account.balance + leg.amount)
                )
        except IntegrityError as exc:
            if leg.amount < 0:
                raise InsufficientBalance(
                    leg.account.owner, leg.account.asset, leg.account.wallet
                ) from exc
            raise
    session.flush()
    return int(entry.id)


def balance(session: Session, ref: AccountRef) -> int:
    stmt = select(Account.balance).where(
        Account.owner == ref.owner, Account.asset == ref.asset, Account.wallet == ref.wallet
    )
    value = session.execute(stmt).scalar_one_or_none()
    return int(value or 0)


def balances_of(session: Session, owner: str) -> list[Account]:
    stmt = select(Account).where(Account.owner == owner).order_by(Account.asset, Account.wallet)
    return list(session.execute(stmt).scalars())
