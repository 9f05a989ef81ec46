"""Helpers for Binance Pay tests: hand-signed requests, merchants, a webhook receiver."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from binance_sandbox import wire
from binance_sandbox.signing import load_public_key
from sandbox_harness import ServerThread

BASE = "/binancepay/openapi"


def pay_sign(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    payload = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"
    return hmac.new(secret.encode(), payload, hashlib.sha512).hexdigest().upper()


@dataclass
class PayMerchant:
    merchant_id: str
    api_key: str
    api_secret: str
    raw: dict[str, Any]


@dataclass
class PaySigned:
    """Hand-made Pay requests, for the cases a client library would never send."""

    http: httpx.Client
    merchant: PayMerchant

    def headers(self, body: bytes, **override: str) -> dict[str, str]:
        ts = override.pop("timestamp", str(int(time.time() * 1000)))
        nonce = override.pop("nonce", secrets.token_hex(16))
        headers = {
            "Content-Type": "application/json",
            "BinancePay-Timestamp": ts,
            "BinancePay-Nonce": nonce,
            "BinancePay-Certificate-SN": self.merchant.api_key,
            "BinancePay-Signature": pay_sign(self.merchant.api_secret, ts, nonce, body),
        }
        headers.update(override)
        return headers

    def post(
        self, path: str, payload: Any = None, *, raw: bytes | None = None, **override: str
    ) -> httpx.Response:
        body = (
            raw if raw is not None else wire.dumps(payload if payload is not None else {}).encode()
        )
        return self.http.post(BASE + path, content=body, headers=self.headers(body, **override))

    def ok(self, path: str, payload: Any = None) -> Any:
        body = envelope(self.post(path, payload))
        assert body["status"] == "SUCCESS" and body["code"] == "000000", body
        return body["data"]

    def fail(self, path: str, payload: Any, code: str) -> str:
        """The failure's detail: its `errorMessage` after the result-code table's text."""
        body = envelope(self.post(path, payload))
        assert (body["status"], body["code"]) == ("FAIL", code), body
        return detail_of(code, str(body["errorMessage"]))


# pay-create-order-v2.txt, "Result Code": the errorMessage of each of these codes begins with
# this text, copied from the spec rather than from the code under test.
RESULT_CODE_TEXT = {
    "400000": "An unknown error occurred while processing the request.",
    "400001": "Parameter format is wrong or parameter transferring doesn't follow the rules.",
    "400002": "Incorrect signature result",
    "400003": "Timestamp for this request is outside of the time window.",
    "400004": "API identity key not found or invalid.",
    "400005": "API identity key format invalid.",
    "400006": "Request method not supported.",
    "400007": "Media type not supported.",
    "400008": "Request body is not a valid json object.",
    "400100": "A parameter was missing/empty/null, or malformed.",
    "400101": "A parameter was not valid, was empty/null, or too long/short, or wrong format.",
    "400102": "A parameter was not valid, the value is out of range.",
    "400103": "A parameter was not valid, contains illegal characters",
    "400104": "Invalid request, content length too large",
    "400201": "merchantTradeNo is invalid or duplicated",
    "400203": "Not support for this account, please check account status.",
    "400206": "The sub merchant does not exist or is in an unavailable state.",
}


def detail_of(code: str, message: str) -> str:
    """`message` after the table's text for `code` and a space, checking that it begins with
    that text; the whole message when no detail follows or the table lacks the code."""
    text = RESULT_CODE_TEXT.get(code)
    if text is None:
        return message
    assert message.startswith(text), (code, message)
    rest = message[len(text) :]
    return rest[1:] if rest.startswith(" ") and rest.strip() else message


def envelope(response: httpx.Response) -> dict[str, Any]:
    body = wire.loads(response.content)
    assert set(body) == {"status", "code", "data", "errorMessage"}, body
    return dict(body)


def create_merchant(sandbox: Any, **fields: Any) -> PayMerchant:
    r = sandbox.admin.post(
        "/sandbox/v1/merchants", json={"name": fields.pop("name", "Test Shop"), **fields}
    )
    assert r.status_code == 201, r.text
    data = r.json()
    return PayMerchant(data["merchantId"], data["apiKey"], data["apiSecret"], data)


def order_body(trade_no: str, amount: str = "25.17", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "env": {"terminalType": "APP"},
        "merchantTradeNo": trade_no,
        "orderAmount": amount,
        "currency": "USDT",
        "goods": {
            "goodsType": "01",
            "goodsCategory": "D000",
            "referenceGoodsId": "7876763A3B",
            "goodsName": "Ice Cream",
        },
    }
    body.update(extra)
    return body


def trade_no() -> str:
    return secrets.token_hex(12)


@dataclass
class PayReceiver:
    """A merchant's webhook endpoint: verifies the platform's RSA signature with the key from
    `certificates`, records each webhook, answers SUCCESS (or fails while `failing`)."""

    cert_public: str | None = None
    cert_serial: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    failing: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ServerThread | None = None

    def start(self) -> PayReceiver:
        async def receive(request: Request) -> JSONResponse:
            body = await request.body()
            if self.cert_public is not None:
                key = load_public_key(self.cert_public)
                h = request.headers
                assert h["BinancePay-Certificate-SN"] == self.cert_serial
                payload = (
                    h["BinancePay-Timestamp"].encode()
                    + b"\n"
                    + h["BinancePay-Nonce"].encode()
                    + b"\n"
                    + body
                    + b"\n"
                )
                key.verify(
                    base64.b64decode(h["BinancePay-Signature"]),
                    payload,
                    padding.PKCS1v15(),
                    hashes.SHA256(),
                )
            if self.failing:
                return JSONResponse(
                    {"returnCode": "FAIL", "returnMessage": "down"}, status_code=503
                )
            event = wire.loads(body)
            event["data"] = wire.loads(event["data"])
            event["path"] = request.url.path
            with self.lock:
                self.events.append(event)
            return JSONResponse({"returnCode": "SUCCESS", "returnMessage": None})

        self.server = ServerThread(
            Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])])
        ).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url

    def find(
        self, biz_type: str, biz_status: str, biz_id: str | None = None
    ) -> list[dict[str, Any]]:
        with self.lock:
            return [
                e
                for e in self.events
                if e["bizType"] == biz_type
                and e["bizStatus"] == biz_status
                and (biz_id is None or e["bizIdStr"] == biz_id)
            ]

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
