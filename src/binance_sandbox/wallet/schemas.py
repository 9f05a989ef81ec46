"""The Wallet API's requests (spec/wallet-wapi-v3.txt), one typed model per endpoint.

The Wallet API takes form parameters, not JSON, and answers Binance's filter errors for them
(-1102 mandatory, -1100 illegal characters, -1130 invalid value: `params.Params`). So each
model reads itself from `Params` in `read`, field by field in the order of its fields: the
first bad parameter is the one the error names. `FIELDS` lists the spec's names for the
endpoint's OpenAPI parameters (`name!` is mandatory).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from binance_sandbox.wallet.params import Params

# -- wapi v3: capital ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Withdraw:
    """POST /wapi/v3/withdraw.html."""

    FIELDS: ClassVar = ("asset!", "network", "address!", "addressTag", "amount!", "name")
    asset: str
    network: str | None
    address: str
    addressTag: str | None
    amount: Decimal
    name: str | None

    @classmethod
    def read(cls, p: Params) -> Withdraw:
        return cls(
            asset=p.required_asset(),
            network=p.text("network"),
            address=p.required_text("address"),
            addressTag=p.text("addressTag"),
            amount=p.required_decimal("amount"),
            name=p.text("name"),
        )


@dataclass(frozen=True)
class History:
    """What both histories filter on: an asset, a status and a time range."""

    FIELDS: ClassVar = ("asset", "status", "startTime", "endTime")
    STATUSES: ClassVar[tuple[int, ...]] = ()
    asset: str | None
    status: int | None
    startTime: int | None
    endTime: int | None

    @classmethod
    def read(cls, p: Params) -> History:
        return cls(
            asset=p.asset(),
            status=p.choice("status", cls.STATUSES),
            startTime=p.long("startTime"),
            endTime=p.long("endTime"),
        )


@dataclass(frozen=True)
class DepositHistory(History):
    """GET /wapi/v3/depositHistory.html: status 0 pending, 1 success, 6 credited but cannot
    withdraw."""

    STATUSES: ClassVar[tuple[int, ...]] = (0, 1, 6)


@dataclass(frozen=True)
class WithdrawHistory(History):
    """GET /wapi/v3/withdrawHistory.html: status 0 Email Sent … 6 Completed."""

    STATUSES: ClassVar[tuple[int, ...]] = (0, 1, 2, 3, 4, 5, 6)


@dataclass(frozen=True)
class DepositAddress:
    """GET /wapi/v3/depositAddress.html; `status` is accepted (true|false), though the
    sandbox has nothing to filter by it."""

    FIELDS: ClassVar = ("asset!", "status")
    asset: str
    status: bool | None

    @classmethod
    def read(cls, p: Params) -> DepositAddress:
        return cls(asset=p.required_asset(), status=p.boolean("status"))


# -- wapi v3: fees -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TradeFee:
    """GET /wapi/v3/tradeFee.html: one symbol (any case), or every symbol."""

    FIELDS: ClassVar = ("symbol",)
    symbol: str | None

    @classmethod
    def read(cls, p: Params) -> TradeFee:
        symbol = p.text("symbol")
        return cls(symbol=symbol.upper() if symbol else None)


# -- wapi v3: sub-accounts -----------------------------------------------------------------------


@dataclass(frozen=True)
class SubAccountList:
    """GET /wapi/v3/sub-account/list.html; `page` and `limit` read as (offset, limit)."""

    FIELDS: ClassVar = ("email", "status", "page", "limit")
    offset: int
    limit: int
    email: str | None
    status: str | None

    @classmethod
    def read(cls, p: Params) -> SubAccountList:
        offset, limit = p.page()
        return cls(offset=offset, limit=limit, email=p.email("email"), status=p.text("status"))


@dataclass(frozen=True)
class SubAccountTransferHistory:
    """GET /wapi/v3/sub-account/transfer/history.html."""

    FIELDS: ClassVar = ("email!", "startTime", "endTime", "page", "limit")
    email: str
    startTime: int | None
    endTime: int | None
    offset: int
    limit: int

    @classmethod
    def read(cls, p: Params) -> SubAccountTransferHistory:
        email = p.required_email("email")
        start, end = p.long("startTime"), p.long("endTime")
        offset, limit = p.page()
        return cls(email=email, startTime=start, endTime=end, offset=offset, limit=limit)


@dataclass(frozen=True)
class SubAccountTransfer:
    """POST /wapi/v3/sub-account/transfer.html."""

    FIELDS: ClassVar = ("fromEmail!", "toEmail!", "asset!", "amount!")
    fromEmail: str
    toEmail: str
    asset: str
    amount: Decimal

    @classmethod
    def read(cls, p: Params) -> SubAccountTransfer:
        return cls(
            fromEmail=p.required_email("fromEmail"),
            toEmail=p.required_email("toEmail"),
            asset=p.required_asset(),
            amount=p.required_decimal("amount"),
        )


@dataclass(frozen=True)
class SubAccountAssets:
    """GET /wapi/v3/sub-account/assets.html; `symbol` names an asset."""

    FIELDS: ClassVar = ("email!", "symbol")
    email: str
    symbol: str | None

    @classmethod
    def read(cls, p: Params) -> SubAccountAssets:
        return cls(email=p.required_email("email"), symbol=p.asset("symbol"))


# -- sapi v1 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dust:
    """POST /sapi/v1/asset/dust: `asset` repeated, one per asset to convert to BNB."""

    FIELDS: ClassVar = ("asset!",)
    asset: list[str]

    @classmethod
    def read(cls, p: Params) -> Dust:
        return cls(asset=p.assets("asset"))


@dataclass(frozen=True)
class AssetDividend:
    """GET /sapi/v1/asset/assetDividend."""

    FIELDS: ClassVar = ("asset", "startTime", "endTime")
    asset: str | None
    startTime: int | None
    endTime: int | None

    @classmethod
    def read(cls, p: Params) -> AssetDividend:
        return cls(asset=p.asset(), startTime=p.long("startTime"), endTime=p.long("endTime"))
