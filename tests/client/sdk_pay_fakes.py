"""The edge the Binance Pay SDK tests stand on.

The platform is replaced at the HTTP edge only (`httpx.MockTransport`): `FakePay` checks each
request's HMAC-SHA512 signature the way docs/binance-pay.md says the server does — computed
here independently of the SDK — records it, and answers from a script. The samples are the
contract's, byte for byte where it shows bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sdk_connect_fakes import FakeClock, FakeSleep

from binance_sandbox import wire
from binance_sandbox.client import AsyncPayClient, PayClient

BASE_URL = "https://pay.sandbox.test"
API_KEY = "k6thqcjxm5a3wzsdhzu0n4cyvbj1w7mm"
API_SECRET = "s3cr3t-of-the-merchant"
PREFIX = "/binancepay/openapi/"


def expected_signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The contract's signature, computed without the SDK."""
    payload = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"
    return hmac.new(secret.encode(), payload, hashlib.sha512).hexdigest().upper()


@dataclass
class Nonces:
    """Deterministic nonces: 32 letters or digits, a new one for every call."""

    issued: list[str] = field(default_factory=list)

    def __call__(self) -> str:
        nonce = f"n{len(self.issued):031d}"
        self.issued.append(nonce)
        return nonce


@dataclass(frozen=True)
class Received:
    path: str
    content: bytes
    headers: httpx.Headers
    signature_ok: bool

    @property
    def json(self) -> Any:
        return wire.loads(self.content)


Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def envelope(data: Any = None, *, code: str = "000000", message: str = "") -> bytes:
    status = "SUCCESS" if code == "000000" else "FAIL"
    return json.dumps(
        {"status": status, "code": code, "data": data, "errorMessage": message}
    ).encode()


def ok(data: Any) -> httpx.Response:
    return httpx.Response(200, content=envelope(data))


def ok_raw(data_json: str) -> httpx.Response:
    """A success envelope around `data` written exactly as given (numbers as the docs show)."""
    text = '{"status": "SUCCESS", "code": "000000", "errorMessage": "", "data": ' + data_json + "}"
    return httpx.Response(200, content=text.encode())


def fail(
    code: str, message: str = "failed", *, status: int = 200, data: Any = None
) -> httpx.Response:
    return httpx.Response(status, content=envelope(data, code=code, message=message))


class FakePay:
    """The Binance Pay platform as seen from the wire."""

    def __init__(self, secret: str = API_SECRET) -> None:
        self._secret = secret
        self._script: dict[str, list[Answer]] = {}
        self.received: list[Received] = []

    def script(self, path: str, *answers: Answer) -> None:
        """Answer the next requests to `path` with `answers` in turn; the last one repeats."""
        self._script[path] = list(answers)

    def paths(self) -> list[str]:
        return [request.path for request in self.received]

    def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert request.url.path.startswith(PREFIX), request.url.path
        path = request.url.path.removeprefix(PREFIX)
        content = request.read()
        signature_ok = hmac.compare_digest(
            expected_signature(
                self._secret,
                request.headers.get("BinancePay-Timestamp", ""),
                request.headers.get("BinancePay-Nonce", ""),
                content,
            ),
            request.headers.get("BinancePay-Signature", ""),
        )
        self.received.append(Received(path, content, request.headers, signature_ok))
        answers = self._script.get(path)
        if not answers:
            return httpx.Response(404, text="no script for " + path)
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return httpx.Response(
                answer.status_code, content=answer.content, headers=answer.headers
            )
        return answer(request)


def make_client(pay: FakePay, clock: FakeClock, sleep: FakeSleep, **options: Any) -> PayClient:
    options.setdefault("nonce", Nonces())
    return PayClient(
        BASE_URL,
        API_KEY,
        API_SECRET,
        transport=httpx.MockTransport(pay.handle),
        clock=clock,
        sleep=sleep,
        **options,
    )


def make_async_client(
    pay: FakePay, clock: FakeClock, sleep: FakeSleep, **options: Any
) -> AsyncPayClient:
    options.setdefault("nonce", Nonces())
    return AsyncPayClient(
        BASE_URL,
        API_KEY,
        API_SECRET,
        transport=httpx.MockTransport(pay.handle),
        clock=clock,
        sleep=sleep.asleep,
        **options,
    )


# --- the contract's samples (docs/binance-pay.md, "Endpoints") ------------------------------

ORDER_CREATED = """{
  "prepayId": "383729303729303042", "terminalType": "APP", "expireTime": 1700003600000,
  "qrcodeLink": "https://sandbox.example/pay/qr/383729303729303042.png",
  "qrContent": "https://sandbox.example/pay/checkout/383729303729303042",
  "checkoutUrl": "https://sandbox.example/pay/checkout/383729303729303042",
  "deeplink": "bnc://app.binance.com/payment/secpay?tempToken=383729303729303042",
  "universalUrl": "https://sandbox.example/pay/checkout/383729303729303042",
  "currency": "USDT", "totalFee": "25.17"}"""

ORDER = """{
  "merchantId": 98765432, "prepayId": "383729303729303042", "transactionId": "M_P_71505104267788288",
  "merchantTradeNo": "9825382937292", "status": "PAID", "orderStatus": "PAID", "currency": "USDT",
  "orderAmount": "25.17", "totalFee": "25.17", "openUserId": "1e9e2e3c0a4b4f2a9d4d2c1b0a9f8e7d",
  "passThroughInfo": null, "commission": "0", "transactTime": 1700000123000, "createTime": 1700000000000,
  "paymentInfo": {"payMethod": "FUNDING", "paymentInstructions": [{"currency": "USDT", "amount": 25.17, "price": 1}]},
  "payerInfo": null}"""

REFUND_RESULT = """{
  "refundRequestId": "68711039982968832", "prepayId": "383729303729303042", "orderAmount": "25.17",
  "refundedAmount": "5", "refundAmount": "5", "remainingAttempts": 9,
  "payerOpenId": "dde730c2e0ea1f1780cf26343b98fd3b", "duplicateRequest": false}"""

REFUND = """{"refundRequestId": "68711039982968832", "prepayId": "383729303729303042", "orderAmount": "25.17",
 "refundedAmount": "5", "refundAmount": "5", "refundedCommission": "0", "refundCommission": "0",
 "remainingAttempts": 9, "payerOpenId": "dde730c2e0ea1f1780cf26343b98fd3b", "refundStatus": "REFUND_SUCCESS"}"""

PAYOUT_BATCH = """{"requestId": "samplerequest1234", "batchStatus": "PART_SUCCESS", "merchantId": 98765432,
 "currency": "USDT", "totalAmount": 200.4, "totalPaidAmount": 110.3, "totalPayoutFee": 0,
 "totalNumber": 2, "transferDetailList": [
  {"orderId": 118073402258677760, "merchantSendId": "22231313131", "payerId": 98765432,
   "amount": "110.3", "receiveType": "PAY_ID", "receiver": "354205155", "payeeId": 354205155,
   "transferMethod": "SPOT_WALLET", "status": "SUCCESS", "remark": "test1"},
  {"orderId": 118073402258677761, "merchantSendId": "21231313132", "payerId": 98765432,
   "amount": "90.1", "receiveType": "EMAIL", "receiver": "a@example.com", "payeeId": null,
   "transferMethod": "FUNDING_WALLET", "status": "AWAITING_RECEIPT", "remark": null}]}"""

BALANCE = """{"balance": 990000, "asset": "USDT", "fiat": "USD", "availableFiatValuation": 989991.905166, "availableBtcValuation": 22.9878}"""

BALANCE_V2 = """{"balance": [{"asset": "USDT", "available": 1250.5, "freeze": 0, "availableFiatValuation": 1250.4,
  "availableBtcValuation": 0.01291}], "wallet": "FUNDING_WALLET", "updateTime": "1700000000000", "fiat": "USD"}"""

WALLET_TRANSFER = """{"tranId": "100002021071407140001", "status": "SUCCESS", "currency": "BNB", "amount": "0.01", "transferType": "TO_MAIN"}"""

WALLET_TRANSFER_QUERY = """{"tranId": "100002021071407140001", "status": "SUCCESS"}"""

SUB_MERCHANT = """{"subMerchantId": 2107268400000001}"""
