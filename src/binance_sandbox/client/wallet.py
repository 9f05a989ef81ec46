"""Wallet API clients (wapi v3 and sapi), sync and async, with the same methods
(spec/wallet-wapi-v3.txt, docs/wallet-api.md).

Signed requests (spec, "SIGNED (TRADE and USER_DATA) Endpoint security"): the parameters in
the order given, then `recvWindow` and `timestamp`, percent-encoded into `totalParams`;
`signature` = HMAC-SHA256(secretKey, totalParams), hex, appended last; the API key in the
`X-MBX-APIKEY` header. GETs and every wapi POST carry the parameters in the query string
("for wapi, parameters must be sent in query strings"), sapi POSTs in an
`application/x-www-form-urlencoded` body. Every try is signed afresh, with a new timestamp.

`timestamp` is `clock() + time_offset`. The server takes a timestamp at most 1000 ms ahead of
its time and at most `recvWindow` behind it; `sync_time()` measures the offset to the
server's clock once, as python-binance does when constructed, for a local clock that is off
or to sign on the sandbox clock after it was moved (the sandbox also accepts real time).

Retries: reads are tried again after a timeout or network failure, after -1000 UNKNOWN
and -1001 DISCONNECTED, and after a 429 that says how long to wait (`Retry-After`, at most
10 s), up to `max_retries` times; writes (`withdraw`, `sub_account_transfer`, `dust`) never
are: look a withdrawal up with `withdraw_history` before sending it again. A 418 (IP
banned) is never retried.
"""

from binance_sandbox.client._async.wallet import AsyncWalletClient
from binance_sandbox.client._sync.wallet import WalletClient
from binance_sandbox.client._wallet_calls import encode_params, wallet_signature

__all__ = ["AsyncWalletClient", "WalletClient", "encode_params", "wallet_signature"]
