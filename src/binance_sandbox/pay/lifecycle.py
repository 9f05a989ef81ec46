"""Binance Pay's state machines: orders, refunds, payout batches and their details.

Order (pay-openapi.txt, `orderStatus`: INITIAL, PENDING, PAID, CANCELED, ERROR, REFUNDING,
REFUNDED, EXPIRED; FULL_REFUNDED when nothing is left): INITIAL → PENDING → PAID;
INITIAL/PENDING → CANCELED (close) or EXPIRED (on the sandbox clock); PAID → REFUNDING →
REFUNDED (partly) / FULL_REFUNDED, or back to PAID when every refund was rejected; a partly
refunded order may be refunded again.
"""

from __future__ import annotations

from enum import StrEnum

from binance_sandbox.statemachine import StateMachine


class OrderStatus(StrEnum):
    INITIAL = "INITIAL"
    PENDING = "PENDING"
    PAID = "PAID"
    CANCELED = "CANCELED"
    ERROR = "ERROR"
    REFUNDING = "REFUNDING"
    REFUNDED = "REFUNDED"
    FULL_REFUNDED = "FULL_REFUNDED"
    EXPIRED = "EXPIRED"


_O = OrderStatus
ORDER = StateMachine(
    "Pay order",
    OrderStatus,
    {
        _O.INITIAL: {_O.PENDING, _O.PAID, _O.CANCELED, _O.EXPIRED},
        _O.PENDING: {_O.PAID, _O.CANCELED, _O.EXPIRED},
        _O.PAID: {_O.REFUNDING},
        _O.REFUNDING: {_O.REFUNDED, _O.FULL_REFUNDED, _O.PAID},
        _O.REFUNDED: {_O.REFUNDING},
    },
)
# An order its payer may still pay (the hosted checkout; until its `expireTime`).
PAYABLE = frozenset({_O.INITIAL, _O.PENDING})


def effective_status(status: str, expire_time: int, now_ms: int) -> str:
    """The status a read answers: an order still payable past its `expireTime` is EXPIRED,
    even before the expiry job has run on the sandbox clock."""
    if status in PAYABLE and now_ms >= expire_time:
        return OrderStatus.EXPIRED.value
    return status


# An order that was paid, whatever was refunded of it since.
PAID_ONCE = frozenset({_O.PAID, _O.REFUNDING, _O.REFUNDED, _O.FULL_REFUNDED})
# An order a refund may be asked of: paid, or refunded in part (a refund still settling
# included, so the answer does not depend on whether the worker has run).
REFUNDABLE = frozenset({_O.PAID, _O.REFUNDING, _O.REFUNDED})
# An order some refund has been asked of.
REFUND_ASKED = frozenset({_O.REFUNDING, _O.REFUNDED, _O.FULL_REFUNDED})


class RefundStatus(StrEnum):
    PENDING = "REFUND_PENDING"
    SUCCESS = "REFUND_SUCCESS"
    FAIL = "REFUND_FAIL"


REFUND = StateMachine(
    "Pay refund",
    RefundStatus,
    {RefundStatus.PENDING: {RefundStatus.SUCCESS, RefundStatus.FAIL}},
)


class PayoutStatus(StrEnum):
    """A payout batch's `batchStatus`."""

    ACCEPTED = "ACCEPTED"
    PROCESSING = "PROCESSING"
    SUCCESS = "SUCCESS"
    PART_SUCCESS = "PART_SUCCESS"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


_B = PayoutStatus
PAYOUT = StateMachine(
    "Pay payout batch",
    PayoutStatus,
    {
        _B.ACCEPTED: {_B.PROCESSING},
        _B.PROCESSING: {_B.SUCCESS, _B.FAILED, _B.PART_SUCCESS},
        # Details still awaiting their receiver settle later, one way or the other.
        _B.PART_SUCCESS: {_B.SUCCESS, _B.FAILED},
    },
)


class DetailStatus(StrEnum):
    """One transfer of a payout batch."""

    PROCESSING = "PROCESSING"
    AWAITING_RECEIPT = "AWAITING_RECEIPT"
    SUCCESS = "SUCCESS"
    FAIL = "FAIL"
    REFUNDED = "REFUNDED"


_D = DetailStatus
DETAIL = StateMachine(
    "Pay payout detail",
    DetailStatus,
    {
        _D.PROCESSING: {_D.SUCCESS, _D.FAIL, _D.AWAITING_RECEIPT},
        # An e-mail receiver without an account is looked up again until the wait is over.
        _D.AWAITING_RECEIPT: {_D.SUCCESS, _D.AWAITING_RECEIPT, _D.REFUNDED},
    },
)
# The query's `detailStatus` filter: FAIL covers the returned ones too.
DETAIL_FAILED = frozenset({_D.FAIL, _D.REFUNDED})
DETAIL_OPEN = frozenset(s for s in DetailStatus if not DETAIL.is_terminal(s))


class TransferStatus(StrEnum):
    """A Pay wallet transfer settles in the request that makes it."""

    SUCCESS = "SUCCESS"
