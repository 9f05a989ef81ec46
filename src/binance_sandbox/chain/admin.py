"""What the control API and the console do with the simulated chains: send a transfer on one
(credited to the address's user after its confirmations), list and show transfers and
withdrawals with their steps, and end a withdrawal that has not gone out. Errors are the
control API's own."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from binance_sandbox.admin_errors import Conflict, Invalid, NotFound
from binance_sandbox.chain.errors import ChainError, UnknownWithdrawal
from binance_sandbox.chain.lifecycle import TRANSFER, WITHDRAWAL_NAMES, TransferStatus
from binance_sandbox.chain.service_transfers import TransferService
from binance_sandbox.chain.service_withdrawals import WithdrawalService
from binance_sandbox.ledger import money
from binance_sandbox.platform import Platform
from binance_sandbox.storage.models import (
    ChainTransfer,
    DepositAddress,
    DepositReport,
    DepositSession,
    OrderEvent,
    Withdrawal,
)

WITHDRAW_STATUSES = {status.value: name for status, name in WITHDRAWAL_NAMES.items()}
# Why a transfer that reached its confirmations was not credited.
NOT_CREDITED: dict[str, str] = {
    TransferStatus.DUST: "below the network's depositDust",
    TransferStatus.UNCLAIMED: "no sandbox user",
}


def amount(units: int) -> str:
    return format(money.from_units(units).normalize(), "f")


def transfer_out(t: ChainTransfer) -> dict[str, Any]:
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
    }


def transfer_view(t: ChainTransfer) -> dict[str, Any]:
    """A transfer as the console shows it: with who sent it."""
    return {**transfer_out(t), "source": t.source}


def withdrawal_out(w: Withdrawal) -> dict[str, Any]:
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


def transfer_steps(t: ChainTransfer) -> list[dict[str, Any]]:
    """A transfer's steps, from its own times (a transfer records no separate events)."""
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
        reason = NOT_CREDITED.get(t.status, t.status)
        steps.append(
            {
                "at": t.confirm_at,
                "kind": "not_credited",
                "detail": {"status": t.status, "reason": reason},
            }
        )
    return steps


async def forget_user(session: AsyncSession, user_id: str) -> None:
    """Delete what the chains know of a user: withdrawals with their timelines, transfers
    credited to them, deposit addresses (its jobs are the outbox's, `delivery.admin`)."""
    withdrawals = select(Withdrawal.id).where(Withdrawal.user_id == user_id)
    await session.execute(delete(OrderEvent).where(OrderEvent.order_ref.in_(withdrawals)))
    await session.execute(delete(Withdrawal).where(Withdrawal.user_id == user_id))
    await session.execute(delete(ChainTransfer).where(ChainTransfer.user_id == user_id))
    await session.execute(delete(DepositAddress).where(DepositAddress.user_id == user_id))


class ChainAdmin:
    def __init__(
        self, platform: Platform, transfers: TransferService, withdrawals: WithdrawalService
    ) -> None:
        self.p = platform
        self.chain_transfers = transfers
        self.chain_withdrawals = withdrawals

    # -- transfers --------------------------------------------------------------------------

    async def send(
        self, *, network: str, address: str, tag: str | None, asset: str, amount: Decimal
    ) -> dict[str, Any]:
        """Send on the simulated chain: credited to the address's user after confirmations."""
        try:
            async with self.p.db.write() as session:
                row = await self.chain_transfers.submit_transfer(
                    session, network=network, address=address, tag=tag, asset=asset, amount=amount
                )
                out = transfer_out(row)
        except ChainError as exc:
            raise Invalid(exc.message) from exc
        return out

    async def transfers(
        self,
        *,
        address: str | None = None,
        tx_hash: str | None = None,
        status: str | None = None,
        network: str | None = None,
        user_id: str | None = None,
        limit: int,
        shape: Callable[[ChainTransfer], dict[str, Any]] = transfer_out,
    ) -> list[dict[str, Any]]:
        """Transfers, newest first, as the control API shows them (or as `shape` does)."""
        stmt = select(ChainTransfer)
        if address:
            stmt = stmt.where(ChainTransfer.address == address)
        if tx_hash:
            stmt = stmt.where(ChainTransfer.tx_hash == tx_hash)
        if status:
            stmt = stmt.where(ChainTransfer.status == status)
        if network:
            stmt = stmt.where(ChainTransfer.network == network)
        if user_id:
            stmt = stmt.where(ChainTransfer.user_id == user_id)
        stmt = stmt.order_by(ChainTransfer.created_at.desc(), ChainTransfer.tx_hash).limit(limit)
        async with self.p.db.read() as session:
            return [shape(t) for t in (await session.execute(stmt)).scalars()]

    async def transfer(self, tx_hash: str) -> dict[str, Any]:
        """A transfer with its steps, the deposit sessions that reported it and the
        withdrawal that sent it."""
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
        return {
            **transfer_view(t),
            "timeline": transfer_steps(t),
            "sessions": [{"depositId": s, "externalOrderId": x} for s, x in sessions],
            "withdrawalId": sent_by,
        }

    # -- withdrawals ------------------------------------------------------------------------

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
            return [withdrawal_out(w) for w in (await session.execute(stmt)).scalars()]

    async def withdrawal(self, withdrawal_id: str) -> dict[str, Any]:
        """A withdrawal with its steps and the transfer it sent, if that arrived."""
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
        steps = [{"at": e.at, "kind": e.kind, "detail": json.loads(e.detail)} for e in events]
        for step in steps:
            status = step["detail"].get("status")
            if isinstance(status, int) and status in WITHDRAW_STATUSES:
                step["detail"]["statusName"] = WITHDRAW_STATUSES[status]
        return {**withdrawal_out(w), "timeline": steps, "arrivedTxHash": arrived}

    async def resolve_withdrawal(self, withdrawal_id: str, outcome: str) -> dict[str, Any]:
        """End a withdrawal as an operator: cancel (from 0), reject (from 0 or 2), fail (from
        4). The amount and the fee go back to the user."""
        if outcome not in ("cancel", "reject", "fail"):
            raise Invalid("outcome must be cancel, reject or fail.")
        try:
            w = await self.p.db.run_write(
                self.chain_withdrawals.resolve_withdrawal,
                withdrawal_id,
                outcome,
                self.p.clock.now_ms(),
            )
        except UnknownWithdrawal as exc:
            raise NotFound(exc.message) from exc
        except ChainError as exc:
            raise Conflict(exc.message) from exc
        return {"id": w.id, "status": w.status}
