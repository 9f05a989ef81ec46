"""The Wallet API client (wapi v3 and sapi; docs/wallet-api.md); see
`binance_sandbox.client.wallet`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import httpx

from binance_sandbox.client._async.base import AsyncClient
from binance_sandbox.client._calls import AmountLike
from binance_sandbox.client._wallet_calls import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_RECV_WINDOW,
    DEFAULT_TIMEOUT,
    RequestSigner,
    account_status_call,
    api_trading_status_call,
    asset_detail_call,
    asset_dividend_call,
    checked_recv_window,
    deposit_address_call,
    deposit_history_call,
    dust_call,
    dust_log_call,
    exchange_info_call,
    ping_call,
    server_time_call,
    sub_account_assets_call,
    sub_account_list_call,
    sub_account_transfer_call,
    sub_account_transfer_history_call,
    system_status_call,
    trade_fee_call,
    used_weight,
    withdraw_call,
    withdraw_history_call,
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


class AsyncWalletClient(AsyncClient):
    """The Wallet API over `httpx.AsyncClient`.

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
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], int] | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> None:
        super().__init__(
            RequestSigner(api_key, secret_key, recv_window),
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            transport=transport,
            clock=clock,
            sleep=sleep,
        )
        self._keys: RequestSigner = self._signer
        self.time_offset = time_offset
        self.used_weight: int | None = None

    @property
    def recv_window(self) -> int:
        return self._keys.recv_window

    @recv_window.setter
    def recv_window(self, value: int) -> None:
        self._keys.recv_window = checked_recv_window(value)

    def _timestamp(self) -> int:
        return self._clock() + self.time_offset

    def _seen(self, response: httpx.Response) -> None:
        self.used_weight = used_weight(response, self.used_weight)

    # --- general (`/api/v3`) ------------------------------------------------------------

    async def ping(self) -> None:
        """`GET /api/v3/ping`: raises unless the API answers."""
        await self._send(ping_call())

    async def server_time(self) -> int:
        """`GET /api/v3/time`: the server's clock, epoch ms (the sandbox clock)."""
        return await self._send(server_time_call())

    async def exchange_info(self) -> ExchangeInfo:
        """`GET /api/v3/exchangeInfo`: the rate limits."""
        return await self._send(exchange_info_call())

    async def sync_time(self) -> int:
        """Measure the server's clock once and sign from then on with it: sets `time_offset`
        to server time minus `clock` (at the middle of the round trip) and returns it."""
        before = self._clock()
        server = await self.server_time()
        after = self._clock()
        self.time_offset = server - (before + after) // 2
        return self.time_offset

    # --- withdrawals and deposits -------------------------------------------------------

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
        """Submit a withdrawal (`withdraw.html`). Not retried: after a `TransportError` or
        `ExecutionStatusUnknown`, look for it in `withdraw_history` first."""
        return await self._send(withdraw_call(asset, address, amount, network, address_tag, name))

    async def deposit_history(
        self,
        *,
        asset: str | None = None,
        status: DepositStatus | int | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> list[Deposit]:
        """Deposits, oldest first (`depositHistory.html`)."""
        return await self._send(deposit_history_call(asset, status, start_time, end_time))

    async def withdraw_history(
        self,
        *,
        asset: str | None = None,
        status: WithdrawStatus | int | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> list[Withdrawal]:
        """Withdrawals, oldest first (`withdrawHistory.html`)."""
        return await self._send(withdraw_history_call(asset, status, start_time, end_time))

    async def deposit_address(self, asset: str, *, status: bool | None = None) -> DepositAddress:
        """The account's deposit address for `asset` (`depositAddress.html`)."""
        return await self._send(deposit_address_call(asset, status))

    # --- account --------------------------------------------------------------------------

    async def account_status(self) -> AccountStatus:
        """`accountStatus.html`."""
        return await self._send(account_status_call())

    async def system_status(self) -> SystemStatus:
        """`systemStatus.html` (not signed)."""
        return await self._send(system_status_call())

    async def api_trading_status(self) -> ApiTradingStatus:
        """`apiTradingStatus.html`: whether API trading is locked, and the indicators."""
        return await self._send(api_trading_status_call())

    async def dust_log(self) -> DribbletLog:
        """Small balances converted to BNB (`userAssetDribbletLog.html`)."""
        return await self._send(dust_log_call())

    async def trade_fee(self, *, symbol: str | None = None) -> list[TradeFee]:
        """`tradeFee.html`: maker and taker fees, of one symbol or all."""
        return await self._send(trade_fee_call(symbol))

    async def asset_detail(self) -> dict[str, AssetDetail]:
        """`assetDetail.html`: per asset, withdrawal minimum and fee, deposit/withdraw status."""
        return await self._send(asset_detail_call())

    async def dust(self, assets: Sequence[str] | str) -> DustTransfer:
        """Convert small balances of `assets` to BNB (`POST /sapi/v1/asset/dust`). Not
        retried."""
        return await self._send(dust_call(assets))

    async def asset_dividend(
        self,
        *,
        asset: str | None = None,
        start_time: int | None = None,
        end_time: int | None = None,
    ) -> AssetDividendPage:
        """Dividend records (`GET /sapi/v1/asset/assetDividend`)."""
        return await self._send(asset_dividend_call(asset, start_time, end_time))

    # --- sub-accounts ---------------------------------------------------------------------

    async def sub_account_list(
        self,
        *,
        email: str | None = None,
        status: str | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> list[SubAccount]:
        """`sub-account/list.html`; `status` is `enabled` or `disabled`."""
        return await self._send(sub_account_list_call(email, status, page, limit))

    async def sub_account_transfer_history(
        self,
        email: str,
        *,
        start_time: int | None = None,
        end_time: int | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> list[SubAccountTransfer]:
        """Transfers from or to a sub-account (`sub-account/transfer/history.html`)."""
        return await self._send(
            sub_account_transfer_history_call(email, start_time, end_time, page, limit)
        )

    async def sub_account_transfer(
        self, from_email: str, to_email: str, asset: str, amount: AmountLike
    ) -> SubAccountTransferResult:
        """Move `amount` of `asset` between accounts (`sub-account/transfer.html`). Not
        retried."""
        return await self._send(sub_account_transfer_call(from_email, to_email, asset, amount))

    async def sub_account_assets(
        self, email: str, *, symbol: str | None = None
    ) -> list[SubAccountBalance]:
        """A sub-account's balances (`sub-account/assets.html`)."""
        return await self._send(sub_account_assets_call(email, symbol))
