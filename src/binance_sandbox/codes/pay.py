"""Binance Pay's result codes (pay-create-order-v2.txt "Result Code"; NOTES.md "Result codes").

HTTP statuses follow the mapping NOTES.md reports from a public client (400002/400003 → 406,
400004 → 401, 400006 → 405, 400007 → 415, 400104 → 413); every other code is HTTP 200 with
`status: "FAIL"`. 400000 says "Try again later": a read may be repeated after it.
"""

from __future__ import annotations

from binance_sandbox.codes import Code

SUCCESS = "000000"
SUCCESS_STATUS = "SUCCESS"

UNKNOWN_ERROR = Code(
    "400000",
    "UNKNOWN_ERROR",
    "An unknown error occurred while processing the request.",
    retryable=True,
)
INVALID_REQUEST = Code(
    "400001",
    "INVALID_REQUEST",
    "Parameter format is wrong or parameter transferring doesn't follow the rules.",
)
INVALID_SIGNATURE = Code("400002", "INVALID_SIGNATURE", "Incorrect signature result", 406)
INVALID_TIMESTAMP = Code(
    "400003",
    "INVALID_TIMESTAMP",
    "Timestamp for this request is outside of the time window.",
    406,
)
INVALID_API_KEY_OR_IP = Code(
    "400004", "INVALID_API_KEY_OR_IP", "API identity key not found or invalid.", 401
)
BAD_API_KEY_FMT = Code("400005", "BAD_API_KEY_FMT", "API identity key format invalid.")
BAD_HTTP_METHOD = Code("400006", "BAD_HTTP_METHOD", "Request method not supported.", 405)
MEDIA_TYPE_NOT_SUPPORTED = Code(
    "400007", "MEDIA_TYPE_NOT_SUPPORTED", "Media type not supported.", 415
)
INVALID_REQUEST_BODY = Code(
    "400008", "INVALID_REQUEST_BODY", "Request body is not a valid json object."
)
MANDATORY_PARAM_EMPTY_OR_MALFORMED = Code(
    "400100",
    "MANDATORY_PARAM_EMPTY_OR_MALFORMED",
    "A parameter was missing/empty/null, or malformed.",
)
INVALID_PARAM_WRONG_LENGTH = Code(
    "400101",
    "INVALID_PARAM_WRONG_LENGTH",
    "A parameter was not valid, was empty/null, or too long/short, or wrong format.",
)
INVALID_PARAM_WRONG_VALUE = Code(
    "400102", "INVALID_PARAM_WRONG_VALUE", "A parameter was not valid, the value is out of range."
)
INVALID_PARAM_ILLEGAL_CHAR = Code(
    "400103",
    "INVALID_PARAM_ILLEGAL_CHAR",
    "A parameter was not valid, contains illegal characters",
)
INVALID_REQUEST_TOO_LARGE = Code(
    "400104", "INVALID_REQUEST_TOO_LARGE", "Invalid request, content length too large", 413
)
INVALID_MERCHANT_TRADE_NO = Code(
    "400201", "INVALID_MERCHANT_TRADE_NO", "merchantTradeNo is invalid or duplicated"
)
ORDER_NOT_FOUND = Code("400202", "ORDER_NOT_FOUND", "Order not found.")
INVALID_ACCOUNT_STATUS = Code(
    "400203",
    "INVALID_ACCOUNT_STATUS",
    "Not support for this account, please check account status.",
)
INVALID_ORDER_STATUS = Code("400204", "INVALID_ORDER_STATUS", "Invalid order status.")
SUB_MERCHANT_EXISTS = Code("400205", "SUB_MERCHANT_EXISTS", "The sub merchant already exists.")
SUB_MERCHANT_INVALID = Code(
    "400206",
    "SUB_MERCHANT_INVALID",
    "The sub merchant does not exist or is in an unavailable state.",
)
INVALID_PREPAY_ID = Code("400301", "INVALID_PREPAY_ID", "Invalid prepayId.")
TOO_MANY_REFUND_ATTEMPTS = Code("400302", "TOO_MANY_REFUND_ATTEMPTS", "Too many refund attempts.")
INVALID_REFUND_AMOUNT = Code("400303", "INVALID_REFUND_AMOUNT", "Invalid refund amount.")
ACCOUNT_REMAINING_AMOUNT_NOT_ENOUGH = Code(
    "400304", "ACCOUNT_REMAINING_AMOUNT_NOT_ENOUGH", "Account remaining amount not enough."
)

AUTHENTICATION: tuple[Code[str], ...] = (
    INVALID_SIGNATURE,
    INVALID_TIMESTAMP,
    INVALID_API_KEY_OR_IP,
    BAD_API_KEY_FMT,
)
"""The codes of a request refused before its body was read."""

PARAMETER: tuple[Code[str], ...] = (
    MANDATORY_PARAM_EMPTY_OR_MALFORMED,
    INVALID_PARAM_WRONG_LENGTH,
    INVALID_PARAM_WRONG_VALUE,
    INVALID_PARAM_ILLEGAL_CHAR,
)
"""The codes of a parameter the endpoint refuses."""

ALL: tuple[Code[str], ...] = (
    UNKNOWN_ERROR,
    INVALID_REQUEST,
    *AUTHENTICATION,
    BAD_HTTP_METHOD,
    MEDIA_TYPE_NOT_SUPPORTED,
    INVALID_REQUEST_BODY,
    *PARAMETER,
    INVALID_REQUEST_TOO_LARGE,
    INVALID_MERCHANT_TRADE_NO,
    ORDER_NOT_FOUND,
    INVALID_ACCOUNT_STATUS,
    INVALID_ORDER_STATUS,
    SUB_MERCHANT_EXISTS,
    SUB_MERCHANT_INVALID,
    INVALID_PREPAY_ID,
    TOO_MANY_REFUND_ATTEMPTS,
    INVALID_REFUND_AMOUNT,
    ACCOUNT_REMAINING_AMOUNT_NOT_ENOUGH,
)
