"""Exceptions the SDK raises.

Hierarchy::

    BinanceSandboxError
    ├── TransportError             no answer: timeout, connection refused or reset, bad URL
    ├── UnexpectedResponse         an answer that is not a Connect envelope, or whose data has
    │                              not the documented shape
    ├── WaitTimeout                wait_for_order gave up while the order was still PROCESSING
    ├── WebhookVerificationError   a webhook that must not be trusted
    └── ConnectError               a Connect envelope with "success": false (unknown codes)
        ├── SysError                      1230101 SYS_ERROR          retried with backoff
        ├── SysBusy                       1230102 SYS_BUSY           retried after 1–2 s
        ├── IllegalParameters             1230303 ILLEGAL_PARAMETERS
        ├── InvalidDirection              1230304 INVALID_DIRECTION
        ├── NoPaymentMethodAvailable      1230305 NO_PAYMENT_METHOD_AVAILABLE
        ├── InvalidAmountType             1230306 INVALID_AMOUNT_TYPE
        ├── QuoteGenerationFailed         1230307 QUOTE_GENERATION_FAILED
        ├── QuoteCacheFailed              1230308 QUOTE_CACHE_FAILED retried with backoff
        ├── DuplicateOrderSubmission      1230309 DUPLICATE_ORDER_SUBMISSION
        ├── QuoteExpired                  1230310 QUOTE_EXPIRED
        ├── OrderExecutionFailed          1230311 ORDER_EXECUTION_FAILED
        ├── MerchantNotExist              1230312 MERCHANT_NOT_EXIST
        ├── CustomSpreadExceeded          1230313 CUSTOM_SPREAD_EXCEEDED
        ├── InvalidOrderStatus            1230314 INVALID_ORDER_STATUS
        ├── LimitCalculationFailed        1230315 LIMIT_CALCULATION_FAILED
        └── AuthenticationError           the sandbox's 12302xx codes (docs/connect-prime.md)
            ├── InvalidClientId           1230201
            ├── InvalidAccessToken        1230202
            ├── InvalidTimestamp          1230203
            ├── IpNotWhitelisted          1230204
            └── InvalidSignature          1230205

`error_from_response` is the one place that turns an HTTP answer into one of these.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import httpx
import pydantic

from binance_sandbox import jsonwire
from binance_sandbox.client.models import ExecuteResult

if TYPE_CHECKING:
    from binance_sandbox.client.models import Order

SUCCESS_CODE = "000000"


class BinanceSandboxError(Exception):
    """Base of everything the SDK raises on purpose."""


class TransportError(BinanceSandboxError):
    """The request got no answer; the underlying `httpx` error is the `__cause__`.

    `transient` is true for timeouts and network failures, which are worth retrying when the
    request is safe to repeat.
    """

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient

    @classmethod
    def wrap(cls, exc: httpx.TransportError) -> TransportError:
        transient = isinstance(
            exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError
        )
        error = cls(f"{type(exc).__name__}: {exc}", transient=transient)
        error.__cause__ = exc
        return error


class UnexpectedResponse(BinanceSandboxError):
    """An answer that is not a Connect envelope, or whose `data` has an unexpected shape.

    `body` is the parsed JSON when the answer was JSON, else its text.
    """

    def __init__(self, reason: str, *, http_status: int, body: object) -> None:
        super().__init__(f"{reason} (HTTP {http_status})")
        self.reason = reason
        self.http_status = http_status
        self.body = body


class WaitTimeout(BinanceSandboxError):
    """`wait_for_order` ran out of time; `last` is the order as last seen (still PROCESSING)."""

    def __init__(self, order_id: str, timeout: float, last: Order | None) -> None:
        super().__init__(f"order {order_id} was not final after {timeout:g} s")
        self.order_id = order_id
        self.timeout = timeout
        self.last = last


class WebhookVerificationError(BinanceSandboxError):
    """A webhook failed verification: missing header, bad signature, stale timestamp, …"""


class _EnvelopeError(BinanceSandboxError):
    """A family's envelope that reports a failure: the base of `ConnectError` and
    `pay_errors.PayError`, which name their codes `TYPE` and `NAME`."""

    CODE: ClassVar[str | None] = None

    def __init__(
        self, code: str, message: str, *, http_status: int, body: object, data: object = None
    ) -> None:
        kind = self._kind()
        super().__init__(f"{code} {kind}: {message}" if kind else f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status
        self.body = body
        self.data = data

    @classmethod
    def _kind(cls) -> str | None:
        return None


class ConnectError(_EnvelopeError):
    """A Connect Prime envelope with `"success": false` (guide §11).

    `code` and `message` are the envelope's, `http_status` the HTTP status it came with, `body`
    the whole parsed envelope and `data` its `data` member (None for most codes).
    """

    TYPE: ClassVar[str | None] = None

    @classmethod
    def _kind(cls) -> str | None:
        return cls.TYPE


class SysError(ConnectError):
    CODE, TYPE = "1230101", "SYS_ERROR"


class SysBusy(ConnectError):
    CODE, TYPE = "1230102", "SYS_BUSY"


class IllegalParameters(ConnectError):
    CODE, TYPE = "1230303", "ILLEGAL_PARAMETERS"


class InvalidDirection(ConnectError):
    CODE, TYPE = "1230304", "INVALID_DIRECTION"


class NoPaymentMethodAvailable(ConnectError):
    CODE, TYPE = "1230305", "NO_PAYMENT_METHOD_AVAILABLE"


class InvalidAmountType(ConnectError):
    CODE, TYPE = "1230306", "INVALID_AMOUNT_TYPE"


class QuoteGenerationFailed(ConnectError):
    CODE, TYPE = "1230307", "QUOTE_GENERATION_FAILED"


class QuoteCacheFailed(ConnectError):
    CODE, TYPE = "1230308", "QUOTE_CACHE_FAILED"


class DuplicateOrderSubmission(ConnectError):
    """The `clientOrderId` was used before; `existing_order` is the order it created."""

    CODE, TYPE = "1230309", "DUPLICATE_ORDER_SUBMISSION"

    @property
    def existing_order(self) -> ExecuteResult | None:
        try:
            return ExecuteResult.model_validate(self.data)
        except pydantic.ValidationError:
            return None


class QuoteExpired(ConnectError):
    CODE, TYPE = "1230310", "QUOTE_EXPIRED"


class OrderExecutionFailed(ConnectError):
    CODE, TYPE = "1230311", "ORDER_EXECUTION_FAILED"


class MerchantNotExist(ConnectError):
    CODE, TYPE = "1230312", "MERCHANT_NOT_EXIST"


class CustomSpreadExceeded(ConnectError):
    CODE, TYPE = "1230313", "CUSTOM_SPREAD_EXCEEDED"


class InvalidOrderStatus(ConnectError):
    CODE, TYPE = "1230314", "INVALID_ORDER_STATUS"


class LimitCalculationFailed(ConnectError):
    CODE, TYPE = "1230315", "LIMIT_CALCULATION_FAILED"


class AuthenticationError(ConnectError):
    """A request refused before it was processed (the sandbox's own codes, not the guide's)."""


class InvalidClientId(AuthenticationError):
    CODE = "1230201"


class InvalidAccessToken(AuthenticationError):
    CODE = "1230202"


class InvalidTimestamp(AuthenticationError):
    CODE = "1230203"


class IpNotWhitelisted(AuthenticationError):
    CODE = "1230204"


class InvalidSignature(AuthenticationError):
    CODE = "1230205"


_ERRORS_BY_CODE: dict[str, type[ConnectError]] = {
    cls.CODE: cls
    for cls in (
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
    if cls.CODE is not None
}


E = TypeVar("E", bound=_EnvelopeError)


def read_envelope(
    response: httpx.Response, family: str, status_field: str, status_type: type
) -> dict[str, Any] | UnexpectedResponse:
    """The answer's envelope: a JSON object with a `code` and the family's `status_field` (a
    `status_type`); else the `UnexpectedResponse` it stands for."""
    try:
        body = jsonwire.loads(response.content)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        return UnexpectedResponse(
            "answer is not JSON", http_status=response.status_code, body=response.text
        )
    if not (
        isinstance(body, dict)
        and isinstance(body.get(status_field), status_type)
        and isinstance(body.get("code"), str | int)
        and not isinstance(body.get("code"), bool)
    ):
        return UnexpectedResponse(
            f"answer is not a {family} envelope", http_status=response.status_code, body=body
        )
    return body


def success_status_error(response: httpx.Response, body: object) -> UnexpectedResponse | None:
    """None for a success envelope that came with a 2xx HTTP status."""
    if response.is_success:
        return None
    return UnexpectedResponse(
        "success envelope with an HTTP error status", http_status=response.status_code, body=body
    )


def failure_error(
    response: httpx.Response,
    body: dict[str, Any],
    message: object,
    errors_by_code: Mapping[str, type[E]],
    default: type[E],
) -> E:
    """The exception of a failure envelope: the class of its code, else `default`."""
    code = str(body["code"])
    cls = errors_by_code.get(code, default)
    return cls(
        code,
        message if isinstance(message, str) else "",
        http_status=response.status_code,
        body=body,
        data=body.get("data"),
    )


def error_from_response(response: httpx.Response) -> BinanceSandboxError | None:
    """The exception a Connect answer stands for, or None when it is a success envelope."""
    body = read_envelope(response, "Connect", "success", bool)
    if isinstance(body, UnexpectedResponse):
        return body
    if body["success"]:
        return success_status_error(response, body)
    return failure_error(response, body, body.get("message"), _ERRORS_BY_CODE, ConnectError)
