"""The shapes every Binance Pay model shares: the base models, the enums and the amount a
request sends (see `binance_sandbox.client.pay_models`)."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from binance_sandbox.client import _json
from binance_sandbox.client._calls import _amount
from binance_sandbox.client.models import _camel

# --- -------------------------------------------------------------------------

RequestAmount = Annotated[Decimal, BeforeValidator(_amount)]
"""An amount to send: Decimal, int or decimal string; a float raises TypeError."""


def _yes_no(value: Any) -> Any:
    # `duplicateRequest`: boolean in the openapi spec, "Y"/"N" in the docs and one client.
    if value in ("Y", "N"):
        return value == "Y"
    return value


def _json_object(value: Any) -> Any:
    # `refundInfo`: an object in captured payloads, "string" in the docs.
    if isinstance(value, str | bytes):
        return _json.loads(value)
    return value


class _PayModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=_camel,
        validate_by_alias=True,
        validate_by_name=True,
        frozen=True,
        extra="ignore",
        # Ids typed as strings (prepayId, receiver, …) may come as JSON numbers.
        coerce_numbers_to_str=True,
    )


class _PayRequest(_PayModel):
    model_config = ConfigDict(extra="forbid")

    def wire(self) -> dict[str, Any]:
        """The JSON object to send: camelCase, absent fields left out, amounts as Decimal
        (written as exact JSON numbers)."""
        return self.model_dump(by_alias=True, exclude_none=True)


class TerminalType(enum.StrEnum):
    APP = "APP"
    WEB = "WEB"
    WAP = "WAP"
    MINI_PROGRAM = "MINI_PROGRAM"
    OTHERS = "OTHERS"


class PayOrderStatus(enum.StrEnum):
    """Order states (docs/binance-pay.md, "Order lifecycle")."""

    INITIAL = "INITIAL"
    PENDING = "PENDING"
    PAID = "PAID"
    CANCELED = "CANCELED"
    ERROR = "ERROR"
    REFUNDING = "REFUNDING"
    REFUNDED = "REFUNDED"
    FULL_REFUNDED = "FULL_REFUNDED"
    EXPIRED = "EXPIRED"


class RefundStatus(enum.StrEnum):
    REFUND_SUCCESS = "REFUND_SUCCESS"
    REFUND_FAIL = "REFUND_FAIL"
    REFUND_PENDING = "REFUND_PENDING"


class PayWallet(enum.StrEnum):
    """The merchant wallets of `balance` and of payout `transferMethod`."""

    FUNDING_WALLET = "FUNDING_WALLET"
    SPOT_WALLET = "SPOT_WALLET"


class ReceiveType(enum.StrEnum):
    PAY_ID = "PAY_ID"
    BINANCE_ID = "BINANCE_ID"
    EMAIL = "EMAIL"


class PayoutBatchStatus(enum.StrEnum):
    ACCEPTED = "ACCEPTED"
    PROCESSING = "PROCESSING"
    SUCCESS = "SUCCESS"
    PART_SUCCESS = "PART_SUCCESS"
    FAILED = "FAILED"
    CANCELED = "CANCELED"


class PayoutDetailStatus(enum.StrEnum):
    SUCCESS = "SUCCESS"
    FAIL = "FAIL"
    PROCESSING = "PROCESSING"
    AWAITING_RECEIPT = "AWAITING_RECEIPT"
    REFUNDED = "REFUNDED"


class WalletTransferType(enum.StrEnum):
    TO_MAIN = "TO_MAIN"  # Pay (FUNDING) wallet → main (SPOT) wallet
    TO_PAY = "TO_PAY"  # SPOT → FUNDING


class WalletTransferStatus(enum.StrEnum):
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    PROCESS = "PROCESS"


class PayBizType(enum.StrEnum):
    PAY = "PAY"
    PAY_REFUND = "PAY_REFUND"
    PAYOUT = "PAYOUT"
