"""Control API request models. A family's control requests are its own (its
`admin_schemas.py`); they are named here too, so that the control API reads them from one
place."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from binance_sandbox.chain.admin_schemas import ChainTransferIn as ChainTransferIn
from binance_sandbox.connect.admin_schemas import PartnerCreate as PartnerCreate
from binance_sandbox.connect.admin_schemas import PartnerRotate as PartnerRotate
from binance_sandbox.connect.admin_schemas import PartnerUpdate as PartnerUpdate
from binance_sandbox.delivery.clocks import SETTLE_TIMEOUT_MAX_MS
from binance_sandbox.deposit.admin_schemas import DepositDecision as DepositDecision
from binance_sandbox.pay.admin_schemas import MerchantCreate as MerchantCreate
from binance_sandbox.pay.admin_schemas import MerchantUpdate as MerchantUpdate
from binance_sandbox.pay.admin_schemas import PayOrderPay as PayOrderPay
from binance_sandbox.pay.admin_schemas import RefundReject as RefundReject
from binance_sandbox.platform import CLOCK_MAX_MS
from binance_sandbox.prime.admin_schemas import OrderFail as OrderFail
from binance_sandbox.wallet.admin_schemas import AccountStatusSet as AccountStatusSet
from binance_sandbox.wallet.admin_schemas import ApiKeyCreate as ApiKeyCreate
from binance_sandbox.wallet.admin_schemas import ApiKeyUpdate as ApiKeyUpdate
from binance_sandbox.wallet.admin_schemas import Credit as Credit
from binance_sandbox.wallet.admin_schemas import DividendCreate as DividendCreate
from binance_sandbox.wallet.admin_schemas import SubAccountUpdate as SubAccountUpdate
from binance_sandbox.wallet.admin_schemas import SystemStatusSet as SystemStatusSet
from binance_sandbox.wallet.admin_schemas import UserCreate as UserCreate


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# How long a settling move may wait for due work (wall time; delivery/clocks.py).
TimeoutMs = Field(default=None, ge=0, le=SETTLE_TIMEOUT_MAX_MS)


class ClockAdvance(Body):
    ms: int = Field(ge=0, le=10 * 365 * 86_400_000)
    timeoutMs: int | None = TimeoutMs
    # false: only move the clock, and leave what fell due to the worker (a late worker, as a
    # test of reads past a deadline wants it).
    settle: bool = True


class ClockSet(Body):
    frozen: bool | None = None
    nowMs: int | None = Field(default=None, ge=0, le=CLOCK_MAX_MS)
    timeoutMs: int | None = TimeoutMs
    settle: bool = True


class Settle(Body):
    timeoutMs: int | None = TimeoutMs


class TestClockCreate(Body):
    nowMs: int | None = Field(default=None, ge=0, le=CLOCK_MAX_MS)
    name: str | None = Field(default=None, min_length=1, max_length=200)


class TestClockAdvance(Body):
    ms: int | None = Field(default=None, ge=0, le=10 * 365 * 86_400_000)
    nowMs: int | None = Field(default=None, ge=0, le=CLOCK_MAX_MS)
    timeoutMs: int | None = TimeoutMs
