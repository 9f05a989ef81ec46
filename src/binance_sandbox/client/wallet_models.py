"""Typed results of the Wallet API (spec/wallet-wapi-v3.txt).

Like the other families' models, results read the wire names (camelCase, and the snake_case
ones `userAssetDribbletLog` uses) and also the Python field names, and ignore fields they do
not know. Amounts are `Decimal`: wapi sends most as JSON numbers (`0.04670582`, `35`), which
`_json` parses to `Decimal` so they stay exact, and some as strings; both
are read exactly and a `float` is refused. Times are epoch milliseconds, except the
`operate_time` strings of the dust log, kept as sent.
"""

from __future__ import annotations

import enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from binance_sandbox.client.models import Amount, _camel


class _WalletModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=_camel,
        validate_by_alias=True,
        validate_by_name=True,
        frozen=True,
        extra="ignore",
        # Ids typed as strings (txnId, uid, withdraw id, …) may come as JSON numbers.
        coerce_numbers_to_str=True,
    )


class DepositStatus(enum.IntEnum):
    """`depositHistory` status: 0 pending, 6 credited but cannot withdraw, 1 success."""

    PENDING = 0
    SUCCESS = 1
    CREDITED_CANNOT_WITHDRAW = 6


class WithdrawStatus(enum.IntEnum):
    """`withdrawHistory` status (spec: 0 Email Sent … 6 Completed)."""

    EMAIL_SENT = 0
    CANCELLED = 1
    AWAITING_APPROVAL = 2
    REJECTED = 3
    PROCESSING = 4
    FAILURE = 5
    COMPLETED = 6

    @property
    def is_final(self) -> bool:
        return self in (
            WithdrawStatus.CANCELLED,
            WithdrawStatus.REJECTED,
            WithdrawStatus.FAILURE,
            WithdrawStatus.COMPLETED,
        )


class WithdrawResult(_WalletModel):
    """`withdraw.html`: the id of the new withdrawal (see `withdraw_history`)."""

    id: str
    msg: str | None = None
    success: bool = True


class Deposit(_WalletModel):
    insert_time: int
    amount: Amount
    asset: str
    address: str
    address_tag: str | None = None
    tx_id: str
    status: DepositStatus
    network: str | None = None


class Withdrawal(_WalletModel):
    id: str
    amount: Amount
    transaction_fee: Amount
    address: str
    address_tag: str | None = None
    asset: str
    # No transaction yet while the withdrawal waits for approval or processing.
    tx_id: str | None = None
    apply_time: int
    status: WithdrawStatus
    network: str | None = None


class DepositAddress(_WalletModel):
    address: str
    address_tag: str | None = None
    asset: str
    success: bool = True


class AccountStatus(_WalletModel):
    """`accountStatus.html`: `msg` says why the account is restricted, if it is."""

    msg: str
    success: bool = True
    objs: list[str] = Field(default_factory=list)


class SystemStatus(_WalletModel):
    """`systemStatus.html`: status 0 normal, 1 system maintenance."""

    status: int
    msg: str

    @property
    def is_normal(self) -> bool:
        return self.status == 0


class TradingIndicator(_WalletModel):
    """One ratio of `apiTradingStatus.html` (UFR, IFER or GCR) for one symbol."""

    indicator: str = Field(alias="i")
    count: int = Field(alias="c")
    current_value: Amount = Field(alias="v")
    trigger_value: Amount = Field(alias="t")


class ApiTradingStatus(_WalletModel):
    """The `status` object of `apiTradingStatus.html`."""

    is_locked: bool
    planned_recover_time: int
    trigger_condition: dict[str, int]
    indicators: dict[str, list[TradingIndicator]]
    update_time: int


class DribbletEntry(_WalletModel):
    """One asset converted to BNB in a dust conversion (`userAssetDribbletLog.html`)."""

    tran_id: int
    service_charge_amount: Amount
    uid: str
    amount: Amount
    operate_time: str
    transfered_amount: Amount
    from_asset: str


class DribbletRow(_WalletModel):
    # The wire names of a row are snake_case (`transfered_total`), its logs' camelCase.
    transfered_total: Amount
    service_charge_total: Amount
    tran_id: int
    logs: list[DribbletEntry]
    operate_time: str


class DribbletLog(_WalletModel):
    """The `results` of `userAssetDribbletLog.html`."""

    total: int
    rows: list[DribbletRow] = Field(default_factory=list)


class TradeFee(_WalletModel):
    symbol: str
    maker: Amount
    taker: Amount


class AssetDetail(_WalletModel):
    """One asset of `assetDetail.html`; `deposit_tip` says why deposits are suspended."""

    min_withdraw_amount: Amount
    deposit_status: bool
    withdraw_fee: Amount
    withdraw_status: bool
    deposit_tip: str | None = None


class SubAccount(_WalletModel):
    email: str
    status: str  # enabled | disabled
    activated: bool
    mobile: str | None = None
    g_auth: bool
    create_time: int


class SubAccountTransfer(_WalletModel):
    from_email: str = Field(alias="from")
    to_email: str = Field(alias="to")
    asset: str
    qty: Amount
    time: int


class SubAccountTransferResult(_WalletModel):
    txn_id: str
    success: bool = True


class SubAccountBalance(_WalletModel):
    asset: str
    free: Amount
    locked: Amount


class DustTransferItem(_WalletModel):
    amount: Amount
    from_asset: str
    operate_time: int
    service_charge_amount: Amount
    tran_id: int
    transfered_amount: Amount


class DustTransfer(_WalletModel):
    """`POST /sapi/v1/asset/dust`: what each asset became, in BNB."""

    total_service_charge: Amount
    total_transfered: Amount
    transfer_result: list[DustTransferItem]


class AssetDividend(_WalletModel):
    amount: Amount
    asset: str
    div_time: int
    en_info: str
    tran_id: int


class AssetDividendPage(_WalletModel):
    """`GET /sapi/v1/asset/assetDividend`."""

    rows: list[AssetDividend] = Field(default_factory=list)
    total: int


class RateLimit(_WalletModel):
    """One of `exchangeInfo`'s `rateLimits` (REQUEST_WEIGHT, ORDERS, RAW_REQUESTS)."""

    rate_limit_type: str
    interval: str
    interval_num: int
    limit: int


class ExchangeInfo(_WalletModel):
    """`GET /api/v3/exchangeInfo`: the rate limits; symbols are kept as sent."""

    timezone: str
    server_time: int
    rate_limits: list[RateLimit]
    exchange_filters: list[Any] = Field(default_factory=list)
    symbols: list[dict[str, Any]] = Field(default_factory=list)
