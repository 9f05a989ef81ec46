"""The chain's state machines: on-chain transfers (deposits) and withdrawals.

A transfer is PENDING until its confirmations, then CREDITED to the owner of the address,
DUST (below the network's `depositDust`, not credited) or UNCLAIMED (no sandbox owner, or
the withdrawal that sent it failed). wapi shows it as deposit status 0 (pending) or 1
(success) (wallet-wapi-v3.txt, depositHistory).

A withdrawal carries wapi's status integers (wallet-wapi-v3.txt, withdrawHistory: "0:Email
Sent,1:Cancelled 2:Awaiting Approval 3:Rejected 4:Processing 5:Failure 6Completed") and moves
0 → 2 → 4 → 6 on the sandbox clock; an operator may cancel it before approval, reject it
before it is processing, or fail it while processing.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

from binance_sandbox.statemachine import StateMachine


class TransferStatus(StrEnum):
    PENDING = "PENDING"
    CREDITED = "CREDITED"
    DUST = "DUST"
    UNCLAIMED = "UNCLAIMED"


TRANSFER = StateMachine(
    "Chain transfer",
    TransferStatus,
    {
        TransferStatus.PENDING: {
            TransferStatus.CREDITED,
            TransferStatus.DUST,
            TransferStatus.UNCLAIMED,
        }
    },
)


class DepositStatus(IntEnum):
    """A transfer's status as wapi's (and sapi's) deposit history answers it."""

    PENDING = 0
    SUCCESS = 1
    # A filter value only: no sandbox transfer is credited without being withdrawable.
    CREDITED_CANNOT_WITHDRAW = 6


# The transfers deposit history lists, by the status it shows them with; DUST and UNCLAIMED
# never reached the user's balance and are not listed.
LISTED_DEPOSITS: dict[int, TransferStatus] = {
    DepositStatus.PENDING: TransferStatus.PENDING,
    DepositStatus.SUCCESS: TransferStatus.CREDITED,
}


def deposit_status(transfer_status: str) -> DepositStatus:
    return (
        DepositStatus.SUCCESS
        if transfer_status == TransferStatus.CREDITED
        else DepositStatus.PENDING
    )


class WithdrawalStatus(IntEnum):
    EMAIL_SENT = 0
    CANCELLED = 1
    AWAITING_APPROVAL = 2
    REJECTED = 3
    PROCESSING = 4
    FAILURE = 5
    COMPLETED = 6


_W = WithdrawalStatus
WITHDRAWAL = StateMachine(
    "Withdrawal",
    WithdrawalStatus,
    {
        _W.EMAIL_SENT: {_W.AWAITING_APPROVAL, _W.CANCELLED, _W.REJECTED},
        _W.AWAITING_APPROVAL: {_W.PROCESSING, _W.REJECTED},
        _W.PROCESSING: {_W.COMPLETED, _W.FAILURE},
    },
)
# The spec's names, as the console shows them.
WITHDRAWAL_NAMES = {
    _W.EMAIL_SENT: "Email Sent",
    _W.CANCELLED: "Cancelled",
    _W.AWAITING_APPROVAL: "Awaiting Approval",
    _W.REJECTED: "Rejected",
    _W.PROCESSING: "Processing",
    _W.FAILURE: "Failure",
    _W.COMPLETED: "Completed",
}
# An operator's outcome for a withdrawal that did not go out, and the status it ends in.
OUTCOMES = {"cancel": _W.CANCELLED, "reject": _W.REJECTED, "fail": _W.FAILURE}
