"""Exceptions the Wallet clients raise (wapi v3 and sapi; spec/NOTES.md "Wallet").

Hierarchy (the shared classes are those of `binance_sandbox.client.errors`)::

    BinanceSandboxError
    ├── TransportError             no answer: timeout, connection refused or reset, bad URL
    ├── UnexpectedResponse         an answer that is neither a success nor an error of the
    │                              family, or whose fields have not the documented shape
    └── WalletError                an error answer; `code` is None for a wapi
        │                          `{"success": false, "msg": "…"}` whose msg carries no code
        ├── UnknownError                    -1000 UNKNOWN                reads retried
        ├── Disconnected                    -1001 DISCONNECTED           reads retried
        ├── TooManyRequests                 -1003 TOO_MANY_REQUESTS
        │   ├── RateLimited                 HTTP 429, `retry_after`      reads retried after it
        │   └── IpBanned                    HTTP 418, `retry_after`
        ├── AuthenticationError             refused before the parameters were read
        │   ├── Unauthorized                -1002 UNAUTHORIZED
        │   ├── InvalidTimestamp            -1021 INVALID_TIMESTAMP
        │   ├── InvalidSignature            -1022 INVALID_SIGNATURE
        │   ├── BadApiKeyFmt                -2014 BAD_API_KEY_FMT
        │   └── RejectedMbxKey              -2015 REJECTED_MBX_KEY
        ├── ParameterError                  a parameter the endpoint refuses
        │   ├── IllegalChars                -1100 ILLEGAL_CHARS
        │   ├── MandatoryParamEmptyOrMalformed  -1102
        │   ├── UnknownParam                -1103 UNKNOWN_PARAM
        │   ├── InvalidParameter            -1130 INVALID_PARAMETER
        │   └── BadRecvWindow               -1131 BAD_RECV_WINDOW
        └── ExecutionStatusUnknown          HTTP 504: sent, but the outcome is unknown (spec:
                                            "It is important to NOT treat this as a failure")

Codes, names and what may be retried are the rows of `codes.wallet`, which the server's
errors are built from too; a code without a class of its own here (the business refusals,
-4xxx and -5xxx) is a `WalletError` with that `code`.

Some names repeat Connect's or Pay's (`InvalidSignature`, `UnknownError`, …): use them through
this module (`wallet_errors.InvalidSignature`). `wallet_error_from_response` is the one place
that turns an HTTP answer into one of these.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import httpx

from binance_sandbox.client import _json
from binance_sandbox.client.errors import BinanceSandboxError, UnexpectedResponse
from binance_sandbox.codes import Code, wallet

__all__ = [
    "AuthenticationError",
    "BadApiKeyFmt",
    "BadRecvWindow",
    "Disconnected",
    "ExecutionStatusUnknown",
    "IllegalChars",
    "InvalidParameter",
    "InvalidSignature",
    "InvalidTimestamp",
    "IpBanned",
    "MandatoryParamEmptyOrMalformed",
    "ParameterError",
    "RateLimited",
    "RejectedMbxKey",
    "TooManyRequests",
    "Unauthorized",
    "UnknownError",
    "UnknownParam",
    "WalletError",
    "wallet_error_from_response",
]


class WalletError(BinanceSandboxError):
    """An error answer of the Wallet API.

    `code` is Binance's negative error code (None when a wapi answer gives only a text),
    `message` its `msg`, `http_status` the HTTP status, `body` the whole parsed answer (its
    text when it was not JSON) and `retry_after` the seconds of a `Retry-After` header.
    """

    CODE: ClassVar[int | None] = None
    NAME: ClassVar[str | None] = None
    RETRYABLE: ClassVar[bool] = False
    """Whether a read may be repeated after this code (the platform did nothing)."""

    def __init_subclass__(cls, row: Code[int] | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if row is not None:
            cls.CODE, cls.NAME, cls.RETRYABLE = row.code, row.name, row.retryable

    def __init__(
        self,
        code: int | None,
        message: str,
        *,
        http_status: int,
        body: object,
        retry_after: float | None = None,
    ) -> None:
        label = " ".join(str(part) for part in (code, self.NAME) if part is not None)
        super().__init__(f"{label}: {message}" if label else message)
        self.code = code
        self.message = message
        self.http_status = http_status
        self.body = body
        self.retry_after = retry_after


class UnknownError(WalletError, row=wallet.UNKNOWN):
    pass


class Disconnected(WalletError, row=wallet.DISCONNECTED):
    """Internal error or maintenance (HTTP 503): "Please try again"."""


class TooManyRequests(WalletError, row=wallet.TOO_MANY_REQUESTS):
    """Over a rate limit: back off (spec, "LIMITS"); `retry_after` says for how long."""


class RateLimited(TooManyRequests, row=wallet.TOO_MANY_REQUESTS):
    """HTTP 429. Repeating requests now leads to an IP ban (418)."""


class IpBanned(TooManyRequests, row=wallet.IP_BANNED):
    """HTTP 418: the IP is banned for `retry_after` seconds (2 minutes to 3 days)."""


class AuthenticationError(WalletError):
    """The API key, timestamp or signature was refused; nothing was done."""


class Unauthorized(AuthenticationError, row=wallet.UNAUTHORIZED):
    pass


class InvalidTimestamp(AuthenticationError, row=wallet.INVALID_TIMESTAMP):
    """Outside `recvWindow`, or more than 1000 ms ahead of the server: see `sync_time`."""


class InvalidSignature(AuthenticationError, row=wallet.INVALID_SIGNATURE):
    pass


class BadApiKeyFmt(AuthenticationError, row=wallet.BAD_API_KEY_FMT):
    pass


class RejectedMbxKey(AuthenticationError, row=wallet.REJECTED_MBX_KEY):
    """ "Invalid API-key, IP, or permissions for action." """


class ParameterError(WalletError):
    """A parameter missing, malformed, unknown or with illegal characters."""


class IllegalChars(ParameterError, row=wallet.ILLEGAL_CHARS):
    pass


class MandatoryParamEmptyOrMalformed(ParameterError, row=wallet.MANDATORY_PARAM_EMPTY_OR_MALFORMED):
    pass


class UnknownParam(ParameterError, row=wallet.UNKNOWN_PARAM):
    pass


class InvalidParameter(ParameterError, row=wallet.INVALID_PARAMETER):
    pass


class BadRecvWindow(ParameterError, row=wallet.BAD_RECV_WINDOW):
    """`recvWindow` over 60000."""


class ExecutionStatusUnknown(WalletError):
    """HTTP 504: the request reached the platform but its outcome is unknown — a withdrawal
    may exist. Look it up (`withdraw_history`) before trying again."""


ERRORS_BY_CODE: dict[int, type[WalletError]] = {
    cls.CODE: cls
    for cls in (
        UnknownError,
        Disconnected,
        Unauthorized,
        TooManyRequests,
        InvalidTimestamp,
        InvalidSignature,
        IllegalChars,
        MandatoryParamEmptyOrMalformed,
        UnknownParam,
        InvalidParameter,
        BadRecvWindow,
        BadApiKeyFmt,
        RejectedMbxKey,
    )
    if cls.CODE is not None
}
"""Every code of `codes.wallet` with a class of its own, to that class."""

_ERRORS_BY_STATUS: dict[int, type[WalletError]] = {
    429: RateLimited,
    418: IpBanned,
    504: ExecutionStatusUnknown,
}


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    # Delay-seconds is a whole number (RFC 9110); an HTTP date is not what Binance sends.
    if not value.strip().isdigit():
        return None
    return int(value.strip())


def _code(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def _wapi_message(msg: str) -> tuple[int | None, str]:
    """A wapi `msg` that embeds an api-style error (`"{\\"code\\":-1022,…}"`) gives that code
    and its message; any other text is the message, without a code."""
    try:
        inner = json.loads(msg)
    except (json.JSONDecodeError, RecursionError):
        return None, msg
    if isinstance(inner, dict) and _code(inner.get("code")) is not None:
        text = inner.get("msg")
        return _code(inner["code"]), text if isinstance(text, str) else msg
    return None, msg


def _error_fields(body: object) -> tuple[int | None, str] | None:
    """Code and message of an api/sapi `{"code", "msg"}` or a wapi `{"success": false, "msg"}`
    answer; None for anything else."""
    if not isinstance(body, dict):
        return None
    msg = body.get("msg")
    if body.get("success") is False:
        return _wapi_message(msg) if isinstance(msg, str) else (None, "")
    code = _code(body.get("code"))
    if code is not None and isinstance(msg, str):
        return code, msg
    return None


def wallet_error_from_response(response: httpx.Response) -> BinanceSandboxError | None:
    """The exception a Wallet answer stands for, or None for a success.

    A success is a 2xx JSON answer that is not `{"success": false, …}` (wapi reports its
    errors with HTTP 200). 429, 418 and 504 are `RateLimited`, `IpBanned` and
    `ExecutionStatusUnknown` whatever their body; other errors are classed by their code.
    """
    status = response.status_code
    by_status = _ERRORS_BY_STATUS.get(status)
    body: Any
    try:
        body = _json.loads(response.content)
    except _json.DECODE_ERRORS:
        if by_status is None:
            return UnexpectedResponse("answer is not JSON", http_status=status, body=response.text)
        body = response.text
    if response.is_success and not (isinstance(body, dict) and body.get("success") is False):
        return None
    fields = _error_fields(body)
    if fields is None and by_status is None:
        return UnexpectedResponse(
            "error status without a Wallet error body", http_status=status, body=body
        )
    code, message = fields or (None, "")
    cls = by_status or (WalletError if code is None else ERRORS_BY_CODE.get(code, WalletError))
    return cls(
        code,
        message or response.reason_phrase,
        http_status=status,
        body=body,
        retry_after=_retry_after(response),
    )
