"""Binance Pay result codes (NOTES.md "Result codes"; pay-create-order-v2.txt "Result Code").

HTTP statuses follow the mapping NOTES.md reports from a public client (400002/400003 → 406,
400004 → 401, 400006 → 405, 400007 → 415, 400104 → 413); every other code is HTTP 200 with
`status: "FAIL"`.
"""

from __future__ import annotations

from typing import Any


class PayError(Exception):
    code = "400000"
    name = "UNKNOWN_ERROR"
    http_status = 200

    def __init__(self, message: str, *, data: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data


def _code(code: str, name: str, http_status: int = 200) -> type[PayError]:
    cls_name = "".join(part.title() for part in name.split("_"))
    return type(cls_name, (PayError,), {"code": code, "name": name, "http_status": http_status})


UnknownError = _code("400000", "UNKNOWN_ERROR")
InvalidRequest = _code("400001", "INVALID_REQUEST")
InvalidSignature = _code("400002", "INVALID_SIGNATURE", 406)
InvalidTimestamp = _code("400003", "INVALID_TIMESTAMP", 406)
InvalidApiKeyOrIp = _code("400004", "INVALID_API_KEY_OR_IP", 401)
BadApiKeyFmt = _code("400005", "BAD_API_KEY_FMT")
BadHttpMethod = _code("400006", "BAD_HTTP_METHOD", 405)
MediaTypeNotSupported = _code("400007", "MEDIA_TYPE_NOT_SUPPORTED", 415)
InvalidRequestBody = _code("400008", "INVALID_REQUEST_BODY")
MandatoryParamEmptyOrMalformed = _code("400100", "MANDATORY_PARAM_EMPTY_OR_MALFORMED")
InvalidParamWrongLength = _code("400101", "INVALID_PARAM_WRONG_LENGTH")
InvalidParamWrongValue = _code("400102", "INVALID_PARAM_WRONG_VALUE")
InvalidParamIllegalChar = _code("400103", "INVALID_PARAM_ILLEGAL_CHAR")
InvalidRequestTooLarge = _code("400104", "INVALID_REQUEST_TOO_LARGE", 413)
InvalidMerchantTradeNo = _code("400201", "INVALID_MERCHANT_TRADE_NO")
OrderNotFound = _code("400202", "ORDER_NOT_FOUND")
InvalidAccountStatus = _code("400203", "INVALID_ACCOUNT_STATUS")
InvalidOrderStatus = _code("400204", "INVALID_ORDER_STATUS")
SubMerchantExists = _code("400205", "SUB_MERCHANT_EXISTS")
SubMerchantInvalid = _code("400206", "SUB_MERCHANT_INVALID")
InvalidPrepayId = _code("400301", "INVALID_PREPAY_ID")
TooManyRefundAttempts = _code("400302", "TOO_MANY_REFUND_ATTEMPTS")
InvalidRefundAmount = _code("400303", "INVALID_REFUND_AMOUNT")
AccountRemainingAmountNotEnough = _code("400304", "ACCOUNT_REMAINING_AMOUNT_NOT_ENOUGH")


class PayValueError(ValueError):
    """Raised by a field validator to answer with a specific code (e.g. 400103)."""

    def __init__(self, error: PayError) -> None:
        super().__init__(error.message)
        self.error = error


ALL: tuple[type[PayError], ...] = tuple(
    value
    for value in list(globals().values())
    if isinstance(value, type) and issubclass(value, PayError)
)
