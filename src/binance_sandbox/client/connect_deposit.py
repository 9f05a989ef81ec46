"""Connect Deposit clients, sync and async, with the same methods (docs/connect-deposit.md).

The same signed round trip, errors and retries as the Connect Prime clients (`_base`,
`_calls`); only the paths differ, under `/papi/v1/ramp/connect/`. `initiate_deposit` creates
a session, so a request that may or may not have arrived is not repeated (a repeat would
answer 1230309 DUPLICATE_ORDER_SUBMISSION for its `externalOrderId` anyway); the rest are
reads, and `report` is safe to repeat (the first report wins).

`AuthorizationTimeout` (a `WaitTimeout`) is what `wait_for_authorization` raises when the
session is still INIT at the deadline. `verify_deposit_status_event` reads a
`deposit_status_event` webhook with a `ConnectWebhookVerifier`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pydantic

from binance_sandbox.client._calls import AmountLike, Call, Retry, _amount
from binance_sandbox.client._connect import ConnectAsyncClient, ConnectSyncClient
from binance_sandbox.client.deposit_models import (
    CryptoNetworks,
    DepositAuthorization,
    DepositLink,
    DepositStatusEvent,
)
from binance_sandbox.client.errors import WaitTimeout, WebhookVerificationError
from binance_sandbox.client.webhooks import ConnectWebhookVerifier

T = TypeVar("T")

CONNECT_PREFIX = "/papi/v1/ramp/connect/"
# The guide's polling fallback (flow step 4): every 2-3 seconds.
DEFAULT_POLL_INTERVAL = 2.5
# The sandbox's default link lifetime: a session is final by then.
DEFAULT_WAIT_TIMEOUT = 900.0


@dataclass(frozen=True, slots=True)
class DepositCall(Call[T]):
    """A Connect call at a Connect Deposit path; `no_body` sends (and signs) an empty body."""

    no_body: bool = False

    @property
    def url(self) -> str:
        return CONNECT_PREFIX + self.path

    def body(self) -> bytes:
        return b"" if self.no_body else Call.body(self)


class AuthorizationTimeout(WaitTimeout):
    """`wait_for_authorization` ran out of time; `authorization` is the session as last seen
    (still INIT)."""

    def __init__(
        self, external_order_id: str, timeout: float, authorization: DepositAuthorization
    ) -> None:
        super().__init__(external_order_id, timeout, None)
        self.args = (f"deposit session {external_order_id} was still INIT after {timeout:g} s",)
        self.external_order_id = external_order_id
        self.authorization = authorization


class AuthorizationWait:
    """The schedule of `wait_for_authorization`: poll, then sleep `interval` until the session
    is final; one last poll at the deadline, then `AuthorizationTimeout`."""

    def __init__(
        self, external_order_id: str, timeout: float, interval: float, now_ms: int
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.external_order_id = external_order_id
        self.timeout = timeout
        self.interval = interval
        self._deadline_ms = now_ms + round(timeout * 1000)
        # Also count the sleeps, so that a clock that does not move cannot wait forever.
        self._slept = 0.0

    def next_sleep(self, last: DepositAuthorization, now_ms: int) -> float:
        remaining = min((self._deadline_ms - now_ms) / 1000, self.timeout - self._slept)
        if remaining <= 0:
            raise AuthorizationTimeout(self.external_order_id, self.timeout, last)
        delay = min(self.interval, remaining)
        self._slept += delay
        return delay


def verify_deposit_status_event(
    verifier: ConnectWebhookVerifier, body: bytes, headers: Mapping[str, str]
) -> DepositStatusEvent:
    """The `deposit_status_event` in `body`, once `verifier` has shown it comes from the
    platform. Duplicates are possible: de-duplicate by `externalOrderId` and `status`."""
    data = verifier.verify_json(body, headers)
    try:
        return DepositStatusEvent.model_validate(data)
    except pydantic.ValidationError as exc:
        raise WebhookVerificationError(f"not a deposit_status_event: {exc}") from exc


# --- the calls (docs/connect-deposit.md, "Endpoints") ---------------------------------------

_NETWORKS = pydantic.TypeAdapter(list[CryptoNetworks])


def _without_none(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def crypto_networks() -> DepositCall[list[CryptoNetworks]]:
    return DepositCall("crypto-network", {}, _NETWORKS.validate_python, no_body=True)


def initiate_deposit(
    external_order_id: str,
    user_id: str,
    crypto_currency: str,
    networks: Sequence[str],
    redirect_url: str | None,
) -> DepositCall[DepositLink]:
    if isinstance(networks, str):
        raise TypeError("networks is a sequence of network names, not one string")
    payload = _without_none(
        externalOrderId=external_order_id,
        userId=user_id,
        cryptoCurrency=crypto_currency,
        networks=list(networks),
        redirectUrl=redirect_url,
    )
    return DepositCall("deposit/initiate", payload, DepositLink.model_validate, Retry.CODES_ONLY)


def authorization(external_order_id: str) -> DepositCall[DepositAuthorization]:
    return DepositCall(
        "deposit/authorization",
        {"externalOrderId": external_order_id},
        DepositAuthorization.model_validate,
    )


def report(
    external_order_id: str,
    tx_hash: str,
    amount: AmountLike | None,
    crypto_currency: str | None,
    network: str | None,
) -> DepositCall[None]:
    payload = _without_none(
        externalOrderId=external_order_id,
        txHash=tx_hash,
        amount=None if amount is None else _amount(amount),
        cryptoCurrency=crypto_currency,
        network=network,
    )
    return DepositCall("deposit/report", payload, lambda _data: None)


class ConnectDepositClient(ConnectSyncClient):
    """Connect Deposit over `httpx.Client`; constructed like `ConnectPrimeClient`."""

    def close(self) -> None:
        self._http.close()

    def crypto_networks(self) -> list[CryptoNetworks]:
        """Coins and their networks, with deposit metadata (`crypto-network`, flow step 1)."""
        return self._send(crypto_networks())

    def initiate_deposit(
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
        return self._send(
            initiate_deposit(external_order_id, user_id, crypto_currency, networks, redirect_url)
        )

    def authorization(self, external_order_id: str) -> DepositAuthorization:
        """The session's status and, once AUTHORIZED, its addresses (`deposit/authorization`)."""
        return self._send(authorization(external_order_id))

    def wait_for_authorization(
        self,
        external_order_id: str,
        *,
        timeout: float = DEFAULT_WAIT_TIMEOUT,
        interval: float = DEFAULT_POLL_INTERVAL,
    ) -> DepositAuthorization:
        """Poll `authorization` every `interval` seconds (flow step 4: every 2-3 s) until the
        session is AUTHORIZED, REJECTED or EXPIRED; `AuthorizationTimeout` after `timeout`."""
        wait = AuthorizationWait(external_order_id, timeout, interval, self._clock())
        while True:
            found = self.authorization(external_order_id)
            if found.status.is_final:
                return found
            self._sleep(wait.next_sleep(found, self._clock()))

    def report(
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
        self._send(report(external_order_id, tx_hash, amount, crypto_currency, network))


class AsyncConnectDepositClient(ConnectAsyncClient):
    """Connect Deposit over `httpx.AsyncClient`; see `ConnectDepositClient`."""

    async def aclose(self) -> None:
        await self._http.aclose()

    async def crypto_networks(self) -> list[CryptoNetworks]:
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
        return await self._send(
            initiate_deposit(external_order_id, user_id, crypto_currency, networks, redirect_url)
        )

    async def authorization(self, external_order_id: str) -> DepositAuthorization:
        return await self._send(authorization(external_order_id))

    async def wait_for_authorization(
        self,
        external_order_id: str,
        *,
        # The deadline is read on `clock`, so that tests can move time (see
        # `AsyncConnectPrimeClient.wait_for_order`).
        timeout: float = DEFAULT_WAIT_TIMEOUT,  # noqa: ASYNC109
        interval: float = DEFAULT_POLL_INTERVAL,
    ) -> DepositAuthorization:
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
        await self._send(report(external_order_id, tx_hash, amount, crypto_currency, network))
