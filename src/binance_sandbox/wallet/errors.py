"""Wallet API error codes (spec/NOTES.md "Wallet"; Binance's public error-code list).

Every error has a Binance code, a message and an HTTP status; how it is rendered depends
on the family of the path (`routing.py`):

    WalletError
    ├── FilterError           request filters: key, signature, timestamp, parameters.
    │   │                     api/sapi: `{"code","msg"}` with the HTTP status;
    │   │                     wapi: HTTP 200 `{"success":false,"msg":"<that JSON>"}`
    │   ├── BadApiKeyFormat (-2014, 401), RejectedKey (-2015, 401)
    │   ├── InvalidTimestamp (-1021), InvalidSignature (-1022), IllegalChars (-1100),
    │   │   MandatoryParam (-1102), InvalidParameter (-1130), BadRecvWindow (-1131)  (400)
    │   ├── RequestTooLarge (-1101, 413)
    ├── ServerError           `{"code","msg"}` with a 5xx status, whatever the family
    │   ├── Unknown (-1000, 500), Busy (-1001, 503)
    ├── RateLimited           `{"code":-1003,"msg"}` with 429 or 418 and `Retry-After`
    │   ├── TooManyRequests (429), IpBanned (418)
    └── Refused               business rules. api/sapi: `{"code","msg"}` with 400
                              (Maintenance: 503); wapi: HTTP 200
                              `{"success":false,"msg":"<message>"}`
"""

from __future__ import annotations


class WalletError(Exception):
    code = -1000
    http_status = 400
    default_message = "An unknown error occurred while processing the request."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class FilterError(WalletError):
    pass


class BadApiKeyFormat(FilterError):
    code, http_status, default_message = -2014, 401, "API-key format invalid."


class RejectedKey(FilterError):
    code, http_status = -2015, 401
    default_message = "Invalid API-key, IP, or permissions for action."


class InvalidTimestamp(FilterError):
    code = -1021
    default_message = "Timestamp for this request is outside of the recvWindow."


class InvalidSignature(FilterError):
    code, default_message = -1022, "Signature for this request is not valid."


class IllegalChars(FilterError):
    code, default_message = -1100, "Illegal characters found in a parameter."


class MandatoryParam(FilterError):
    code = -1102
    default_message = "A mandatory parameter was not sent, was empty/null, or malformed."


class InvalidParameter(FilterError):
    code, default_message = -1130, "Data sent for parameter is not valid."


class BadRecvWindow(FilterError):
    code, default_message = -1131, "recvWindow must be less than 60000"


class RequestTooLarge(FilterError):
    """A body larger than the server takes, refused before any parameter is read. Binance
    publishes no code for it: -1101 is its code for too many parameters, 413 the HTTP
    status a web server gives a body too large."""

    code, http_status = -1101, 413
    default_message = "Too many parameters sent for this endpoint."


class ServerError(WalletError):
    pass


class Unknown(ServerError):
    code, http_status = -1000, 500


class Busy(ServerError):
    code, http_status = -1001, 503
    default_message = "Internal error; unable to process your request. Please try again."


class RateLimited(WalletError):
    code = -1003

    def __init__(self, message: str, *, retry_after_s: int, used_weight: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.used_weight = used_weight


class TooManyRequests(RateLimited):
    http_status = 429


class IpBanned(RateLimited):
    http_status = 418


class Refused(WalletError):
    """A business rule said no."""


def _refused(name: str, code: int, message: str) -> type[Refused]:
    return type(name, (Refused,), {"code": code, "default_message": message})


class Maintenance(Refused):
    """While the system status is 1: wapi answers it in its envelope (HTTP 200), sapi 503."""

    code, http_status, default_message = -1001, 503, "System is under maintenance."


InvalidSymbol = _refused("InvalidSymbol", -1121, "Invalid symbol.")
BadPrecision = _refused(
    "BadPrecision", -1111, "Precision is over the maximum defined for this asset."
)
UnknownAsset = _refused("UnknownAsset", -4018, "We don't have this asset.")
WithdrawDisabled = _refused("WithdrawDisabled", -4019, "Current asset is not open for withdrawal.")
DepositDisabled = _refused("DepositDisabled", -4019, "Current asset is not open for deposit.")
AmountTooSmall = _refused("AmountTooSmall", -4022, "Not less than the minimum pick-up quantity.")
AmountTooLarge = _refused(
    "AmountTooLarge", -4023, "Within 24 hours, the withdrawal exceeds the maximum amount."
)
InsufficientBalance = _refused("InsufficientBalance", -4026, "You have insufficient balance.")
IllegalAddress = _refused("IllegalAddress", -4033, "Illegal address.")
NotRelated = _refused("NotRelated", -5021, "This parent sub have no relation")
SubAccountDisabled = _refused("SubAccountDisabled", -4001, "Invalid operation.")
SameAccount = _refused("SameAccount", -4001, "Invalid operation.")
DustNotAllowed = _refused("DustNotAllowed", -5001, "Don't allow transfer to micro assets.")
DustInsufficient = _refused("DustInsufficient", -5002, "You have insufficient balance.")
DustNoAsset = _refused("DustNoAsset", -5003, "You don't have this asset.")
DustTooMuch = _refused(
    "DustTooMuch", -5004, "The residual balances have exceeded 0.001BTC, Please re-choose."
)
DustTooLow = _refused("DustTooLow", -5005, "The residual balances of the BTC is too low")
DustTooSoon = _refused("DustTooSoon", -5006, "Only transfer once in 24 hours.")
