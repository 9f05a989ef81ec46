"""The transport every client shares: sign a call, send it, read its answer, and try it again
when the call says so. The retry loop is written here once; the family's calls
(`_request.SignedCall`) hold every rule of their family.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from binance_sandbox.client._request import SignedCall, now_ms
from binance_sandbox.client.errors import BinanceSandboxError, TransportError

T = TypeVar("T")


class AsyncClient:
    """A family's client over `httpx.AsyncClient`. `clock` returns epoch milliseconds and
    `sleep` waits seconds; both are there to be replaced in tests."""

    def __init__(
        self,
        signer: Any,
        base_url: str,
        *,
        timeout: float,
        max_retries: int,
        transport: httpx.AsyncBaseTransport | None,
        clock: Callable[[], int] | None,
        sleep: Callable[[float], Awaitable[object]] | None,
    ) -> None:
        self._signer = signer
        self._max_retries = max_retries
        self._clock = clock or now_ms
        self._sleep = sleep or asyncio.sleep
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        """Close the client's connections."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def _timestamp(self) -> int:
        """The timestamp a try is signed at, epoch milliseconds."""
        return self._clock()

    def _seen(self, response: httpx.Response) -> None:
        """Every answer, before it is read (the Wallet client keeps its used weight)."""

    async def _send(self, call: SignedCall[T]) -> T:
        retries = 0
        while True:
            # Every try is signed afresh: a timestamp (and Pay's nonce) is valid once.
            request = call.prepare(self._signer, self._timestamp())
            error: BinanceSandboxError
            try:
                response = await self._http.request(
                    request.method, request.url, content=request.body, headers=request.headers
                )
            except httpx.TransportError as exc:
                error = TransportError.wrap(exc)
            else:
                self._seen(response)
                try:
                    return call.result(response)
                except BinanceSandboxError as exc:
                    error = exc
            delay = call.retry_delay(error, retries, self._max_retries)
            if delay is None:
                raise error
            await self._sleep(delay)
            retries += 1
