"""Connect error codes (guide §11, and the sandbox's authentication codes 12302xx).

Domain errors know nothing of HTTP except the status an authentication failure carries;
`binance_sandbox.connect.envelope` turns them into the envelope.
"""

from __future__ import annotations

from typing import Any


class ConnectError(Exception):
    code = "1230101"
    name = "SYS_ERROR"
    http_status = 200

    def __init__(self, message: str, *, data: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data


def _code(code: str, name: str, http_status: int = 200) -> type[ConnectError]:
    return type(
        name.title().replace("_", ""),
        (ConnectError,),
        {"code": code, "name": name, "http_status": http_status},
    )


SysError = _code("1230101", "SYS_ERROR")
SysBusy = _code("1230102", "SYS_BUSY")
IllegalParameters = _code("1230303", "ILLEGAL_PARAMETERS")
InvalidDirection = _code("1230304", "INVALID_DIRECTION")
NoPaymentMethodAvailable = _code("1230305", "NO_PAYMENT_METHOD_AVAILABLE")
InvalidAmountType = _code("1230306", "INVALID_AMOUNT_TYPE")
QuoteGenerationFailed = _code("1230307", "QUOTE_GENERATION_FAILED")
QuoteCacheFailed = _code("1230308", "QUOTE_CACHE_FAILED")
DuplicateOrderSubmission = _code("1230309", "DUPLICATE_ORDER_SUBMISSION")
QuoteExpired = _code("1230310", "QUOTE_EXPIRED")
OrderExecutionFailed = _code("1230311", "ORDER_EXECUTION_FAILED")
MerchantNotExist = _code("1230312", "MERCHANT_NOT_EXIST")
CustomSpreadExceeded = _code("1230313", "CUSTOM_SPREAD_EXCEEDED")
InvalidOrderStatus = _code("1230314", "INVALID_ORDER_STATUS")
LimitCalculationFailed = _code("1230315", "LIMIT_CALCULATION_FAILED")

# Authentication (sandbox codes: the guide publishes none).
InvalidClientId = _code("1230201", "INVALID_CLIENT_ID", 401)
InvalidAccessToken = _code("1230202", "INVALID_ACCESS_TOKEN", 401)
InvalidTimestamp = _code("1230203", "INVALID_TIMESTAMP", 400)
IpNotWhitelisted = _code("1230204", "IP_NOT_WHITELISTED", 403)
InvalidSignature = _code("1230205", "INVALID_SIGNATURE", 401)

ALL: tuple[type[ConnectError], ...] = (
    SysError,
    SysBusy,
    IllegalParameters,
    InvalidDirection,
    NoPaymentMethodAvailable,
    InvalidAmountType,
    QuoteGenerationFailed,
    QuoteCacheFailed,
    DuplicateOrderSubmission,
    QuoteExpired,
    OrderExecutionFailed,
    MerchantNotExist,
    CustomSpreadExceeded,
    InvalidOrderStatus,
    LimitCalculationFailed,
    InvalidClientId,
    InvalidAccessToken,
    InvalidTimestamp,
    IpNotWhitelisted,
    InvalidSignature,
)
