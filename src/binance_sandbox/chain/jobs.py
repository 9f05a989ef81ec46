"""Chain work the delivery worker does: confirm transfers, step withdrawals along."""

from __future__ import annotations

from sqlalchemy.orm import Session

from binance_sandbox.chain.service_transfers import TransferService
from binance_sandbox.chain.service_withdrawals import WithdrawalService
from binance_sandbox.delivery.outbox import enqueue
from binance_sandbox.delivery.worker import Handler, JobContext, Outcome


def chain_handlers(
    transfers: TransferService, withdrawals: WithdrawalService
) -> dict[str, Handler]:
    async def confirm(ctx: JobContext) -> Outcome:
        tx_hash = ctx.payload["txHash"]

        def apply(session: Session, now: int) -> None:
            transfers.confirm(session, tx_hash, now)

        return Outcome.done(apply=apply)

    async def withdraw(ctx: JobContext) -> Outcome:
        withdrawal_id = ctx.payload["id"]

        def apply(session: Session, now: int) -> None:
            following = withdrawals.advance_withdrawal(session, withdrawal_id, now)
            if following is not None:
                enqueue(
                    session,
                    kind="chain.withdraw",
                    family="chain",
                    payload={"id": withdrawal_id},
                    due_at=following,
                    now=now,
                    max_attempts=20,
                    ref=withdrawal_id,
                )

        return Outcome.done(apply=apply)

    return {"chain.confirm": confirm, "chain.withdraw": withdraw}
