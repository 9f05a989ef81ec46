"""Exceptions the Binance Pay clients raise (docs/binance-pay.md, "Result codes").

Hierarchy (the shared classes are those of `binance_sandbox.client.errors`)::

    BinanceSandboxError
    ├── TransportError             no answer: timeout, connection refused or reset, bad URL
    ├── UnexpectedResponse         an answer that is not a Pay envelope, or whose data has
    │                              not the documented shape
    ├── WebhookVerificationError   a webhook that must not be trusted
    └── PayError                   a Pay envelope that is not a success (unknown codes)
        ├── UnknownError                        400000 UNKNOWN_ERROR      reads retried
        ├── InvalidRequest                      400001 INVALID_REQUEST
        ├── AuthenticationError                 refused before the body was read
        │   ├── InvalidSignature                400002 INVALID_SIGNATURE
        │   ├── InvalidTimestamp                400003 INVALID_TIMESTAMP
        │   ├── InvalidApiKeyOrIp               400004 INVALID_API_KEY_OR_IP
        │   └── BadApiKeyFmt                    400005 BAD_API_KEY_FMT
        ├── BadHttpMethod                       400006 BAD_HTTP_METHOD
        ├── MediaTypeNotSupported               400007 MEDIA_TYPE_NOT_SUPPORTED
        ├── InvalidRequestBody                  400008 INVALID_REQUEST_BODY
        ├── ParameterError                      a parameter the endpoint refuses
        │   ├── MandatoryParamEmptyOrMalformed  400100 MANDATORY_PARAM_EMPTY_OR_MALFORMED
        │   ├── InvalidParamWrongLength         400101 INVALID_PARAM_WRONG_LENGTH
        │   ├── InvalidParamWrongValue          400102 INVALID_PARAM_WRONG_VALUE
        │   └── InvalidParamIllegalChar         400103 INVALID_PARAM_ILLEGAL_CHAR
        ├── InvalidRequestTooLarge              400104 INVALID_REQUEST_TOO_LARGE
        ├── InvalidMerchantTradeNo              400201 INVALID_MERCHANT_TRADE_NO
        ├── OrderNotFound                       400202 ORDER_NOT_FOUND
        ├── InvalidAccountStatus                400203 INVALID_ACCOUNT_STATUS
        ├── InvalidOrderStatus                  400204 INVALID_ORDER_STATUS
        ├── SubMerchantExists                   400205 SUB_MERCHANT_EXISTS
        ├── SubMerchantInvalid                  400206 SUB_MERCHANT_INVALID
        ├── InvalidPrepayId                     400301 INVALID_PREPAY_ID
        ├── TooManyRefundAttempts               400302 TOO_MANY_REFUND_ATTEMPTS
        ├── InvalidRefundAmount                 400303 INVALID_REFUND_AMOUNT
        └── AccountRemainingAmountNotEnough     400304 ACCOUNT_REMAINING_AMOUNT_NOT_ENOUGH

Some names repeat Connect's (`InvalidSignature`, `InvalidOrderStatus`, …): use them through
this module (`pay_errors.InvalidSignature`). Codes, names and what may be retried are the rows
of `codes.pay`, which the server's errors are built from too. `pay_error_from_response` is the
one place that turns an HTTP answer into one of these.
"""

from __future__ import annotations

from typing import Any, ClassVar

import httpx

from binance_sandbox.client.errors import (
    BinanceSandboxError,
    TransportError,
    UnexpectedResponse,
    WebhookVerificationError,
    _EnvelopeError,
    failure_error,
    read_envelope,
    success_status_error,
)
from binance_sandbox.codes import Code, pay

__all__ = [
    "AccountRemainingAmountNotEnough",
    "AuthenticationError",
    "BadApiKeyFmt",
    "BadHttpMethod",
    "BinanceSandboxError",
    "InvalidAccountStatus",
    "InvalidApiKeyOrIp",
    "InvalidMerchantTradeNo",
    "InvalidOrderStatus",
    "InvalidParamIllegalChar",
    "InvalidParamWrongLength",
    "InvalidParamWrongValue",
    "InvalidPrepayId",
    "InvalidRefundAmount",
    "InvalidRequest",
    "InvalidRequestBody",
    "InvalidRequestTooLarge",
    "InvalidSignature",
    "InvalidTimestamp",
    "MandatoryParamEmptyOrMalformed",
    "MediaTypeNotSupported",
    "OrderNotFound",
    "ParameterError",
    "PayError",
    "SubMerchantExists",
    "SubMerchantInvalid",
    "TooManyRefundAttempts",
    "TransportError",
    "UnexpectedResponse",
    "UnknownError",
    "WebhookVerificationError",
    "pay_error_from_response",
]

SUCCESS_STATUS = pay.SUCCESS_STATUS
SUCCESS_CODE = pay.SUCCESS


class PayError(_EnvelopeError):
    """A Pay envelope that is not a success (`{"status": "FAIL", "code": …}`).

    `code` and `message` are the envelope's `code` and `errorMessage`, `http_status` the HTTP
    status it came with, `body` the whole parsed envelope and `data` its `data` member.
    """

    NAME: ClassVar[str | None] = None

    def __init_subclass__(cls, row: Code[str] | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if row is not None:
            cls.CODE, cls.NAME, cls.RETRYABLE = row.code, row.name, row.retryable

    @classmethod
    def _kind(cls) -> str | None:
        return cls.NAME


class UnknownError(PayError, row=pay.UNKNOWN_ERROR):
    """Unexpected error or a busy platform: "try again later"."""


class InvalidRequest(PayError, row=pay.INVALID_REQUEST):
    """A bad or replayed nonce, or parameters not following the rules."""


class AuthenticationError(PayError):
    """The request was refused before its body was read (signature, timestamp, API key)."""


class InvalidSignature(AuthenticationError, row=pay.INVALID_SIGNATURE):
    pass


class InvalidTimestamp(AuthenticationError, row=pay.INVALID_TIMESTAMP):
    pass


class InvalidApiKeyOrIp(AuthenticationError, row=pay.INVALID_API_KEY_OR_IP):
    pass


class BadApiKeyFmt(AuthenticationError, row=pay.BAD_API_KEY_FMT):
    pass


class BadHttpMethod(PayError, row=pay.BAD_HTTP_METHOD):
    pass


class MediaTypeNotSupported(PayError, row=pay.MEDIA_TYPE_NOT_SUPPORTED):
    pass


class InvalidRequestBody(PayError, row=pay.INVALID_REQUEST_BODY):
    pass


class ParameterError(PayError):
    """A parameter missing, too long or short, out of range or with illegal characters."""


class MandatoryParamEmptyOrMalformed(ParameterError, row=pay.MANDATORY_PARAM_EMPTY_OR_MALFORMED):
    pass


class InvalidParamWrongLength(ParameterError, row=pay.INVALID_PARAM_WRONG_LENGTH):
    pass


class InvalidParamWrongValue(ParameterError, row=pay.INVALID_PARAM_WRONG_VALUE):
    pass


class InvalidParamIllegalChar(ParameterError, row=pay.INVALID_PARAM_ILLEGAL_CHAR):
    pass


class InvalidRequestTooLarge(PayError, row=pay.INVALID_REQUEST_TOO_LARGE):
    pass


class InvalidMerchantTradeNo(PayError, row=pay.INVALID_MERCHANT_TRADE_NO):
    """The `merchantTradeNo` is invalid or was already used by this merchant."""


class OrderNotFound(PayError, row=pay.ORDER_NOT_FOUND):
    """No such order (in the sandbox also no such refund, transfer or payout)."""


class InvalidAccountStatus(PayError, row=pay.INVALID_ACCOUNT_STATUS):
    pass


class InvalidOrderStatus(PayError, row=pay.INVALID_ORDER_STATUS):
    """Closing an order that is not INITIAL/PENDING, or refunding one that is not paid."""


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


ERRORS_BY_CODE: dict[str, type[PayError]] = {
    cls.CODE: cls
    for cls in (
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
    if cls.CODE is not None
}
"""Every result code of `codes.pay`, to its exception class."""


def pay_error_from_response(response: httpx.Response) -> BinanceSandboxError | None:
    """The exception a Pay answer stands for, or None when it is a success envelope
    (`status` SUCCESS and `code` 000000, with a 2xx HTTP status)."""
    body = read_envelope(response, "Pay", "status", str)
    if isinstance(body, UnexpectedResponse):
        return body
    if str(body["code"]) == SUCCESS_CODE:
        if body["status"] != SUCCESS_STATUS:
            return UnexpectedResponse(
                f"code 000000 with status {body['status']!r}",
                http_status=response.status_code,
                body=body,
            )
        return success_status_error(response, body)
    return failure_error(response, body, body.get("errorMessage"), ERRORS_BY_CODE, PayError)
