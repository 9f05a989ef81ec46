"""What a call is to the transport (`_async.base`, `_sync.base`): how one try of it is signed
into a request, how its answer is read, and when it may be tried again.

Each family brings its own calls (`_calls.Call`, `_pay_calls.PayCall`,
`_wallet_calls.WalletCall`) and its own signer, so the transport holds no rule of any family.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import httpx
import pydantic

from binance_sandbox.client import _json
from binance_sandbox.client.errors import BinanceSandboxError, UnexpectedResponse

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """The exact request of one try; `body` None sends none."""

    method: str
    url: str
    body: bytes | None
    headers: dict[str, str]


class SignedCall(Protocol[T_co]):
    """One endpoint's request and how its answer is read."""

    def prepare(self, signer: Any, timestamp_ms: int) -> PreparedRequest:
        """The request of one try, signed by the family's `signer` at `timestamp_ms`."""
        ...

    def result(self, response: httpx.Response) -> T_co: ...

    def retry_delay(
        self, error: BinanceSandboxError, retries_done: int, max_retries: int
    ) -> float | None:
        """Seconds to wait before trying again after `error`, or None to give up."""
        ...


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def read_data(
    response: httpx.Response,
    error_from_response: Callable[[httpx.Response], BinanceSandboxError | None],
    path: str,
    parse: Callable[[Any], T],
) -> T:
    """The envelope's `data` read by `parse`; the family's error when the answer is not a
    success, `UnexpectedResponse` when `data` has not the documented shape."""
    error = error_from_response(response)
    if error is not None:
        raise error
    body = _json.loads(response.content)
    try:
        return parse(body.get("data"))
    except (pydantic.ValidationError, TypeError, KeyError) as exc:
        raise UnexpectedResponse(
            f"data of {path} has an unexpected shape: {exc}",
            http_status=response.status_code,
            body=body,
        ) from exc
