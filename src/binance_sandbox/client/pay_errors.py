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
this module (`pay_errors.InvalidSignature`). `pay_error_from_response` is the one place that
turns an HTTP answer into one of these.
"""

from __future__ import annotations

from typing import ClassVar

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

SUCCESS_STATUS = "SUCCESS"
SUCCESS_CODE = "000000"


class PayError(_EnvelopeError):
    """A Pay envelope that is not a success (`{"status": "FAIL", "code": …}`).

    `code` and `message` are the envelope's `code` and `errorMessage`, `http_status` the HTTP
    status it came with, `body` the whole parsed envelope and `data` its `data` member.
    """

    NAME: ClassVar[str | None] = None

    @classmethod
    def _kind(cls) -> str | None:
        return cls.NAME


class UnknownError(PayError):
    """Unexpected error or a busy platform: "try again later"."""

    CODE, NAME = "400000", "UNKNOWN_ERROR"


class InvalidRequest(PayError):
    """A bad or replayed nonce, or parameters not following the rules."""

    CODE, NAME = "400001", "INVALID_REQUEST"


class AuthenticationError(PayError):
    """The request was refused before its body was read (signature, timestamp, API key)."""


class InvalidSignature(AuthenticationError):
    CODE, NAME = "400002", "INVALID_SIGNATURE"


class InvalidTimestamp(AuthenticationError):
    CODE, NAME = "400003", "INVALID_TIMESTAMP"


class InvalidApiKeyOrIp(AuthenticationError):
    CODE, NAME = "400004", "INVALID_API_KEY_OR_IP"


class BadApiKeyFmt(AuthenticationError):
    CODE, NAME = "400005", "BAD_API_KEY_FMT"


class BadHttpMethod(PayError):
    CODE, NAME = "400006", "BAD_HTTP_METHOD"


class MediaTypeNotSupported(PayError):
    CODE, NAME = "400007", "MEDIA_TYPE_NOT_SUPPORTED"


class InvalidRequestBody(PayError):
    CODE, NAME = "400008", "INVALID_REQUEST_BODY"


class ParameterError(PayError):
    """A parameter missing, too long or short, out of range or with illegal characters."""


class MandatoryParamEmptyOrMalformed(ParameterError):
    CODE, NAME = "400100", "MANDATORY_PARAM_EMPTY_OR_MALFORMED"


class InvalidParamWrongLength(ParameterError):
    CODE, NAME = "400101", "INVALID_PARAM_WRONG_LENGTH"


class InvalidParamWrongValue(ParameterError):
    CODE, NAME = "400102", "INVALID_PARAM_WRONG_VALUE"


class InvalidParamIllegalChar(ParameterError):
    CODE, NAME = "400103", "INVALID_PARAM_ILLEGAL_CHAR"


class InvalidRequestTooLarge(PayError):
    CODE, NAME = "400104", "INVALID_REQUEST_TOO_LARGE"


class InvalidMerchantTradeNo(PayError):
    """The `merchantTradeNo` is invalid or was already used by this merchant."""

    CODE, NAME = "400201", "INVALID_MERCHANT_TRADE_NO"


class OrderNotFound(PayError):
    """No such order (in the sandbox also no such refund, transfer or payout)."""

    CODE, NAME = "400202", "ORDER_NOT_FOUND"


class InvalidAccountStatus(PayError):
    CODE, NAME = "400203", "INVALID_ACCOUNT_STATUS"


class InvalidOrderStatus(PayError):
    """Closing an order that is not INITIAL/PENDING, or refunding one that is not paid."""

    CODE, NAME = "400204", "INVALID_ORDER_STATUS"


class SubMerchantExists(PayError):
    CODE, NAME = "400205", "SUB_MERCHANT_EXISTS"


class SubMerchantInvalid(PayError):
    CODE, NAME = "400206", "SUB_MERCHANT_INVALID"


class InvalidPrepayId(PayError):
    CODE, NAME = "400301", "INVALID_PREPAY_ID"


class TooManyRefundAttempts(PayError):
    CODE, NAME = "400302", "TOO_MANY_REFUND_ATTEMPTS"


class InvalidRefundAmount(PayError):
    CODE, NAME = "400303", "INVALID_REFUND_AMOUNT"


class AccountRemainingAmountNotEnough(PayError):
    CODE, NAME = "400304", "ACCOUNT_REMAINING_AMOUNT_NOT_ENOUGH"


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
"""Every result code of the contract, to its exception class."""


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
