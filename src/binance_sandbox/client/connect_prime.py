"""Connect Prime clients, sync and async, with the same methods (docs/connect-prime.md).

`AsyncConnectPrimeClient` is the source; `ConnectPrimeClient` is generated from it
(`scripts/unasync.py`).

Every request is a signed `POST` (guide §3, §4): the body is compact JSON with amounts as exact
JSON numbers, and the signature covers exactly the bytes sent, followed by the timestamp.

Retries (guide §11) re-sign with a fresh timestamp each time:
- `SYS_ERROR` (1230101) and `QUOTE_CACHE_FAILED` (1230308): exponential backoff, 0.5 s, 1 s,
  2 s, …, at most `max_retries` times;
- `SYS_BUSY` (1230102): after 1 s, then 2 s;
- timeouts and network failures: as above, for reads only (not `quote`, which creates one);
- `execute_quote`: never, whatever the failure. When it raises `ConnectError` 1230101 or
  `TransportError`, the order may exist: look it up with
  `transaction(client_order_id=...)` before executing a new quote with a new clientOrderId.
"""

from binance_sandbox.client._async.connect_prime import AsyncConnectPrimeClient
from binance_sandbox.client._sync.connect_prime import ConnectPrimeClient

__all__ = ["AsyncConnectPrimeClient", "ConnectPrimeClient"]
