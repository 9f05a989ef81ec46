"""The I/O-free half of the Wallet clients: the signer, what each call sends, how its answer
is read and when a failed one is tried again (see `binance_sandbox.client.wallet`)."""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
import pydantic

from binance_sandbox.client import _json
from binance_sandbox.client._calls import AmountLike, _amount
from binance_sandbox.client._request import PreparedRequest
from binance_sandbox.client.errors import BinanceSandboxError, TransportError, UnexpectedResponse
from binance_sandbox.client.wallet_errors import (
    RateLimited,
    TooManyRequests,
    WalletError,
    wallet_error_from_response,
)
from binance_sandbox.client.wallet_models import (
    AccountStatus,
    ApiTradingStatus,
    AssetDetail,
    AssetDividendPage,
    Deposit,
    DepositAddress,
    DepositStatus,
    DribbletLog,
    DustTransfer,
    ExchangeInfo,
    SubAccount,
    SubAccountBalance,
    SubAccountTransfer,
    SubAccountTransferResult,
    SystemStatus,
    TradeFee,
    Withdrawal,
    WithdrawResult,
    WithdrawStatus,
)

T = TypeVar("T")

API_KEY_HEADER = "X-MBX-APIKEY"
USED_WEIGHT_HEADERS = ("X-MBX-USED-WEIGHT-1M", "X-MBX-USED-WEIGHT")
DEFAULT_TIMEOUT = 15.0
DEFAULT_RECV_WINDOW = 5_000
MAX_RECV_WINDOW = 60_000  # NOTES.md: recvWindow at most 60000
DEFAULT_MAX_RETRIES = 2
MAX_RATE_LIMIT_WAIT = 10.0  # longer waits are left to the caller (`retry_after`)

WAPI = "/wapi/v3/"
SAPI = "/sapi/v1/"
API = "/api/v3/"


def wallet_signature(secret_key: str, total_params: str | bytes) -> str:
    """HMAC-SHA256 of `totalParams` (query string + body, without `signature`) keyed with
    the secret key, lower-case hex."""
    raw = total_params.encode() if isinstance(total_params, str) else total_params
    return hmac.new(secret_key.encode(), raw, hashlib.sha256).hexdigest()


def encode_params(params: Iterable[tuple[str, str]]) -> str:
    """`key=value&…` in the order given, keys repeated as given, values percent-encoded (so a
    `+` or `@` in an email arrives as sent)."""
    return "&".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in params)


class RequestSigner:
    """Holds the key pair: the API-key header of every request, the signature of signed ones,
    and the `recvWindow` (ms) that goes with them."""

    def __init__(self, api_key: str, secret_key: str, recv_window: int) -> None:
        self.api_key = api_key
        self._secret = secret_key
        self.recv_window = checked_recv_window(recv_window)

    def headers(self, body: bytes, timestamp_ms: int) -> dict[str, str]:
        """The `X-MBX-APIKEY` header; the signature travels with the parameters."""
        return {API_KEY_HEADER: self.api_key}

    def signature(self, total_params: str) -> str:
        return wallet_signature(self._secret, total_params)


class Security(enum.Enum):
    """The spec's security types, as far as the client is concerned."""

    NONE = "none"  # ping, time, exchangeInfo, systemStatus
    SIGNED = "signed"  # TRADE and USER_DATA: timestamp, recvWindow and signature


@dataclass(frozen=True, slots=True)
class WalletCall(Generic[T]):
    """What one endpoint sends and how its answer is read; `read` calls may be retried."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    parse: Callable[[Any], T]
    security: Security = Security.SIGNED
    read: bool = True

    @property
    def in_body(self) -> bool:
        # sapi POSTs send a form body; wapi POSTs put everything in the URL (spec, "SIGNED
        # Endpoint Examples": "for wapi, parameters must be sent in query strings").
        return self.method == "POST" and not self.path.startswith(WAPI)

    def prepare(self, signer: RequestSigner, timestamp_ms: int) -> PreparedRequest:
        """The exact request of one try, signed at `timestamp_ms`."""
        params = list(self.params)
        if self.security is Security.SIGNED:
            params += [("recvWindow", str(signer.recv_window)), ("timestamp", str(timestamp_ms))]
        total = encode_params(params)
        if self.security is Security.SIGNED:
            total += "&signature=" + signer.signature(total)
        headers = signer.headers(b"", timestamp_ms)
        if self.in_body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return PreparedRequest(self.method, self.path, total.encode(), headers)
        url = f"{self.path}?{total}" if total else self.path
        return PreparedRequest(self.method, url, None, headers)

    def result(self, response: httpx.Response) -> T:
        error = wallet_error_from_response(response)
        if error is not None:
            raise error
        body = _json.loads(response.content)
        try:
            return self.parse(body)
        except (pydantic.ValidationError, TypeError, KeyError, AttributeError) as exc:
            raise UnexpectedResponse(
                f"answer of {self.path} has an unexpected shape: {exc}",
                http_status=response.status_code,
                body=body,
            ) from exc

    def retry_delay(
        self, error: BinanceSandboxError, retries_done: int, max_retries: int
    ) -> float | None:
        """Seconds to wait before trying a read again after `error`, or None to give up."""
        if not self.read or retries_done >= max_retries:
            return None
        if isinstance(error, RateLimited):
            wait = error.retry_after
            return wait if wait is not None and wait <= MAX_RATE_LIMIT_WAIT else None
        if isinstance(error, TooManyRequests):
            # 418 (banned), or -1003 without a 429: how long to wait is the caller's decision.
            return None
        if (isinstance(error, WalletError) and error.RETRYABLE) or (
            isinstance(error, TransportError) and error.transient
        ):
            delay: float = 0.5 * (2 ** min(retries_done, 4))
            return delay
        return None


def used_weight(response: httpx.Response, last: int | None) -> int | None:
    """The request weight used in the current minute, as the answer reports it (else `last`)."""
    for name in USED_WEIGHT_HEADERS:
        value = response.headers.get(name)
        if value is not None and value.isdigit():
            return int(value)
    return last


def checked_recv_window(value: int) -> int:
    if not 0 < value <= MAX_RECV_WINDOW:
        raise ValueError(f"recv_window must be between 1 and {MAX_RECV_WINDOW} ms")
    return value


# --- the calls (spec/wallet-wapi-v3.txt) ----------------------------------------------------


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return _json.decimal_str(value)
    if isinstance(value, float):
        raise TypeError("floats are not allowed in parameters; use Decimal, int or str")
    return str(value)


def _params(**fields: object) -> tuple[tuple[str, str], ...]:
    """The parameters in the spec's order, absent ones left out."""
    return tuple((key, _value(value)) for key, value in fields.items() if value is not None)


def _decimal_param(value: AmountLike) -> str:
    return _json.decimal_str(_amount(value))


def _wapi_list(key: str, adapter: pydantic.TypeAdapter[list[T]]) -> Callable[[Any], list[T]]:
    def parse(body: Any) -> list[T]:
        # An account with no records may leave the list out.
        return adapter.validate_python(body.get(key) or [])

    return parse


_DEPOSITS = pydantic.TypeAdapter(list[Deposit])
_WITHDRAWALS = pydantic.TypeAdapter(list[Withdrawal])
_TRADE_FEES = pydantic.TypeAdapter(list[TradeFee])
_SUB_ACCOUNTS = pydantic.TypeAdapter(list[SubAccount])
_SUB_ACCOUNT_TRANSFERS = pydantic.TypeAdapter(list[SubAccountTransfer])
_SUB_ACCOUNT_BALANCES = pydantic.TypeAdapter(list[SubAccountBalance])
_ASSET_DETAILS = pydantic.TypeAdapter(dict[str, AssetDetail])


def ping_call() -> WalletCall[None]:
    return WalletCall("GET", API + "ping", (), lambda body: None, Security.NONE)


def server_time_call() -> WalletCall[int]:
    return WalletCall("GET", API + "time", (), lambda body: int(body["serverTime"]), Security.NONE)


def exchange_info_call() -> WalletCall[ExchangeInfo]:
    return WalletCall("GET", API + "exchangeInfo", (), ExchangeInfo.model_validate, Security.NONE)


def withdraw_call(
    asset: str,
    address: str,
    amount: AmountLike,
    network: str | None,
    address_tag: str | None,
    name: str | None,
) -> WalletCall[WithdrawResult]:
    params = _params(
        asset=asset,
        network=network,
        address=address,
        addressTag=address_tag,
        amount=_decimal_param(amount),
        name=name,
    )
    return WalletCall(
        "POST", WAPI + "withdraw.html", params, WithdrawResult.model_validate, read=False
    )


def deposit_history_call(
    asset: str | None,
    status: DepositStatus | int | None,
    start_time: int | None,
    end_time: int | None,
) -> WalletCall[list[Deposit]]:
    params = _params(asset=asset, status=status, startTime=start_time, endTime=end_time)
    return WalletCall(
        "GET", WAPI + "depositHistory.html", params, _wapi_list("depositList", _DEPOSITS)
    )


def withdraw_history_call(
    asset: str | None,
    status: WithdrawStatus | int | None,
    start_time: int | None,
    end_time: int | None,
) -> WalletCall[list[Withdrawal]]:
    params = _params(asset=asset, status=status, startTime=start_time, endTime=end_time)
    return WalletCall(
        "GET", WAPI + "withdrawHistory.html", params, _wapi_list("withdrawList", _WITHDRAWALS)
    )


def deposit_address_call(asset: str, status: bool | None) -> WalletCall[DepositAddress]:
    return WalletCall(
        "GET",
        WAPI + "depositAddress.html",
        _params(asset=asset, status=status),
        DepositAddress.model_validate,
    )


def account_status_call() -> WalletCall[AccountStatus]:
    return WalletCall("GET", WAPI + "accountStatus.html", (), AccountStatus.model_validate)


def system_status_call() -> WalletCall[SystemStatus]:
    return WalletCall(
        "GET", WAPI + "systemStatus.html", (), SystemStatus.model_validate, Security.NONE
    )


def api_trading_status_call() -> WalletCall[ApiTradingStatus]:
    return WalletCall(
        "GET",
        WAPI + "apiTradingStatus.html",
        (),
        lambda body: ApiTradingStatus.model_validate(body["status"]),
    )


def dust_log_call() -> WalletCall[DribbletLog]:
    return WalletCall(
        "GET",
        WAPI + "userAssetDribbletLog.html",
        (),
        lambda body: DribbletLog.model_validate(body["results"]),
    )


def trade_fee_call(symbol: str | None) -> WalletCall[list[TradeFee]]:
    return WalletCall(
        "GET", WAPI + "tradeFee.html", _params(symbol=symbol), _wapi_list("tradeFee", _TRADE_FEES)
    )


def asset_detail_call() -> WalletCall[dict[str, AssetDetail]]:
    return WalletCall(
        "GET",
        WAPI + "assetDetail.html",
        (),
        lambda body: _ASSET_DETAILS.validate_python(body.get("assetDetail") or {}),
    )


def sub_account_list_call(
    email: str | None, status: str | None, page: int | None, limit: int | None
) -> WalletCall[list[SubAccount]]:
    return WalletCall(
        "GET",
        WAPI + "sub-account/list.html",
        _params(email=email, status=status, page=page, limit=limit),
        _wapi_list("subAccounts", _SUB_ACCOUNTS),
    )


def sub_account_transfer_history_call(
    email: str,
    start_time: int | None,
    end_time: int | None,
    page: int | None,
    limit: int | None,
) -> WalletCall[list[SubAccountTransfer]]:
    params = _params(email=email, startTime=start_time, endTime=end_time, page=page, limit=limit)
    return WalletCall(
        "GET",
        WAPI + "sub-account/transfer/history.html",
        params,
        _wapi_list("transfers", _SUB_ACCOUNT_TRANSFERS),
    )


def sub_account_transfer_call(
    from_email: str, to_email: str, asset: str, amount: AmountLike
) -> WalletCall[SubAccountTransferResult]:
    params = _params(
        fromEmail=from_email, toEmail=to_email, asset=asset, amount=_decimal_param(amount)
    )
    return WalletCall(
        "POST",
        WAPI + "sub-account/transfer.html",
        params,
        SubAccountTransferResult.model_validate,
        read=False,
    )


def sub_account_assets_call(email: str, symbol: str | None) -> WalletCall[list[SubAccountBalance]]:
    return WalletCall(
        "GET",
        WAPI + "sub-account/assets.html",
        _params(email=email, symbol=symbol),
        _wapi_list("balances", _SUB_ACCOUNT_BALANCES),
    )


def dust_call(assets: Sequence[str] | str) -> WalletCall[DustTransfer]:
    names = [assets] if isinstance(assets, str) else list(assets)
    if not names:
        raise ValueError("give at least one asset to convert")
    # NOTES.md: the assets as repeated keys, `asset=BTC&asset=USDT`.
    params = tuple(("asset", name) for name in names)
    return WalletCall("POST", SAPI + "asset/dust", params, DustTransfer.model_validate, read=False)


def asset_dividend_call(
    asset: str | None, start_time: int | None, end_time: int | None
) -> WalletCall[AssetDividendPage]:
    return WalletCall(
        "GET",
        SAPI + "asset/assetDividend",
        _params(asset=asset, startTime=start_time, endTime=end_time),
        AssetDividendPage.model_validate,
    )
