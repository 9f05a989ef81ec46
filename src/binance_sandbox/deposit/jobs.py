"""Connect Deposit work the delivery worker does: expire a session whose link has expired,
on the sandbox clock (the job is due at its `linkExpireTime`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from binance_sandbox.delivery.worker import Handler, JobContext, Outcome
from binance_sandbox.deposit.service_decisions import DecisionService


def deposit_handlers(service: DecisionService) -> dict[str, Handler]:
    async def expire(ctx: JobContext) -> Outcome:
        session_id = ctx.payload["sessionId"]

        def apply(session: Session, now: int) -> None:
            service.expire(session, session_id, now)

        return Outcome.done(apply=apply)

    return {"deposit.expire": expire}
