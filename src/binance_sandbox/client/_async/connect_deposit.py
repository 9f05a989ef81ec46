"""The Connect Deposit client (docs/connect-deposit.md); see
`binance_sandbox.client.connect_deposit`."""

from __future__ import annotations

from collections.abc import Sequence

from binance_sandbox.client._async.connect import AsyncConnectClient
from binance_sandbox.client._calls import AmountLike
from binance_sandbox.client._deposit_calls import (
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
    AuthorizationWait,
    authorization,
    crypto_networks,
    initiate_deposit,
    report,
)
from binance_sandbox.client.deposit_models import (
    CryptoNetworks,
    DepositAuthorization,
    DepositLink,
)


class AsyncConnectDepositClient(AsyncConnectClient):
    """Connect Deposit over `httpx.AsyncClient`; constructed like `ConnectPrimeClient`."""

    async def crypto_networks(self) -> list[CryptoNetworks]:
        """Coins and their networks, with deposit metadata (`crypto-network`, flow step 1)."""
        return await self._send(crypto_networks())

    async def initiate_deposit(
        self,
        external_order_id: str,
        *,
        user_id: str,
        crypto_currency: str,
        networks: Sequence[str],
        redirect_url: str | None = None,
    ) -> DepositLink:
        """Start a session (`deposit/initiate`, flow step 2); open its `link` for the user.
        Not repeated after a failure without a clear answer: look the session up with
        `authorization(external_order_id)` instead."""
        return await self._send(
            initiate_deposit(external_order_id, user_id, crypto_currency, networks, redirect_url)
        )

    async def authorization(self, external_order_id: str) -> DepositAuthorization:
        """The session's status and, once AUTHORIZED, its addresses (`deposit/authorization`)."""
        return await self._send(authorization(external_order_id))

    async def wait_for_authorization(
        self,
        external_order_id: str,
        *,
        # The deadline is read on `clock`, so that tests can move time.
        timeout: float = DEFAULT_WAIT_TIMEOUT,  # noqa: ASYNC109
        interval: float = DEFAULT_POLL_INTERVAL,
    ) -> DepositAuthorization:
        """Poll `authorization` every `interval` seconds (flow step 4: every 2-3 s) until the
        session is AUTHORIZED, REJECTED or EXPIRED; `AuthorizationTimeout` after `timeout`."""
        wait = AuthorizationWait(external_order_id, timeout, interval, self._clock())
        while True:
            found = await self.authorization(external_order_id)
            if found.status.is_final:
                return found
            await self._sleep(wait.next_sleep(found, self._clock()))

    async def report(
        self,
        external_order_id: str,
        tx_hash: str,
        *,
        amount: AmountLike | None = None,
        crypto_currency: str | None = None,
        network: str | None = None,
    ) -> None:
        """Report the on-chain transaction (`deposit/report`, flow step 6); the first report of
        a session wins and later ones are ignored."""
        await self._send(report(external_order_id, tx_hash, amount, crypto_currency, network))
