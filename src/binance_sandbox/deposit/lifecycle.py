"""Connect Deposit's state machine: a deposit session moves from INIT to a terminal state
(AUTHORIZED, REJECTED or EXPIRED) once, and stays there (connect-deposit-flow.txt, step 4:
"until the status transitions from INIT to a terminal state")."""

from __future__ import annotations

from enum import StrEnum

from binance_sandbox.statemachine import StateMachine


class SessionStatus(StrEnum):
    INIT = "INIT"
    AUTHORIZED = "AUTHORIZED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"


SESSION = StateMachine(
    "Deposit session",
    SessionStatus,
    {
        SessionStatus.INIT: {
            SessionStatus.AUTHORIZED,
            SessionStatus.REJECTED,
            SessionStatus.EXPIRED,
        }
    },
)
# `statusCode` beside `status` (NOTES.md: "Status 0 INIT, 1 AUTHORIZED, 2 REJECTED, 3 EXPIRED").
STATUS_CODES: dict[str, int] = {
    SessionStatus.INIT: 0,
    SessionStatus.AUTHORIZED: 1,
    SessionStatus.REJECTED: 2,
    SessionStatus.EXPIRED: 3,
}
