"""Typed results of the Connect Deposit API (docs/connect-deposit.md, "Endpoints").

As in `models`: camelCase wire names (snake_case accepted too), amounts as `Decimal` (sent as
JSON strings; a `float` is refused), times in milliseconds.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from binance_sandbox.client.models import Amount, _WireModel


class DepositStatus(enum.StrEnum):
    """A deposit session's states (NOTES.md): INIT (0) → AUTHORIZED (1), REJECTED (2) or
    EXPIRED (3), one-way."""

    INIT = "INIT"
    AUTHORIZED = "AUTHORIZED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"

    @property
    def is_final(self) -> bool:
        return self is not DepositStatus.INIT

    @property
    def code(self) -> int:
        return _CODES[self]


_CODES = {
    DepositStatus.INIT: 0,
    DepositStatus.AUTHORIZED: 1,
    DepositStatus.REJECTED: 2,
    DepositStatus.EXPIRED: 3,
}


class DepositNetwork(_WireModel):
    """One network of a coin (`crypto-network`); `deposit_dust` is the smallest deposit
    credited."""

    network: str
    address_regex: str
    memo_regex: str
    withdraw_fee: Amount
    withdraw_min_amount: Amount
    withdraw_max_amount: Amount
    contract_address: str
    withdraw_enable: bool
    deposit_enable: bool
    deposit_dust: Amount


class CryptoNetworks(_WireModel):
    crypto_currency: str
    networks: list[DepositNetwork]


class DepositLink(_WireModel):
    """What `deposit/initiate` answers: the universal link to open, valid until
    `link_expire_time` (ms)."""

    link: str
    link_expire_time: int


class DepositAddress(_WireModel):
    """An address the user authorized the partner to send to; `address_tag` (memo) is set on
    networks that need one (XRP) and must then be sent along."""

    deposit_address: str
    network: str
    address_tag: str | None = None
    min_amount: Amount


def _none_as_empty(value: Any) -> Any:
    return [] if value is None else value


# Before authorization the platform may send no addresses at all (null or absent).
Addresses = Annotated[list[DepositAddress], BeforeValidator(_none_as_empty)]


class DepositAuthorization(_WireModel):
    """`deposit/authorization`: the session's status; addresses once AUTHORIZED."""

    external_order_id: str | None = None
    user_id: str | None = None
    status: DepositStatus
    status_code: int | None = None
    crypto_currency: str
    networks: Annotated[list[str], BeforeValidator(_none_as_empty)] = Field(default_factory=list)
    deposit_addresses: Addresses = Field(default_factory=list)
    expire_time: int


class DepositStatusEvent(DepositAuthorization):
    """The `deposit_status_event` webhook body: the same as `DepositAuthorization`, sent when
    the session becomes AUTHORIZED, REJECTED or EXPIRED."""

    webhook_event_type: Literal["deposit_status_event"]
    external_order_id: str
