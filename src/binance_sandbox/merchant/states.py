"""Statuses and the transitions each record may make; nothing changes status another way."""

from __future__ import annotations

from enum import StrEnum

from binance_sandbox.merchant.errors import InvalidStatus


class CheckStatus(StrEnum):
    """What Check Transaction answers (guide §9.1)."""

    PENDING = "PENDING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class FiatTransferStatus(StrEnum):
    """The user's fiat moved to Binance's account (guide §6 step 5)."""

    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class PayoutStatus(StrEnum):
    """A refund (guide §9.2) or a sell transfer (guide §9.3)."""

    PENDING = "PENDING"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


FIAT_TRANSFER_TRANSITIONS: dict[str, frozenset[str]] = {
    # Failing a fiat transfer reverses it; only possible before Binance was told COMPLETED.
    FiatTransferStatus.COMPLETED: frozenset({FiatTransferStatus.FAILED}),
    FiatTransferStatus.FAILED: frozenset(),
}
PAYOUT_TRANSITIONS: dict[str, frozenset[str]] = {
    PayoutStatus.PENDING: frozenset({PayoutStatus.SUCCESS, PayoutStatus.FAILED}),
    PayoutStatus.SUCCESS: frozenset(),
    PayoutStatus.FAILED: frozenset(),
}


def check_transition(
    transitions: dict[str, frozenset[str]], what: str, current: str, target: str
) -> None:
    """Raise InvalidStatus unless `current` → `target` is a declared transition."""
    if target not in transitions[current]:
        raise InvalidStatus(f"{what} is {current} and cannot become {target}.")
