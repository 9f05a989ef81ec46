"""What the Connect clients (Prime, Deposit) share: how they are built. Credentials
positional, everything else keyword-only; each family's client adds its own methods."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from binance_sandbox.client._async.base import AsyncClient
from binance_sandbox.client._calls import RequestSigner

DEFAULT_TIMEOUT = 15.0  # guide §13: 10–15 s
DEFAULT_MAX_RETRIES = 3


class AsyncConnectClient(AsyncClient):
    def __init__(
        self,
        base_url: str,
        client_id: str,
        access_token: str,
        private_key: rsa.RSAPrivateKey | str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], int] | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> None:
        super().__init__(
            RequestSigner(client_id, access_token, private_key),
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            transport=transport,
            clock=clock,
            sleep=sleep,
        )
