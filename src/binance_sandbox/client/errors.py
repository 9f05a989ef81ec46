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

Codes, names and what may be retried are the rows of `codes.connect`, which the server's
errors are built from too. `error_from_response` is the one place that turns an HTTP answer
into one of these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import httpx
import pydantic

from binance_sandbox.client import _json
from binance_sandbox.client.models import ExecuteResult
from binance_sandbox.codes import Code, connect

if TYPE_CHECKING:
    from binance_sandbox.client.models import Order

SUCCESS_CODE = connect.SUCCESS


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
    RETRYABLE: ClassVar[bool] = False
    """Whether a read may be repeated after this code (the platform did nothing)."""

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
    the whole parsed envelope and `data` its `data` member (None for most codes). A class's
    `CODE`, `TYPE` and `RETRYABLE` are its row of `codes.connect`.
    """

    TYPE: ClassVar[str | None] = None

    def __init_subclass__(cls, row: Code[str] | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if row is not None:
            cls.CODE, cls.TYPE, cls.RETRYABLE = row.code, row.name, row.retryable

    @classmethod
    def _kind(cls) -> str | None:
        return cls.TYPE


class SysError(ConnectError, row=connect.SYS_ERROR):
    pass


class SysBusy(ConnectError, row=connect.SYS_BUSY):
    pass


class IllegalParameters(ConnectError, row=connect.ILLEGAL_PARAMETERS):
    pass


class InvalidDirection(ConnectError, row=connect.INVALID_DIRECTION):
    pass


class NoPaymentMethodAvailable(ConnectError, row=connect.NO_PAYMENT_METHOD_AVAILABLE):
    pass


class InvalidAmountType(ConnectError, row=connect.INVALID_AMOUNT_TYPE):
    pass


class QuoteGenerationFailed(ConnectError, row=connect.QUOTE_GENERATION_FAILED):
    pass


class QuoteCacheFailed(ConnectError, row=connect.QUOTE_CACHE_FAILED):
    pass


class DuplicateOrderSubmission(ConnectError, row=connect.DUPLICATE_ORDER_SUBMISSION):
    """The `clientOrderId` was used before; `existing_order` is the order it created."""

    @property
    def existing_order(self) -> ExecuteResult | None:
        try:
            return ExecuteResult.model_validate(self.data)
        except pydantic.ValidationError:
            return None


class QuoteExpired(ConnectError, row=connect.QUOTE_EXPIRED):
    pass


class OrderExecutionFailed(ConnectError, row=connect.ORDER_EXECUTION_FAILED):
    pass


class MerchantNotExist(ConnectError, row=connect.MERCHANT_NOT_EXIST):
    pass


class CustomSpreadExceeded(ConnectError, row=connect.CUSTOM_SPREAD_EXCEEDED):
    pass


class InvalidOrderStatus(ConnectError, row=connect.INVALID_ORDER_STATUS):
    pass


class LimitCalculationFailed(ConnectError, row=connect.LIMIT_CALCULATION_FAILED):
    pass


class AuthenticationError(ConnectError):
    """A request refused before it was processed (the sandbox's own codes, not the guide's)."""


class InvalidClientId(AuthenticationError, row=connect.INVALID_CLIENT_ID):
    pass


class InvalidAccessToken(AuthenticationError, row=connect.INVALID_ACCESS_TOKEN):
    pass


class InvalidTimestamp(AuthenticationError, row=connect.INVALID_TIMESTAMP):
    pass


class IpNotWhitelisted(AuthenticationError, row=connect.IP_NOT_WHITELISTED):
    pass


class InvalidSignature(AuthenticationError, row=connect.INVALID_SIGNATURE):
    pass


ERRORS_BY_CODE: dict[str, type[ConnectError]] = {
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
"""Every code of `codes.connect`, to its exception class."""


E = TypeVar("E", bound=_EnvelopeError)


def read_envelope(
    response: httpx.Response, family: str, status_field: str, status_type: type
) -> dict[str, Any] | UnexpectedResponse:
    """The answer's envelope: a JSON object with a `code` and the family's `status_field` (a
    `status_type`); else the `UnexpectedResponse` it stands for."""
    try:
        body = _json.loads(response.content)
    except _json.DECODE_ERRORS:
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
    return failure_error(response, body, body.get("message"), ERRORS_BY_CODE, ConnectError)
