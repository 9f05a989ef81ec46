"""Binance Pay merchant clients, sync and async, with the same methods (docs/binance-pay.md).

Every request is a `POST` of a JSON object under `/binancepay/openapi/`, signed with
HMAC-SHA512 over `timestamp + "\\n" + nonce + "\\n" + body + "\\n"` ("Request authentication"):
the body is compact JSON with amounts as exact JSON numbers, and the signature covers exactly
the bytes sent. Each try is signed afresh, with a new timestamp and nonce (a nonce is
refused when replayed).

Retries:
- reads (`query_order`, `query_refund`, `query_payout`, `balance`, `balance_v2`,
  `query_wallet_transfer`, `certificates`) are tried again after a timeout or network failure
  and after 400000 UNKNOWN_ERROR ("try again later"), up to `max_retries` (2) times, after
  0.5 s then 1 s;
- writes (`create_order*`, `close_order`, `refund`, `payout`, `wallet_transfer`,
  `add_sub_merchant`) never are: a request that got no clear answer may have taken effect.
  They are idempotent only by their own ids, so retry them yourself with the same id —
  the same `merchantTradeNo` (a repeat of a created order answers 400201: look it up with
  `query_order(merchant_trade_no=...)`), `refundRequestId` (answers the first result again,
  `duplicate_request` true), payout `requestId` or transfer `requestId` — or query by it first.
"""

from binance_sandbox.client._async.pay import AsyncPayClient
from binance_sandbox.client._pay_calls import RequestSigner, pay_signature
from binance_sandbox.client._sync.pay import PayClient

__all__ = ["AsyncPayClient", "PayClient", "RequestSigner", "pay_signature"]
