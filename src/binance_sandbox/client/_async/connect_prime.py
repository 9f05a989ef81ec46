"""The Connect Prime client (docs/connect-prime.md); see `binance_sandbox.client.connect_prime`
for what is signed and what is retried."""

from __future__ import annotations

from binance_sandbox.client import _calls
from binance_sandbox.client._async.connect import AsyncConnectClient
from binance_sandbox.client._calls import AmountLike, OrderWait
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


class AsyncConnectPrimeClient(AsyncConnectClient):
    """Connect Prime over `httpx.AsyncClient`.

    `private_key` is an `RSAPrivateKey`, or its Base64 PKCS#8 DER (as the guide's Java example
    loads it) or PEM text. `clock` returns epoch milliseconds and `sleep` waits seconds; both
    are there to be replaced in tests.
    """

    # --- buy and sell flows (guide §6, §7) -----------------------------------------------

    async def fiat_list(self, user_id: str) -> list[FiatCurrency]:
        """Fiat currencies a user can buy with (`buy/fiat-list`)."""
        return await self._send(_calls.fiat_list(user_id))

    async def crypto_list(self, user_id: str) -> list[CryptoCurrency]:
        """Crypto currencies a user can sell (`sell/crypto-list`)."""
        return await self._send(_calls.crypto_list(user_id))

    async def trading_pairs(
        self,
        user_id: str,
        direction: Direction | str,
        *,
        fiat_currency: str | None = None,
        crypto_currency: str | None = None,
    ) -> list[TradingPair]:
        """Pairs offered in `direction` (`trading-pair`): give `fiat_currency` for BUY,
        `crypto_currency` for SELL."""
        return await self._send(
            _calls.trading_pairs(user_id, direction, fiat_currency, crypto_currency)
        )

    async def amount_limits(
        self,
        user_id: str,
        *,
        fiat_currency: str,
        crypto_currency: str,
        direction: Direction | str,
        amount: AmountLike | None = None,
        amount_type: AmountType | int | None = None,
        custom_spread: AmountLike | None = None,
    ) -> AmountLimits:
        """Minimum and maximum amounts (`fiat-crypto-amount-limit`)."""
        return await self._send(
            _calls.amount_limits(
                user_id,
                fiat_currency,
                crypto_currency,
                direction,
                amount,
                amount_type,
                custom_spread,
            )
        )

    async def quote(
        self,
        user_id: str,
        *,
        fiat_currency: str,
        crypto_currency: str,
        direction: Direction | str,
        amount: AmountLike,
        amount_type: AmountType | int,
        custom_spread: AmountLike | None = None,
    ) -> Quote:
        """An executable quote (`quote`); `custom_spread` 0.01 is 1 %."""
        return await self._send(
            _calls.quote(
                user_id,
                fiat_currency,
                crypto_currency,
                direction,
                amount,
                amount_type,
                custom_spread,
            )
        )

    async def execute_quote(self, quote_id: str, client_order_id: str) -> ExecuteResult:
        """Execute a quote, creating an order (`quote/execute`). Never retried: see the module
        docstring for what to do when it fails without a clear answer."""
        return await self._send(_calls.execute_quote(quote_id, client_order_id))

    async def transaction(
        self, order_id: str | None = None, *, client_order_id: str | None = None
    ) -> Order:
        """One order (`transaction`), by `order_id` or by `client_order_id`."""
        return await self._send(_calls.transaction(order_id, client_order_id))

    async def transactions(
        self,
        *,
        start_time: int,
        end_time: int,
        page: int = 1,
        rows: int = 20,
        user_id: str | None = None,
        status: OrderStatus | str | None = None,
        direction: Direction | str | None = None,
    ) -> TransactionPage:
        """A page of orders created in `[start_time, end_time]` (ms), newest first."""
        return await self._send(
            _calls.transactions(start_time, end_time, page, rows, user_id, status, direction)
        )

    async def wait_for_order(
        self,
        order_id: str,
        *,
        # The deadline is read on `clock`, so that tests can move time.
        timeout: float = 120.0,  # noqa: ASYNC109
        interval: float = 3.0,
    ) -> Order:
        """Poll `transaction` every `interval` seconds (guide §6 step 7: 3–5 s) until the
        order is FILLED or FAILED; `WaitTimeout` after `timeout` seconds."""
        wait = OrderWait(order_id, timeout, interval, self._clock())
        while True:
            order = await self.transaction(order_id)
            if order.status.is_final:
                return order
            await self._sleep(wait.next_sleep(order, self._clock()))

    async def user_assets(self, user_id: str, *, asset: str | None = None) -> list[Asset]:
        """The user's crypto balances (`wallet/asset/user-assets`)."""
        return await self._send(_calls.user_assets(user_id, asset))

    # --- market data (guide §10) -------------------------------------------------------

    async def symbol_detail(
        self, crypto_currency: str, *, fiat_currency: str | None = None
    ) -> SymbolDetail:
        return await self._send(_calls.symbol_detail(crypto_currency, fiat_currency))

    async def klines(
        self,
        crypto_currency: str,
        interval: str,
        *,
        start_time: int | None = None,
        end_time: int | None = None,
        fiat_currency: str | None = None,
        limit: int | None = None,
    ) -> list[Kline]:
        """Candles; `interval` is `3m`, `1h` or `1d` (guide §10)."""
        return await self._send(
            _calls.klines(crypto_currency, interval, start_time, end_time, fiat_currency, limit)
        )

    async def discover(self, fiat_currency: str = "AED") -> list[DiscoverPrice]:
        """Trending prices; the guide supports `AED` only (§10)."""
        return await self._send(_calls.discover(fiat_currency))
