"""Connect Prime's state machines.

An order is PROCESSING from execute until it settles, then FILLED or FAILED, and stays there
(guide §7; FAQ Q6: "Webhooks are only sent for terminal states: FILLED and FAILED"). The
statuses the partner's merchant APIs answer (guide §9) are the partner's, recorded as given;
the platform only asks whether they are final.
"""

from __future__ import annotations

from enum import StrEnum

from binance_sandbox.statemachine import StateMachine


class OrderStatus(StrEnum):
    PROCESSING = "PROCESSING"
    FILLED = "FILLED"
    FAILED = "FAILED"


ORDER = StateMachine(
    "Connect Prime order",
    OrderStatus,
    {OrderStatus.PROCESSING: {OrderStatus.FILLED, OrderStatus.FAILED}},
)
# Guide §7, Get Single Transaction: `statusCode` beside `status`.
STATUS_CODES: dict[str, int] = {
    OrderStatus.PROCESSING: 1,
    OrderStatus.FILLED: 20,
    OrderStatus.FAILED: 99,
}


class FiatCheck(StrEnum):
    """Check Transaction's answer (guide §9.1: "exhaustive transaction status enum")."""

    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


FIAT_CHECK_FINAL = frozenset({FiatCheck.COMPLETED, FiatCheck.FAILED})


class MerchantStep(StrEnum):
    """A Refund's or Transfer's status as the partner's status endpoint answers it (§9.2,
    §9.3); anything else (PROCESSING, …) means it is still under way."""

    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


MERCHANT_STEP_FINAL = frozenset({MerchantStep.SUCCESS, MerchantStep.FAILED})
