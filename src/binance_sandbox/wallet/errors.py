"""Wallet API errors, one class per row of `codes.wallet` (spec/NOTES.md "Wallet"; Binance's
public error-code list).

Every error has a Binance code, a message and an HTTP status; how it is rendered depends
on the family of the path (`routing.py`):

    WalletError
    ├── FilterError           request filters: key, signature, timestamp, parameters.
    │   │                     api/sapi: `{"code","msg"}` with the HTTP status;
    │   │                     wapi: HTTP 200 `{"success":false,"msg":"<that JSON>"}`
    │   ├── BadApiKeyFormat (-2014, 401), RejectedKey (-2015, 401)
    │   ├── InvalidTimestamp (-1021), InvalidSignature (-1022), IllegalChars (-1100),
    │   │   MandatoryParam (-1102), InvalidParameter (-1130), BadRecvWindow (-1131)  (400)
    │   └── RequestTooLarge (-1101, 413)
    ├── ServerError           `{"code","msg"}` with a 5xx status, whatever the family
    │   ├── Unknown (-1000, 500), Busy (-1001, 503)
    ├── RateLimited           `{"code":-1003,"msg"}` with 429 or 418 and `Retry-After`
    │   ├── TooManyRequests (429), IpBanned (418)
    └── Refused               business rules. api/sapi: `{"code","msg"}` with 400
        │                     (Maintenance: 503); wapi: HTTP 200
        │                     `{"success":false,"msg":"<message>"}`
        ├── Maintenance (-1001, 503)
        ├── InvalidSymbol (-1121), BadPrecision (-1111)
        ├── UnknownAsset (-4018), WithdrawDisabled, DepositDisabled (-4019),
        │   AmountTooSmall (-4022), AmountTooLarge (-4023), InsufficientBalance (-4026),
        │   IllegalAddress (-4033)
        ├── SubAccountDisabled, SameAccount (-4001), NotRelated (-5021)
        └── DustNotAllowed (-5001) … DustTooSoon (-5006)
"""

from __future__ import annotations

from typing import Any

from binance_sandbox.codes import Code, wallet


class WalletError(Exception):
    """A Wallet error: `code`, `http_status` and the default `message` of its row. The base
    (a code the table lacks) answers as a business refusal does, with 400."""

    code: int = wallet.UNKNOWN.code
    http_status: int = 400
    default_message: str = wallet.UNKNOWN.message

    def __init_subclass__(cls, row: Code[int] | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if row is not None:
            cls.code, cls.http_status, cls.default_message = row.code, row.http_status, row.message

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class FilterError(WalletError):
    pass


class BadApiKeyFormat(FilterError, row=wallet.BAD_API_KEY_FMT):
    pass


class RejectedKey(FilterError, row=wallet.REJECTED_MBX_KEY):
    pass


class InvalidTimestamp(FilterError, row=wallet.INVALID_TIMESTAMP):
    pass


class InvalidSignature(FilterError, row=wallet.INVALID_SIGNATURE):
    pass


class IllegalChars(FilterError, row=wallet.ILLEGAL_CHARS):
    pass


class MandatoryParam(FilterError, row=wallet.MANDATORY_PARAM_EMPTY_OR_MALFORMED):
    pass


class InvalidParameter(FilterError, row=wallet.INVALID_PARAMETER):
    pass


class BadRecvWindow(FilterError, row=wallet.BAD_RECV_WINDOW):
    pass


class RequestTooLarge(FilterError, row=wallet.TOO_MANY_PARAMETERS):
    """A body larger than the server takes, refused before any parameter is read. Binance
    publishes no code for it: -1101 is its code for too many parameters, 413 the HTTP
    status a web server gives a body too large."""


class ServerError(WalletError):
    pass


class Unknown(ServerError, row=wallet.UNKNOWN):
    pass


class Busy(ServerError, row=wallet.DISCONNECTED):
    pass


class RateLimited(WalletError, row=wallet.TOO_MANY_REQUESTS):
    def __init__(self, message: str, *, retry_after_s: int, used_weight: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.used_weight = used_weight


class TooManyRequests(RateLimited, row=wallet.TOO_MANY_REQUESTS):
    pass


class IpBanned(RateLimited, row=wallet.IP_BANNED):
    pass


class Refused(WalletError):
    """A business rule said no."""


class Maintenance(Refused, row=wallet.MAINTENANCE):
    """While the system status is 1: wapi answers it in its envelope (HTTP 200), sapi 503."""


class InvalidSymbol(Refused, row=wallet.BAD_SYMBOL):
    pass


class BadPrecision(Refused, row=wallet.BAD_PRECISION):
    pass


class UnknownAsset(Refused, row=wallet.UNKNOWN_ASSET):
    pass


class WithdrawDisabled(Refused, row=wallet.WITHDRAW_DISABLED):
    pass


class DepositDisabled(Refused, row=wallet.DEPOSIT_DISABLED):
    pass


class AmountTooSmall(Refused, row=wallet.AMOUNT_TOO_SMALL):
    pass


class AmountTooLarge(Refused, row=wallet.AMOUNT_TOO_LARGE):
    pass


class InsufficientBalance(Refused, row=wallet.INSUFFICIENT_BALANCE):
    pass


class IllegalAddress(Refused, row=wallet.ILLEGAL_ADDRESS):
    pass


class NotRelated(Refused, row=wallet.NOT_RELATED):
    pass


class SubAccountDisabled(Refused, row=wallet.INVALID_OPERATION):
    pass


class SameAccount(Refused, row=wallet.INVALID_OPERATION):
    pass


class DustNotAllowed(Refused, row=wallet.DUST_NOT_ALLOWED):
    pass


class DustInsufficient(Refused, row=wallet.DUST_INSUFFICIENT):
    pass


class DustNoAsset(Refused, row=wallet.DUST_NO_ASSET):
    pass


class DustTooMuch(Refused, row=wallet.DUST_TOO_MUCH):
    pass


class DustTooLow(Refused, row=wallet.DUST_TOO_LOW):
    pass


class DustTooSoon(Refused, row=wallet.DUST_TOO_SOON):
    pass
