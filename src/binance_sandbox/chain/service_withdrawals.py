"""Withdrawals to the simulated chains.

A withdrawal takes amount + fee from the user at once (a `withdrawal` entry: the amount
leaves to the chain, the fee to the platform) and then moves 0 Email Sent → 2 Awaiting
Approval → 4 Processing (with a txId) → 6 Completed on the sandbox clock, along
`lifecycle.WITHDRAWAL`. A withdrawal to another sandbox user's deposit address arrives there
as an ordinary chain transfer.
"""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from binance_sandbox.chain import errors
from binance_sandbox.chain.lifecycle import (
    OUTCOMES,
    TRANSFER,
    WITHDRAWAL,
    TransferStatus,
    WithdrawalStatus,
)
from binance_sandbox.chain.networks import network_for
from binance_sandbox.chain.service_addresses import AddressService
from binance_sandbox.chain.service_shared import (
    FEES,
    WITHDRAW_STEP_MS,
    chain_account,
    new_tx_hash,
    withdrawal_event,
)
from binance_sandbox.chain.service_transfers import TransferService
from binance_sandbox.chain.switches import NetworkSwitches
from binance_sandbox.delivery.outbox import enqueue
from binance_sandbox.ledger import money
from binance_sandbox.ledger.service import (
    InsufficientBalance,
    Leg,
    post,
    system_account,
    user_account,
)
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import Withdrawal


class WithdrawalService:
    def __init__(
        self,
        platform: Platform,
        networks: NetworkSwitches,
        addresses: AddressService,
        transfers: TransferService,
    ) -> None:
        self.p = platform
        self.networks = networks
        self.addresses = addresses
        self.transfers = transfers

    async def withdraw(
        self,
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
        """`record_withdrawal` in a write of its own, on the networks' switches as they are
        now."""
        await self.networks.fresh()
        return await self.p.db.run_write(
            self.record_withdrawal,
            user_id,
            asset=asset,
            network=network,
            address=address,
            tag=tag,
            amount=amount,
            name=name,
            now=now,
        )

    def record_withdrawal(
        self,
        session: Session,
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
        """The withdrawal checked and made, amount and fee taken, its first step due, in the
        caller's transaction; on the networks' switches as last read (`NetworkSwitches.fresh`)."""
        net = self.networks.apply(network_for(asset, network))
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
        session.flush()
        legs = [
            Leg(user_account(user_id, asset), -(units + fee)),
            Leg(chain_account(net.network, asset), units),
            Leg(system_account(FEES, asset), fee),
        ]
        try:
            with session.begin_nested():
                post(session, "withdrawal", legs, at=now, ref_type="withdrawal", ref_id=record.id)
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
        enqueue(
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

    def advance_withdrawal(self, session: Session, withdrawal_id: str, now: int) -> int | None:
        """One step along 0 → 2 → 4 → 6; the sandbox time of the next step, if any."""
        w = session.execute(
            select(Withdrawal).where(Withdrawal.id == withdrawal_id).with_for_update()
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
            w.tx_id = new_tx_hash(self.p.ids, w.network)
            withdrawal_event(session, w.id, now, "processing", status=w.status, txId=w.tx_id)
            owner = self.addresses.find_owner(session, w.network, w.address, w.tag)
            if owner is not None:
                # Sent to a sandbox user: it arrives there like any transfer on this chain.
                self.transfers.record_transfer(
                    session,
                    net,
                    address=w.address,
                    tag=w.tag or None,
                    units=w.amount,
                    owner=owner,
                    tx_hash=w.tx_id,
                    source="withdrawal",
                )
            return now + net.confirm_ms
        w.status = WITHDRAWAL.move(w.status, WithdrawalStatus.COMPLETED).value
        w.completed_at = now
        withdrawal_event(session, w.id, now, "completed", status=w.status)
        return None

    def resolve_withdrawal(
        self, session: Session, withdrawal_id: str, outcome: str, now: int
    ) -> Withdrawal:
        """End a withdrawal that did not go out: the amount and the fee return to the user."""
        w = session.execute(
            select(Withdrawal).where(Withdrawal.id == withdrawal_id).with_for_update()
        ).scalar_one_or_none()
        if w is None:
            raise errors.UnknownWithdrawal(f"No withdrawal {withdrawal_id}.")
        status = OUTCOMES[outcome]
        if not WITHDRAWAL.can(w.status, status):
            raise errors.WithdrawalFinal(
                f"Withdrawal {withdrawal_id} has status {w.status}; cannot {outcome} it."
            )
        if w.tx_id is not None:
            sent = self.transfers.transfer_by_hash(session, w.tx_id)
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
        post(
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
