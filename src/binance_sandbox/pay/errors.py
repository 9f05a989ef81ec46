"""Binance Pay's errors, one class per result code of `codes.pay` (NOTES.md "Result codes";
pay-create-order-v2.txt "Result Code"). `pay.routing` renders them as `{"status": "FAIL",
"code", "data", "errorMessage"}` with the code's HTTP status.

    PayError                              400000 UNKNOWN_ERROR (a code the table lacks)
    ├── UnknownError                      400000 UNKNOWN_ERROR
    ├── InvalidRequest                    400001 INVALID_REQUEST
    ├── InvalidSignature                  400002 INVALID_SIGNATURE (406)
    ├── InvalidTimestamp                  400003 INVALID_TIMESTAMP (406)
    ├── InvalidApiKeyOrIp                 400004 INVALID_API_KEY_OR_IP (401)
    ├── BadApiKeyFmt                      400005 BAD_API_KEY_FMT
    ├── BadHttpMethod                     400006 BAD_HTTP_METHOD (405)
    ├── MediaTypeNotSupported             400007 MEDIA_TYPE_NOT_SUPPORTED (415)
    ├── InvalidRequestBody                400008 INVALID_REQUEST_BODY
    ├── MandatoryParamEmptyOrMalformed    400100 … InvalidParamIllegalChar 400103
    ├── InvalidRequestTooLarge            400104 INVALID_REQUEST_TOO_LARGE (413)
    ├── InvalidMerchantTradeNo            400201 … SubMerchantInvalid 400206
    └── InvalidPrepayId                   400301 … AccountRemainingAmountNotEnough 400304

`PayValueError` carries one of these out of a pydantic validator. `error_message` gives the
`errorMessage` the envelope answers: the result-code table's text first for the codes it lists.
"""

from __future__ import annotations

from typing import Any

from binance_sandbox.codes import Code, pay


class PayError(Exception):
    """A Pay error: `code`, `name`, `http_status` and the default `message` of its row."""

    code: str = pay.UNKNOWN_ERROR.code
    name: str = pay.UNKNOWN_ERROR.name
    http_status: int = pay.UNKNOWN_ERROR.http_status
    default_message: str = pay.UNKNOWN_ERROR.message

    def __init_subclass__(cls, row: Code[str] | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if row is not None:
            cls.code, cls.name = row.code, row.name
            cls.http_status, cls.default_message = row.http_status, row.message

    def __init__(self, message: str | None = None, *, data: Any = None) -> None:
        self.message = self.default_message if message is None else message
        super().__init__(self.message)
        self.data = data


class UnknownError(PayError, row=pay.UNKNOWN_ERROR):
    pass


class InvalidRequest(PayError, row=pay.INVALID_REQUEST):
    pass


class InvalidSignature(PayError, row=pay.INVALID_SIGNATURE):
    pass


class InvalidTimestamp(PayError, row=pay.INVALID_TIMESTAMP):
    pass


class InvalidApiKeyOrIp(PayError, row=pay.INVALID_API_KEY_OR_IP):
    pass


class BadApiKeyFmt(PayError, row=pay.BAD_API_KEY_FMT):
    pass


class BadHttpMethod(PayError, row=pay.BAD_HTTP_METHOD):
    pass


class MediaTypeNotSupported(PayError, row=pay.MEDIA_TYPE_NOT_SUPPORTED):
    pass


class InvalidRequestBody(PayError, row=pay.INVALID_REQUEST_BODY):
    pass


class MandatoryParamEmptyOrMalformed(PayError, row=pay.MANDATORY_PARAM_EMPTY_OR_MALFORMED):
    pass


class InvalidParamWrongLength(PayError, row=pay.INVALID_PARAM_WRONG_LENGTH):
    pass


class InvalidParamWrongValue(PayError, row=pay.INVALID_PARAM_WRONG_VALUE):
    pass


class InvalidParamIllegalChar(PayError, row=pay.INVALID_PARAM_ILLEGAL_CHAR):
    pass


class InvalidRequestTooLarge(PayError, row=pay.INVALID_REQUEST_TOO_LARGE):
    pass


class InvalidMerchantTradeNo(PayError, row=pay.INVALID_MERCHANT_TRADE_NO):
    pass


class OrderNotFound(PayError, row=pay.ORDER_NOT_FOUND):
    pass


class InvalidAccountStatus(PayError, row=pay.INVALID_ACCOUNT_STATUS):
    pass


class InvalidOrderStatus(PayError, row=pay.INVALID_ORDER_STATUS):
    pass


class SubMerchantExists(PayError, row=pay.SUB_MERCHANT_EXISTS):
    pass


class SubMerchantInvalid(PayError, row=pay.SUB_MERCHANT_INVALID):
    pass


class InvalidPrepayId(PayError, row=pay.INVALID_PREPAY_ID):
    pass


class TooManyRefundAttempts(PayError, row=pay.TOO_MANY_REFUND_ATTEMPTS):
    pass


class InvalidRefundAmount(PayError, row=pay.INVALID_REFUND_AMOUNT):
    pass


class AccountRemainingAmountNotEnough(PayError, row=pay.ACCOUNT_REMAINING_AMOUNT_NOT_ENOUGH):
    pass


class PayValueError(ValueError):
    """Raised by a field validator to answer with a specific code (e.g. 400103)."""

    def __init__(self, error: PayError) -> None:
        super().__init__(error.message)
        self.error = error


ALL: tuple[type[PayError], ...] = (
    UnknownError,
    InvalidRequest,
    InvalidSignature,
    InvalidTimestamp,
    InvalidApiKeyOrIp,
    BadApiKeyFmt,
    BadHttpMethod,
    MediaTypeNotSupported,
    InvalidRequestBody,
    MandatoryParamEmptyOrMalformed,
    InvalidParamWrongLength,
    InvalidParamWrongValue,
    InvalidParamIllegalChar,
    InvalidRequestTooLarge,
    InvalidMerchantTradeNo,
    OrderNotFound,
    InvalidAccountStatus,
    InvalidOrderStatus,
    SubMerchantExists,
    SubMerchantInvalid,
    InvalidPrepayId,
    TooManyRefundAttempts,
    InvalidRefundAmount,
    AccountRemainingAmountNotEnough,
)


# pay-create-order-v2.txt, "Result Code": for each code of this table Binance's errorMessage is
# the table's text (exactly, capitalisation and final period included); a client may match on it.
# The request's own detail follows it. 400202, 400204, 400205 and 400301–400304 are not in it.
TABLE_MESSAGES: dict[str, str] = {
    row.code: row.message
    for row in (
        pay.UNKNOWN_ERROR,
        pay.INVALID_REQUEST,
        *pay.AUTHENTICATION,
        pay.BAD_HTTP_METHOD,
        pay.MEDIA_TYPE_NOT_SUPPORTED,
        pay.INVALID_REQUEST_BODY,
        *pay.PARAMETER,
        pay.INVALID_REQUEST_TOO_LARGE,
        pay.INVALID_MERCHANT_TRADE_NO,
        pay.INVALID_ACCOUNT_STATUS,
        pay.SUB_MERCHANT_INVALID,
    )
}


def error_message(code: str, detail: str) -> str:
    """The `errorMessage` of a failure: the table's text for `code`, then `detail` unless it
    already begins with that text (or is empty). A code the table lacks answers `detail`."""
    text = TABLE_MESSAGES.get(code)
    if text is None or detail.startswith(text):
        return detail
    return f"{text} {detail}" if detail else text


class InsufficientFunds(UnknownError):
    """The payer's balance cannot pay the order: Pay's own 400000, named for the checkout."""

    name = "INSUFFICIENT_FUNDS"
