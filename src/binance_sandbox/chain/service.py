"""Deposit addresses, on-chain transfers and withdrawals, on the ledger and the sandbox clock.

A transfer to a sandbox deposit address credits its user after the network's confirmations
(an outbox job due then): a `chain_deposit` entry from the chain (external) to the user's
SPOT wallet, unless it is below the network's `depositDust`. A withdrawal takes amount + fee
from the user at once (a `withdrawal` entry: the amount leaves to the chain, the fee to the
platform) and then moves 0 Email Sent → 2 Awaiting Approval → 4 Processing (with a txId) →
6 Completed on the sandbox clock. A withdrawal to another sandbox user's deposit address
arrives there as an ordinary chain transfer. Both move along the machines of `lifecycle`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.chain import errors
from binance_sandbox.chain.lifecycle import (
    LISTED_DEPOSITS,
    OUTCOMES,
    TRANSFER,
    WITHDRAWAL,
    TransferStatus,
    WithdrawalStatus,
)
from binance_sandbox.chain.networks import network_for
from binance_sandbox.chain.switches import NetworkSwitches
from binance_sandbox.delivery.outbox import enqueue
from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import (
    AccountRef,
    InsufficientBalance,
    Leg,
    external_account,
    post,
    system_account,
    transfer,
    user_account,
)
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import ChainTransfer, DepositAddress, OrderEvent, Withdrawal

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "023456789acdefghjklmnpqrstuvwxyz"
# Binance-style withdrawal progress on the sandbox clock.
WITHDRAW_STEP_MS = 5_000
FEES = "platform:withdraw-fees"


def chain_account(network: str, asset: str) -> AccountRef:
    return external_account(f"world:chain:{network}", asset)


def withdrawal_event(
    session: AsyncSession, withdrawal_id: str, at: int, kind: str, **detail: Any
) -> None:
    """One step of a withdrawal's timeline (the console shows it)."""
    session.add(
        OrderEvent(
            family="withdrawal",
            order_ref=withdrawal_id,
            at=at,
            kind=kind,
            detail=json.dumps(detail, default=str),
        )
    )


def _shared_xrp_address() -> str:
    digest = hashlib.sha256(b"binance-sandbox xrp deposit address").digest()
    return "r" + "".join(BASE58[b % 58] for b in digest[:33])


XRP_ADDRESS = _shared_xrp_address()


@functools.cache
def _deposits_statement(
    *, columns: bool, asset: bool, status: bool, start: bool, end: bool
) -> Select[Any]:
    """`deposits`' query with the filters given, the values bound at each call, for objects or
    (`columns`) for rows. Built once per combination: making an ORM statement costs more than
    running it (SQLAlchemy caches the compiled SQL, not the statement), and `depositHistory`
    is polled."""
    stmt = select(ChainTransfer.__table__ if columns else ChainTransfer).where(
        ChainTransfer.user_id == bindparam("user_id"),
        # Two comparisons, not `in_()`: an IN list is expanded at every execution, and its
        # statement's compiled SQL cannot be cached.
        or_(*(ChainTransfer.status == listed.value for listed in LISTED_DEPOSITS.values())),
    )
    if asset:
        stmt = stmt.where(ChainTransfer.asset == bindparam("asset"))
    if status:
        stmt = stmt.where(ChainTransfer.status == bindparam("status"))
    if start:
        stmt = stmt.where(ChainTransfer.created_at >= bindparam("start"))
    if end:
        stmt = stmt.where(ChainTransfer.created_at <= bindparam("end"))
    return stmt.order_by(ChainTransfer.created_at)


def _deposits_query(
    columns: bool,
    user_id: str,
    asset: str | None,
    status: int | None,
    start: int | None,
    end: int | None,
) -> tuple[Select[Any], dict[str, Any]]:
    stmt = _deposits_statement(
        columns=columns,
        asset=bool(asset),
        status=status is not None,
        start=start is not None,
        end=end is not None,
    )
    params = {
        "user_id": user_id,
        "asset": asset,
        # A status no transfer is listed with matches nothing.
        "status": LISTED_DEPOSITS[status].value if status in LISTED_DEPOSITS else "NONE",
        "start": start,
        "end": end,
    }
    return stmt, params


@dataclass(frozen=True)
class DepositAddressOut:
    coin: str
    network: str
    address: str
    tag: str | None


class ChainService:
    def __init__(self, platform: Platform) -> None:
        self.p = platform
        # The networks' run-time switches, set through the control API (chain/switches.py).
        self.networks = NetworkSwitches(platform.db)

    # -- addresses ---------------------------------------------------------------------------

    def _new_address(self, network: str) -> tuple[str, str]:
        ids = self.p.ids
        if network in ("ETH", "BSC"):
            return "0x" + ids.hex(40), ""
        if network == "BTC":
            return "bc1q" + "".join(BECH32[int(c, 16) * 2 % 32] for c in ids.hex(38)), ""
        if network == "TRX":
            return "T" + "".join(BASE58[ord(c) % 58] for c in ids.alnum(33)), ""
        if network == "SOL":
            return "".join(BASE58[ord(c) % 58] for c in ids.alnum(44)), ""
        if network == "XRP":
            # One exchange address; the user is told apart by the tag (memo).
            return XRP_ADDRESS, ids.digits(9)
        raise errors.UnknownNetwork(f"No addresses on network {network}.")

    async def deposit_address(
        self, session: AsyncSession, user_id: str, coin: str, network: str | None
    ) -> DepositAddressOut:
        net = (await self.networks.fresh()).apply(network_for(coin, network))
        if not net.deposit_enable:
            raise errors.DepositDisabled(f"Deposits of {coin} on {net.network} are suspended.")
        stmt = select(DepositAddress).where(
            DepositAddress.user_id == user_id, DepositAddress.network == net.network
        )
        row = (await session.execute(stmt)).scalar_one_or_none()
        if row is None:
            address, tag = self._new_address(net.network)
            try:
                async with session.begin_nested():
                    session.add(
                        DepositAddress(
                            user_id=user_id,
                            network=net.network,
                            address=address,
                            tag=tag,
                            created_at=self.p.clock.now_ms(),
                        )
                    )
            except IntegrityError:
                pass
            row = (await session.execute(stmt)).scalar_one()
        return DepositAddressOut(coin, net.network, row.address, row.tag or None)

    async def find_owner(
        self, session: AsyncSession, network: str, address: str, tag: str | None
    ) -> str | None:
        stmt = select(DepositAddress.user_id).where(
            DepositAddress.network == network,
            DepositAddress.address == address,
            DepositAddress.tag == (tag or ""),
        )
        owner = (await session.execute(stmt)).scalar_one_or_none()
        return str(owner) if owner is not None else None

    # -- transfers arriving on chain ----------------------------------------------------------

    async def submit_transfer(
        self,
        session: AsyncSession,
        *,
        network: str,
        address: str,
        tag: str | None,
        asset: str,
        amount: Decimal,
        tx_hash: str | None = None,
        source: str = "control",
    ) -> ChainTransfer:
        net = network_for(asset, network)
        if not re.match(net.address_regex, address):
            raise errors.InvalidAddress(f"{address} is not a valid {net.network} address.")
        if amount <= 0:
            raise errors.AmountTooSmall("amount must be greater than 0.")
        try:
            units = money.to_units(amount)
        except money.AmountError as exc:
            raise errors.AmountTooSmall(f"amount: {exc}") from exc
        now = self.p.clock.now_ms()
        owner = await self.find_owner(session, net.network, address, tag)
        transfer_row = ChainTransfer(
            tx_hash=tx_hash or self._tx_hash(net.network),
            network=net.network,
            address=address,
            tag=tag or "",
            asset=asset,
            amount=units,
            user_id=owner,
            status=TransferStatus.PENDING.value,
            confirmations_needed=net.confirmations,
            created_at=now,
            confirm_at=now + net.confirm_ms,
            source=source,
        )
        session.add(transfer_row)
        await session.flush()
        await enqueue(
            session,
            kind="chain.confirm",
            family="chain",
            payload={"txHash": transfer_row.tx_hash},
            due_at=transfer_row.confirm_at,
            now=now,
            max_attempts=10,
            owner=owner,
            ref=transfer_row.tx_hash,
        )
        return transfer_row

    def _tx_hash(self, network: str) -> str:
        if network in ("ETH", "BSC"):
            return "0x" + self.p.ids.hex(64)
        return self.p.ids.hex(64)

    async def confirm(self, session: AsyncSession, tx_hash: str, now: int) -> None:
        """The transfer has its confirmations: credit its user, or record why not."""
        row = (
            await session.execute(
                select(ChainTransfer).where(ChainTransfer.tx_hash == tx_hash).with_for_update()
            )
        ).scalar_one_or_none()
        if row is None or TRANSFER.is_terminal(row.status):
            return
        net = network_for(row.asset, row.network)
        if row.user_id is None:
            row.status = TRANSFER.move(row.status, TransferStatus.UNCLAIMED).value
        elif row.amount < money.to_units(net.deposit_dust):
            row.status = TRANSFER.move(row.status, TransferStatus.DUST).value
        else:
            await post(
                session,
                "chain_deposit",
                transfer(
                    chain_account(row.network, row.asset),
                    user_account(row.user_id, row.asset),
                    row.amount,
                ),
                at=now,
                ref_type="chain_transfer",
                ref_id=row.tx_hash,
            )
            row.status = TRANSFER.move(row.status, TransferStatus.CREDITED).value
            row.credited_at = now

    async def transfer_by_hash(self, session: AsyncSession, tx_hash: str) -> ChainTransfer | None:
        return (
            await session.execute(select(ChainTransfer).where(ChainTransfer.tx_hash == tx_hash))
        ).scalar_one_or_none()

    async def deposits(
        self,
        session: AsyncSession,
        user_id: str,
        *,
        asset: str | None = None,
        status: int | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> list[ChainTransfer]:
        """What `depositHistory` lists: transfers to the user, pending (0) or credited (1)."""
        stmt, params = _deposits_query(False, user_id, asset, status, start, end)
        return list((await session.execute(stmt, params)).scalars())

    async def deposit_rows(
        self,
        user_id: str,
        *,
        asset: str | None = None,
        status: int | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> Sequence[Row[Any]]:
        """`deposits` as rows, in a read of its own (`Database.rows`): `depositHistory`."""
        stmt, params = _deposits_query(True, user_id, asset, status, start, end)
        return await self.p.db.rows(stmt, params)

    # -- withdrawals ---------------------------------------------------------------------------

    async def withdraw(
        self,
        session: AsyncSession,
        user_id: str,
        *,
        asset: str,
        network: str | None,
        address: str,
        tag: str | None,
        amount: Decimal,
        name: str | None,
        now: int,
    ) -> Withdrawal:
        net = (await self.networks.fresh()).apply(network_for(asset, network))
        if not net.withdraw_enable:
            raise errors.WithdrawDisabled(f"Withdrawals of {asset} on {net.network} are suspended.")
        if not re.match(net.address_regex, address):
            raise errors.InvalidAddress(f"{address} is not a valid {net.network} address.")
        if tag and net.memo_regex and not re.match(net.memo_regex, tag):
            raise errors.InvalidAddress(f"{tag} is not a valid {net.network} address tag.")
        if amount < net.withdraw_min:
            raise errors.AmountTooSmall(
                f"The minimum withdrawal of {asset} on {net.network} is {net.withdraw_min}."
            )
        if amount > net.withdraw_max:
            raise errors.AmountTooLarge(
                f"The maximum withdrawal of {asset} on {net.network} is {net.withdraw_max}."
            )
        try:
            units = money.to_units(amount)
        except money.AmountError as exc:
            raise errors.AmountTooSmall(f"amount: {exc}") from exc
        fee = money.to_units(net.withdraw_fee)
        record = Withdrawal(
            id=self.p.ids.hex(32),
            user_id=user_id,
            asset=asset,
            network=net.network,
            address=address,
            tag=tag or "",
            amount=units,
            fee=fee,
            name=name,
            status=WithdrawalStatus.EMAIL_SENT.value,
            apply_time=now,
        )
        session.add(record)
        await session.flush()
        legs = [
            Leg(user_account(user_id, asset), -(units + fee)),
            Leg(chain_account(net.network, asset), units),
            Leg(system_account(FEES, asset), fee),
        ]
        try:
            async with session.begin_nested():
                await post(
                    session, "withdrawal", legs, at=now, ref_type="withdrawal", ref_id=record.id
                )
        except InsufficientBalance as exc:
            raise errors.InsufficientBalance(
                f"Insufficient {asset} balance for {amount} plus the fee {net.withdraw_fee}."
            ) from exc
        withdrawal_event(
            session,
            record.id,
            now,
            "applied",
            status=record.status,
            amount=amount,
            fee=net.withdraw_fee,
        )
        await enqueue(
            session,
            kind="chain.withdraw",
            family="chain",
            payload={"id": record.id},
            due_at=now + WITHDRAW_STEP_MS,
            now=now,
            max_attempts=20,
            owner=user_id,
            ref=record.id,
        )
        return record

    async def advance_withdrawal(
        self, session: AsyncSession, withdrawal_id: str, now: int
    ) -> int | None:
        """One step along 0 → 2 → 4 → 6; the sandbox time of the next step, if any."""
        w = (
            await session.execute(
                select(Withdrawal).where(Withdrawal.id == withdrawal_id).with_for_update()
            )
        ).scalar_one_or_none()
        if w is None or WITHDRAWAL.is_terminal(w.status):
            return None
        net = network_for(w.asset, w.network)
        if w.status == WithdrawalStatus.EMAIL_SENT:
            w.status = WITHDRAWAL.move(w.status, WithdrawalStatus.AWAITING_APPROVAL).value
            withdrawal_event(session, w.id, now, "awaiting_approval", status=w.status)
            return now + WITHDRAW_STEP_MS
        if w.status == WithdrawalStatus.AWAITING_APPROVAL:
            w.status = WITHDRAWAL.move(w.status, WithdrawalStatus.PROCESSING).value
            w.tx_id = self._tx_hash(w.network)
            withdrawal_event(session, w.id, now, "processing", status=w.status, txId=w.tx_id)
            if await self.find_owner(session, w.network, w.address, w.tag) is not None:
                # Sent to a sandbox user: it arrives there like any transfer on this chain.
                await self.submit_transfer(
                    session,
                    network=w.network,
                    address=w.address,
                    tag=w.tag or None,
                    asset=w.asset,
                    amount=money.from_units(w.amount),
                    tx_hash=w.tx_id,
                    source="withdrawal",
                )
            return now + net.confirm_ms
        w.status = WITHDRAWAL.move(w.status, WithdrawalStatus.COMPLETED).value
        w.completed_at = now
        withdrawal_event(session, w.id, now, "completed", status=w.status)
        return None

    async def resolve_withdrawal(
        self, session: AsyncSession, withdrawal_id: str, outcome: str, now: int
    ) -> Withdrawal:
        """End a withdrawal that did not go out: the amount and the fee return to the user."""
        w = (
            await session.execute(
                select(Withdrawal).where(Withdrawal.id == withdrawal_id).with_for_update()
            )
        ).scalar_one_or_none()
        if w is None:
            raise errors.UnknownWithdrawal(f"No withdrawal {withdrawal_id}.")
        status = OUTCOMES[outcome]
        if not WITHDRAWAL.can(w.status, status):
            raise errors.WithdrawalFinal(
                f"Withdrawal {withdrawal_id} has status {w.status}; cannot {outcome} it."
            )
        if w.tx_id is not None:
            sent = await self.transfer_by_hash(session, w.tx_id)
            if sent is not None:
                if TRANSFER.is_terminal(sent.status):
                    raise errors.WithdrawalFinal(
                        f"Withdrawal {withdrawal_id} already arrived on chain."
                    )
                # The transaction failed: nothing arrives.
                sent.status = TRANSFER.move(sent.status, TransferStatus.UNCLAIMED).value
        legs = [
            Leg(chain_account(w.network, w.asset), -w.amount),
            Leg(system_account(FEES, w.asset), -w.fee),
            Leg(user_account(w.user_id, w.asset), w.amount + w.fee),
        ]
        await post(
            session,
            "withdrawal",
            legs,
            at=now,
            ref_type="withdrawal",
            ref_id=w.id,
            memo=f"withdrawal {outcome}",
        )
        w.status = status.value
        w.completed_at = now
        ended = {"cancel": "cancelled", "reject": "rejected", "fail": "failed"}[outcome]
        withdrawal_event(session, w.id, now, ended, status=w.status, amountAndFeeReturned=True)
        return w

    async def withdrawals(
        self,
        session: AsyncSession,
        user_id: str,
        *,
        asset: str | None = None,
        status: int | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> list[Withdrawal]:
        stmt = select(Withdrawal).where(Withdrawal.user_id == user_id)
        if asset:
            stmt = stmt.where(Withdrawal.asset == asset)
        if status is not None:
            stmt = stmt.where(Withdrawal.status == status)
        if start is not None:
            stmt = stmt.where(Withdrawal.apply_time >= start)
        if end is not None:
            stmt = stmt.where(Withdrawal.apply_time <= end)
        return list((await session.execute(stmt.order_by(Withdrawal.apply_time))).scalars())
