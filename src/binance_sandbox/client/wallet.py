"""Wallet API clients (wapi v3 and sapi), sync and async, with the same methods
(spec/wallet-wapi-v3.txt, docs/wallet-api.md).

Signed requests (spec, "SIGNED (TRADE and USER_DATA) Endpoint security"): the parameters in
the order given, then `recvWindow` and `timestamp`, percent-encoded into `totalParams`;
`signature` = HMAC-SHA256(secretKey, totalParams), hex, appended last; the API key in the
`X-MBX-APIKEY` header. GETs and every wapi POST carry the parameters in the query string
("for wapi, parameters must be sent in query strings"), sapi POSTs in an
`application/x-www-form-urlencoded` body. Every try is signed afresh, with a new timestamp.

`timestamp` is `clock() + time_offset`. The server takes a timestamp at most 1000 ms ahead of
its time and at most `recvWindow` behind it; `sync_time()` measures the offset to the
server's clock once, as python-binance does when constructed, for a local clock that is off
or to sign on the sandbox clock after it was moved (the sandbox also accepts real time).

Retries: reads are tried again after a timeout or network failure, after -1000 UNKNOWN
and -1001 DISCONNECTED, and after a 429 that says how long to wait (`Retry-After`, at most
10 s), up to `max_retries` times; writes (`withdraw`, `sub_account_transfer`, `dust`) never
are: look a withdrawal up with `withdraw_history` before sending it again. A 418 (IP
banned) is never retried.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
import pydantic

from binance_sandbox import jsonwire
from binance_sandbox.client._base import AsyncClient, SyncClient
from binance_sandbox.client._calls import AmountLike, _amount
from binance_sandbox.client.errors import BinanceSandboxError, TransportError, UnexpectedResponse
from binance_sandbox.client.wallet_errors import (
    Disconnected,
    RateLimited,
    UnknownError,
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
    """Holds the key pair: the API-key header of every request, the signature of signed ones."""

    def __init__(self, api_key: str, secret_key: str) -> None:
        self.api_key = api_key
        self._secret = secret_key

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
class PreparedRequest:
    method: str
    url: str
    body: bytes
    headers: dict[str, str]


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

    def prepare(
        self, signer: RequestSigner, timestamp_ms: int, recv_window: int
    ) -> PreparedRequest:
        """The exact request of one try, signed at `timestamp_ms`."""
        params = list(self.params)
        if self.security is Security.SIGNED:
            params += [("recvWindow", str(recv_window)), ("timestamp", str(timestamp_ms))]
        total = encode_params(params)
        if self.security is Security.SIGNED:
            total += "&signature=" + signer.signature(total)
        headers = signer.headers(b"", timestamp_ms)
        if self.in_body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            return PreparedRequest(self.method, self.path, total.encode(), headers)
        url = f"{self.path}?{total}" if total else self.path
        return PreparedRequest(self.method, url, b"", headers)

    def result(self, response: httpx.Response) -> T:
        error = wallet_error_from_response(response)
        if error is not None:
            raise error
        body = jsonwire.loads(response.content)
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
        if isinstance(error, UnknownError | Disconnected) or (
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


def _recv_window(value: int) -> int:
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
        return jsonwire.decimal_str(value)
    if isinstance(value, float):
        raise TypeError("floats are not allowed in parameters; use Decimal, int or str")
    return str(value)


def _params(**fields: object) -> tuple[tuple[str, str], ...]:
    """The parameters in the spec's order, absent ones left out."""
    return tuple((key, _value(value)) for key, value in fields.items() if value is not None)


def _decimal_param(value: AmountLike) -> str:
    return jsonwire.decimal_str(_amount(value))


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


# --- the clients ----------------------------------------------------------------------------


class WalletClient(SyncClient):
    """The Wallet API over `httpx.Client`.

    `recv_window` (ms, at most 60000) goes with every signed request; `time_offset` (ms) is
    added to `clock` for its timestamp (see `sync_time`). `clock` returns epoch milliseconds
    and `sleep` waits seconds; both are there to be replaced in tests. `used_weight` is the
    request weight of the current minute as the last answer reported it.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        secret_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        recv_window: int = DEFAULT_RECV_WINDOW,
        time_offset: int = 0,
        max_retries: int = DEFAULT_MAX_RETRIES,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], int] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._keys = RequestSigner(api_key, secret_key)
        super().__init__(
            self._keys,
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            transport=transport,
            clock=clock,
            sleep=sleep,
        )
        self.recv_window = _recv_window(recv_window)
        self.time_offset = time_offset
        self.used_weight: int | None = None

    def close(self) -> None:
        self._http.close()

    def _call(self, call: WalletCall[T]) -> T:
        retries = 0
        while True:
            request = call.prepare(self._keys, self._clock() + self.time_offset, self.recv_window)
            error: BinanceSandboxError
            try:
                response = self._http.request(
                    request.method,
                    request.url,
                    content=request.body or None,
                    headers=request.headers,
                )
            except httpx.TransportError as exc:
                error = TransportError.wrap(exc)
            else:
                self.used_weight = used_weight(response, self.used_weight)
                try:
                    return call.result(response)
                except BinanceSandboxError as exc:
                    error = exc
            delay = call.retry_delay(error, retries, self._max_retries)
            if delay is None:
                raise error
            self._sleep(delay)
            retries += 1

    # --- general (`/api/v3`) ------------------------------------------------------------

    def ping(self) -> None:
        """`GET /api/v3/ping`: raises unless the API answers."""
        self._call(ping_call())

    def server_time(self) -> int:
        """`GET /api/v3/time`: the server's clock, epoch ms (the sandbox clock)."""
        return self._call(server_time_call())

    def exchange_info(self) -> ExchangeInfo:
        """`GET /api/v3/exchangeInfo`: the rate limits."""
        return self._call(exchange_info_call())

    def sync_time(self) -> int:
        """Measure the server's clock once and sign from then on with it: sets `time_offset`
        to server time minus `clock` (at the middle of the round trip) and returns it."""
        before = self._clock()
        server = self.server_time()
        after = self._clock()
        self.time_offset = server - (before + after) // 2
        return self.time_offset

    # --- withdrawals and deposits -------------------------------------------------------

    def withdraw(
        self,
        asset: str,
        address: str,
        amount: AmountLike,
        *,
        network: str | None = None,
        address_tag: str | None = None,
        name: str | None = None,
    ) -> WithdrawResult:
        """Submit a withdrawal (`withdraw.html`). Not retried: after a `TransportError` or
        `ExecutionStatusUnknown`, look for it in `withdraw_history` first."""
        return self._call(withdraw_call(asset, address, amount, network, address_tag, name))

    def deposit_history(
        self,
        *,
        asset: str | None = None,
        status: DepositStatus | int | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> list[Deposit]:
        """Deposits, oldest first (`depositHistory.html`)."""
        return self._call(deposit_history_call(asset, status, start_time, end_time))

    def withdraw_history(
        self,
        *,
        asset: str | None = None,
        status: WithdrawStatus | int | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> list[Withdrawal]:
        """Withdrawals, oldest first (`withdrawHistory.html`)."""
        return self._call(withdraw_history_call(asset, status, start_time, end_time))

    def deposit_address(self, asset: str, *, status: bool | None = None) -> DepositAddress:
        """The account's deposit address for `asset` (`depositAddress.html`)."""
        return self._call(deposit_address_call(asset, status))

    # --- account --------------------------------------------------------------------------

    def account_status(self) -> AccountStatus:
        """`accountStatus.html`."""
        return self._call(account_status_call())

    def system_status(self) -> SystemStatus:
        """`systemStatus.html` (not signed)."""
        return self._call(system_status_call())

    def api_trading_status(self) -> ApiTradingStatus:
        """`apiTradingStatus.html`: whether API trading is locked, and the indicators."""
        return self._call(api_trading_status_call())

    def dust_log(self) -> DribbletLog:
        """Small balances converted to BNB (`userAssetDribbletLog.html`)."""
        return self._call(dust_log_call())

    def trade_fee(self, *, symbol: str | None = None) -> list[TradeFee]:
        """`tradeFee.html`: maker and taker fees, of one symbol or all."""
        return self._call(trade_fee_call(symbol))

    def asset_detail(self) -> dict[str, AssetDetail]:
        """`assetDetail.html`: per asset, withdrawal minimum and fee, deposit/withdraw status."""
        return self._call(asset_detail_call())

    def dust(self, assets: Sequence[str] | str) -> DustTransfer:
        """Convert small balances of `assets` to BNB (`POST /sapi/v1/asset/dust`). Not
        retried."""
        return self._call(dust_call(assets))

    def asset_dividend(
        self,
        *,
        asset: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> AssetDividendPage:
        """Dividend records (`GET /sapi/v1/asset/assetDividend`)."""
        return self._call(asset_dividend_call(asset, start_time, end_time))

    # --- sub-accounts ---------------------------------------------------------------------

    def sub_account_list(
        self,
        *,
        email: str | None = None,
        status: str | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> list[SubAccount]:
        """`sub-account/list.html`; `status` is `enabled` or `disabled`."""
        return self._call(sub_account_list_call(email, status, page, limit))

    def sub_account_transfer_history(
        self,
        email: str,
        *,
        start_time: int | None = None,
        end_time: int | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> list[SubAccountTransfer]:
        """Transfers from or to a sub-account (`sub-account/transfer/history.html`)."""
        return self._call(
            sub_account_transfer_history_call(email, start_time, end_time, page, limit)
        )

    def sub_account_transfer(
        self, from_email: str, to_email: str, asset: str, amount: AmountLike
    ) -> SubAccountTransferResult:
        """Move `amount` of `asset` between accounts (`sub-account/transfer.html`). Not
        retried."""
        return self._call(sub_account_transfer_call(from_email, to_email, asset, amount))

    def sub_account_assets(
        self, email: str, *, symbol: str | None = None
    ) -> list[SubAccountBalance]:
        """A sub-account's balances (`sub-account/assets.html`)."""
        return self._call(sub_account_assets_call(email, symbol))


class AsyncWalletClient(AsyncClient):
    """The Wallet API over `httpx.AsyncClient`; see `WalletClient`."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        secret_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        recv_window: int = DEFAULT_RECV_WINDOW,
        time_offset: int = 0,
        max_retries: int = DEFAULT_MAX_RETRIES,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], int] | None = None,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
    ) -> None:
        self._keys = RequestSigner(api_key, secret_key)
        super().__init__(
            self._keys,
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            transport=transport,
            clock=clock,
            sleep=sleep,
        )
        self.recv_window = _recv_window(recv_window)
        self.time_offset = time_offset
        self.used_weight: int | None = None

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, call: WalletCall[T]) -> T:
        retries = 0
        while True:
            request = call.prepare(self._keys, self._clock() + self.time_offset, self.recv_window)
            error: BinanceSandboxError
            try:
                response = await self._http.request(
                    request.method,
                    request.url,
                    content=request.body or None,
                    headers=request.headers,
                )
            except httpx.TransportError as exc:
                error = TransportError.wrap(exc)
            else:
                self.used_weight = used_weight(response, self.used_weight)
                try:
                    return call.result(response)
                except BinanceSandboxError as exc:
                    error = exc
            delay = call.retry_delay(error, retries, self._max_retries)
            if delay is None:
                raise error
            await self._sleep(delay)
            retries += 1

    async def ping(self) -> None:
        await self._call(ping_call())

    async def server_time(self) -> int:
        return await self._call(server_time_call())

    async def exchange_info(self) -> ExchangeInfo:
        return await self._call(exchange_info_call())

    async def sync_time(self) -> int:
        before = self._clock()
        server = await self.server_time()
        after = self._clock()
        self.time_offset = server - (before + after) // 2
        return self.time_offset

    async def withdraw(
        self,
        asset: str,
        address: str,
        amount: AmountLike,
        *,
        network: str | None = None,
        address_tag: str | None = None,
        name: str | None = None,
    ) -> WithdrawResult:
        return await self._call(withdraw_call(asset, address, amount, network, address_tag, name))

    async def deposit_history(
        self,
        *,
        asset: str | None = None,
        status: DepositStatus | int | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> list[Deposit]:
        return await self._call(deposit_history_call(asset, status, start_time, end_time))

    async def withdraw_history(
        self,
        *,
        asset: str | None = None,
        status: WithdrawStatus | int | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> list[Withdrawal]:
        return await self._call(withdraw_history_call(asset, status, start_time, end_time))

    async def deposit_address(self, asset: str, *, status: bool | None = None) -> DepositAddress:
        return await self._call(deposit_address_call(asset, status))

    async def account_status(self) -> AccountStatus:
        return await self._call(account_status_call())

    async def system_status(self) -> SystemStatus:
        return await self._call(system_status_call())

    async def api_trading_status(self) -> ApiTradingStatus:
        return await self._call(api_trading_status_call())

    async def dust_log(self) -> DribbletLog:
        return await self._call(dust_log_call())

    async def trade_fee(self, *, symbol: str | None = None) -> list[TradeFee]:
        return await self._call(trade_fee_call(symbol))

    async def asset_detail(self) -> dict[str, AssetDetail]:
        return await self._call(asset_detail_call())

    async def dust(self, assets: Sequence[str] | str) -> DustTransfer:
        return await self._call(dust_call(assets))

    async def asset_dividend(
        self,
        *,
        asset: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> AssetDividendPage:
        return await self._call(asset_dividend_call(asset, start_time, end_time))

    async def sub_account_list(
        self,
        *,
        email: str | None = None,
        status: str | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> list[SubAccount]:
        return await self._call(sub_account_list_call(email, status, page, limit))

    async def sub_account_transfer_history(
        self,
        email: str,
        *,
        start_time: int | None = None,
        end_time: int | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> list[SubAccountTransfer]:
        return await self._call(
            sub_account_transfer_history_call(email, start_time, end_time, page, limit)
        )

    async def sub_account_transfer(
        self, from_email: str, to_email: str, asset: str, amount: AmountLike
    ) -> SubAccountTransferResult:
        return await self._call(sub_account_transfer_call(from_email, to_email, asset, amount))

    async def sub_account_assets(
        self, email: str, *, symbol: str | None = None
    ) -> list[SubAccountBalance]:
        return await self._call(sub_account_assets_call(email, symbol))
