"""What the Connect Prime and Binance Pay clients share: the HTTP session, the signed round
trip with its retries, reading `data` out of a success envelope, and closing.

Each family brings its own signer and its own calls (`_calls.Call`, `pay.PayCall`); a call
knows its URL, its exact body, how its answer is read and when it may be tried again, so
`SyncClient` and `AsyncClient` hold no rule of either family.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

import httpx
import pydantic

from binance_sandbox import jsonwire
from binance_sandbox.client.errors import BinanceSandboxError, TransportError, UnexpectedResponse

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Signer(Protocol):
    """`_calls.RequestSigner` (RSA, Connect) or `pay.RequestSigner` (HMAC, Pay)."""

    def headers(self, body: bytes, timestamp_ms: int) -> dict[str, str]:
        """The headers of one try of a request with this body, signed at `timestamp_ms`."""
        ...


class SignedCall(Protocol[T_co]):
    """One endpoint's request and how its answer is read: `_calls.Call` or `pay.PayCall`."""

    @property
    def url(self) -> str: ...

    def body(self) -> bytes: ...

    def result(self, response: httpx.Response) -> T_co: ...

    def retry_delay(
        self, error: BinanceSandboxError, retries_done: int, max_retries: int
    ) -> float | None: ...


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
    body = jsonwire.loads(response.content)
    try:
        return parse(body.get("data"))
    except (pydantic.ValidationError, TypeError, KeyError) as exc:
        raise UnexpectedResponse(
            f"data of {path} has an unexpected shape: {exc}",
            http_status=response.status_code,
            body=body,
        ) from exc


class SyncClient(ABC):
    """A family's client over `httpx.Client`. `clock` returns epoch milliseconds and `sleep`
    waits seconds; both are there to be replaced in tests."""

    def __init__(
        self,
        signer: Signer,
        base_url: str,
        *,
        timeout: float,
        max_retries: int,
        transport: httpx.BaseTransport | None,
        clock: Callable[[], int] | None,
        sleep: Callable[[float], None] | None,
    ) -> None:
        self._signer = signer
        self._max_retries = max_retries
        self._clock = clock or now_ms
        self._sleep = sleep or time.sleep
        self._http = httpx.Client(base_url=base_url, timeout=timeout, transport=transport)

    # Each client defines `close` itself: it is part of the family's public surface.
    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _send(self, call: SignedCall[T]) -> T:
        body = call.body()
        retries = 0
        while True:
            headers = self._signer.headers(body, self._clock())
            error: BinanceSandboxError
            try:
                response = self._http.post(call.url, content=body, headers=headers)
            except httpx.TransportError as exc:
                error = TransportError.wrap(exc)
            else:
                try:
                    return call.result(response)
                except BinanceSandboxError as exc:
                    error = exc
            delay = call.retry_delay(error, retries, self._max_retries)
            if delay is None:
                raise error
            self._sleep(delay)
            retries += 1


class AsyncClient(ABC):
    """`SyncClient` over `httpx.AsyncClient`: `sleep` is awaited, `aclose` closes."""

    def __init__(
        self,
        signer: Signer,
        base_url: str,
        *,
        timeout: float,
        max_retries: int,
        transport: httpx.AsyncBaseTransport | None,
        clock: Callable[[], int] | None,
        sleep: Callable[[float], Awaitable[Any]] | None,
    ) -> None:
        self._signer = signer
        self._max_retries = max_retries
        self._clock = clock or now_ms
        self._sleep = sleep or asyncio.sleep
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)

    # Each client defines `aclose` itself: it is part of the family's public surface.
    @abstractmethod
    async def aclose(self) -> None: ...

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _send(self, call: SignedCall[T]) -> T:
        body = call.body()
        retries = 0
        while True:
            headers = self._signer.headers(body, self._clock())
            error: BinanceSandboxError
            try:
                response = await self._http.post(call.url, content=body, headers=headers)
            except httpx.TransportError as exc:
                error = TransportError.wrap(exc)
            else:
                try:
                    return call.result(response)
                except BinanceSandboxError as exc:
                    error = exc
            delay = call.retry_delay(error, retries, self._max_retries)
            if delay is None:
                raise error
            await self._sleep(delay)
            retries += 1
