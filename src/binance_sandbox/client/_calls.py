"""The I/O-free half of the Connect Prime clients: what each call sends, how its answer is
read, how a request is signed and when a failed one is tried again.

`AsyncConnectPrimeClient` (and `ConnectPrimeClient`, generated from it) only add the HTTP
round trip and the sleeping (`_async.base`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

import httpx
import pydantic
from cryptography.hazmat.primitives.asymmetric import rsa

from binance_sandbox.client import _json
from binance_sandbox.client._request import PreparedRequest, read_data
from binance_sandbox.client.errors import (
    BinanceSandboxError,
    ConnectError,
    SysBusy,
    TransportError,
    WaitTimeout,
    error_from_response,
)
from binance_sandbox.client.models import (
    AmountLimits,
    AmountType,
    Asset,
    CryptoCurrency,
    Direction,
    DiscoverPrice,
    ExecuteResult,
    FiatCurrency,
    Kline,
    Order,
    OrderStatus,
    Quote,
    SymbolDetail,
    TradingPair,
    TransactionPage,
)
from binance_sandbox.signing import load_private_key
from binance_sandbox.signing.connect import sign_connect

T = TypeVar("T")

PRIME_PREFIX = "/papi/v1/ramp/connect/prime/"

AmountLike = Decimal | int | str
"""What the SDK takes for an amount: anything that is exactly a decimal (never a float)."""


class Retry(enum.Enum):
    """Which failures a call may be repeated after (guide §11)."""

    # Reads: SYS_ERROR, SYS_BUSY, QUOTE_CACHE_FAILED and transient transport failures.
    READ = "read"
    # A quote creates state on the platform, so a request that may or may not have arrived is
    # not repeated; the error codes say the platform did nothing and are.
    CODES_ONLY = "codes-only"
    # Executing a quote is never repeated: an order may exist even when the answer says
    # SYS_ERROR or never came. Look it up with `transaction(client_order_id=...)`.
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    path: str
    payload: dict[str, Any]
    parse: Callable[[Any], T]
    retry: Retry = Retry.READ

    @property
    def url(self) -> str:
        return PRIME_PREFIX + self.path

    def body(self) -> bytes:
        """The exact bytes sent, and signed: compact JSON, amounts as exact numbers."""
        return _json.dumps(self.payload).encode()

    def prepare(self, signer: RequestSigner, timestamp_ms: int) -> PreparedRequest:
        body = self.body()
        return PreparedRequest("POST", self.url, body, signer.headers(body, timestamp_ms))

    def result(self, response: httpx.Response) -> T:
        return read_data(response, error_from_response, self.path, self.parse)

    def retry_delay(
        self, error: BinanceSandboxError, retries_done: int, max_retries: int
    ) -> float | None:
        """`retry_delay` (below) for this call."""
        return retry_delay(self, error, retries_done, max_retries)


class RequestSigner:
    """Builds the headers of guide §3: SHA256withRSA over `body + timestamp` (guide §4)."""

    def __init__(
        self, client_id: str, access_token: str, private_key: rsa.RSAPrivateKey | str
    ) -> None:
        self.client_id = client_id
        self._access_token = access_token
        self._key = (
            private_key
            if isinstance(private_key, rsa.RSAPrivateKey)
            else load_private_key(private_key)
        )

    def headers(self, body: bytes, timestamp_ms: int) -> dict[str, str]:
        timestamp = str(timestamp_ms)
        return {
            "Content-Type": "application/json",
            "X-Tesla-ClientId": self.client_id,
            "X-Tesla-SignAccessToken": self._access_token,
            "X-Tesla-Timestamp": timestamp,
            "X-Tesla-Signature": sign_connect(self._key, body, timestamp),
        }


def _backoff(retries_done: int) -> float:
    delay: float = 0.5 * (2 ** min(retries_done, 8))
    return min(delay, 8.0)


def retry_delay(
    call: Call[Any], error: BinanceSandboxError, retries_done: int, max_retries: int
) -> float | None:
    """Seconds to wait before trying `call` again after `error`, or None to give up (guide
    §11: SYS_ERROR and QUOTE_CACHE_FAILED with exponential backoff, SYS_BUSY after 1–2 s)."""
    if call.retry is Retry.NEVER or retries_done >= max_retries:
        return None
    if isinstance(error, SysBusy):
        return 1.0 if retries_done == 0 else 2.0
    if isinstance(error, ConnectError) and error.RETRYABLE:
        return _backoff(retries_done)
    if isinstance(error, TransportError) and error.transient and call.retry is Retry.READ:
        return _backoff(retries_done)
    return None


class OrderWait:
    """The schedule of `wait_for_order`: poll, then sleep `interval` (guide §6 step 7: every
    3–5 s) until the order is final; one last poll at the deadline, then `WaitTimeout`."""

    def __init__(self, order_id: str, timeout: float, interval: float, now_ms: int) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.order_id = order_id
        self.timeout = timeout
        self.interval = interval
        self._deadline_ms = now_ms + round(timeout * 1000)
        # Also count the sleeps, so that a clock that does not move cannot wait forever.
        self._slept = 0.0

    def next_sleep(self, order: Order, now_ms: int) -> float:
        remaining = min((self._deadline_ms - now_ms) / 1000, self.timeout - self._slept)
        if remaining <= 0:
            raise WaitTimeout(self.order_id, self.timeout, order)
        delay = min(self.interval, remaining)
        self._slept += delay
        return delay


# --- the calls (docs/connect-prime.md, "Endpoints") ----------------------------------------


def _amount(value: AmountLike) -> Decimal:
    if isinstance(value, float | bool):
        raise TypeError(f"amounts must be Decimal, int or str, not {type(value).__name__}")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a decimal amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return amount


def _without_none(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


_FIAT_LIST = pydantic.TypeAdapter(list[FiatCurrency])
_CRYPTO_LIST = pydantic.TypeAdapter(list[CryptoCurrency])
_PAIRS = pydantic.TypeAdapter(list[TradingPair])
_ASSETS = pydantic.TypeAdapter(list[Asset])
_KLINES = pydantic.TypeAdapter(list[Kline])
_DISCOVER = pydantic.TypeAdapter(list[DiscoverPrice])


def fiat_list(user_id: str) -> Call[list[FiatCurrency]]:
    return Call(
        "buy/fiat-list",
        {"userId": user_id},
        lambda data: _FIAT_LIST.validate_python(data["fiatCurrencies"]),
    )


def crypto_list(user_id: str) -> Call[list[CryptoCurrency]]:
    return Call(
        "sell/crypto-list",
        {"userId": user_id},
        lambda data: _CRYPTO_LIST.validate_python(data["cryptoCurrencies"]),
    )


def trading_pairs(
    user_id: str,
    direction: Direction | str,
    fiat_currency: str | None,
    crypto_currency: str | None,
) -> Call[list[TradingPair]]:
    payload = _without_none(
        userId=user_id,
        direction=str(direction),
        fiatCurrency=fiat_currency,
        cryptoCurrency=crypto_currency,
    )
    return Call("trading-pair", payload, _PAIRS.validate_python)


def amount_limits(
    user_id: str,
    fiat_currency: str,
    crypto_currency: str,
    direction: Direction | str,
    amount: AmountLike | None,
    amount_type: AmountType | int | None,
    custom_spread: AmountLike | None,
) -> Call[AmountLimits]:
    payload = _without_none(
        userId=user_id,
        fiatCurrency=fiat_currency,
        cryptoCurrency=crypto_currency,
        direction=str(direction),
        amount=None if amount is None else _amount(amount),
        amountType=None if amount_type is None else int(amount_type),
        customSpread=None if custom_spread is None else _amount(custom_spread),
    )
    return Call("fiat-crypto-amount-limit", payload, AmountLimits.model_validate)


def quote(
    user_id: str,
    fiat_currency: str,
    crypto_currency: str,
    direction: Direction | str,
    amount: AmountLike,
    amount_type: AmountType | int,
    custom_spread: AmountLike | None,
) -> Call[Quote]:
    payload = _without_none(
        userId=user_id,
        fiatCurrency=fiat_currency,
        cryptoCurrency=crypto_currency,
        direction=str(direction),
        amount=_amount(amount),
        amountType=int(amount_type),
        customSpread=None if custom_spread is None else _amount(custom_spread),
    )
    return Call("quote", payload, Quote.model_validate, Retry.CODES_ONLY)


def execute_quote(quote_id: str, client_order_id: str) -> Call[ExecuteResult]:
    return Call(
        "quote/execute",
        {"quoteId": quote_id, "clientOrderId": client_order_id},
        ExecuteResult.model_validate,
        Retry.NEVER,
    )


def transaction(order_id: str | None, client_order_id: str | None) -> Call[Order]:
    if (order_id is None) == (client_order_id is None):
        raise ValueError("give exactly one of order_id and client_order_id")
    payload = {"orderId": order_id} if order_id is not None else {"clientOrderId": client_order_id}
    return Call("transaction", payload, Order.model_validate)


def transactions(
    start_time: int,
    end_time: int,
    page: int,
    rows: int,
    user_id: str | None,
    status: OrderStatus | str | None,
    direction: Direction | str | None,
) -> Call[TransactionPage]:
    payload = _without_none(
        startTime=start_time,
        endTime=end_time,
        page=page,
        rows=rows,
        userId=user_id,
        status=None if status is None else str(status),
        direction=None if direction is None else str(direction),
    )
    return Call("transactions", payload, TransactionPage.model_validate)


def user_assets(user_id: str, asset: str | None) -> Call[list[Asset]]:
    return Call(
        "wallet/asset/user-assets",
        _without_none(userId=user_id, asset=asset),
        _ASSETS.validate_python,
    )


def symbol_detail(crypto_currency: str, fiat_currency: str | None) -> Call[SymbolDetail]:
    return Call(
        "info/symbol-detail",
        _without_none(cryptoCurrency=crypto_currency, fiatCurrency=fiat_currency),
        SymbolDetail.model_validate,
    )


def klines(
    crypto_currency: str,
    interval: str,
    start_time: int | None,
    end_time: int | None,
    fiat_currency: str | None,
    limit: int | None,
) -> Call[list[Kline]]:
    payload = _without_none(
        cryptoCurrency=crypto_currency,
        interval=interval,
        startTime=start_time,
        endTime=end_time,
        fiatCurrency=fiat_currency,
        limit=limit,
    )
    return Call("info/klines", payload, _KLINES.validate_python)


def discover(fiat_currency: str) -> Call[list[DiscoverPrice]]:
    return Call("info/discover", {"fiatCurrency": fiat_currency}, _DISCOVER.validate_python)
