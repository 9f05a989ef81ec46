"""The I/O-free half of the Connect Deposit clients: what each call sends and how its answer
is read, at its path under `/papi/v1/ramp/connect/`, and the schedule of
`wait_for_authorization`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pydantic

from binance_sandbox.client._calls import AmountLike, Call, Retry, _amount
from binance_sandbox.client.deposit_models import (
    CryptoNetworks,
    DepositAuthorization,
    DepositLink,
)
from binance_sandbox.client.errors import WaitTimeout

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
