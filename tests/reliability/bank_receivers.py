"""The partner's and the merchant's side, in the test process on loopback: the Connect
partner's webhook URL and its merchant-side API (Check Transaction, Refund, Transfer and
their queries), and the Pay merchant's webhook URL. Every delivery is verified (signature,
and the bearer token on merchant-side calls) and recorded; a small, seeded share of webhooks
is answered 503 so that the platform has to deliver again."""

from __future__ import annotations

import hashlib
import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from binance_sandbox.client import (
    ConnectWebhookVerifier,
    PayWebhookVerifier,
    WebhookVerificationError,
)
from binance_sandbox.serving import BackgroundServer

MERCHANT_TOKEN = "bank-merchant-api-token"
FLAKY_SHARE = 0.05


def check_answer(seed: int, client_order_id: str) -> tuple[str, int]:
    """What the partner's bank says about a buy's fiat: (final status, PENDING answers
    before it). Fixed by the seed and the clientOrderId, so a run can be replayed."""
    digest = hashlib.sha256(f"{seed}:{client_order_id}".encode()).digest()
    roll = digest[0] % 100
    if roll < 8:
        return "FAILED", 0
    if roll < 25:
        return "COMPLETED", 1 + digest[1] % 3
    return "COMPLETED", 0


@dataclass
class Received:
    """What arrived, under `lock`: counts per event, and every delivery that did not verify."""

    prime: Counter[tuple[str, str]] = field(default_factory=Counter)  # (orderId, status)
    pay: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (type, id, status)
    pay_refunds: Counter[tuple[str, str]] = field(default_factory=Counter)  # (requestId, status)
    # What the acknowledged webhooks said the amounts were: orderId → (fiat, crypto) for
    # Connect Prime, prepayId → totalFee for Pay.
    prime_amounts: dict[str, set[tuple[Decimal, Decimal]]] = field(default_factory=dict)
    pay_amounts: dict[str, set[Decimal]] = field(default_factory=dict)
    merchant_calls: Counter[str] = field(default_factory=Counter)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)  # refundId → request
    transfers: dict[str, dict[str, Any]] = field(default_factory=dict)  # transferId → request
    invalid: list[str] = field(default_factory=list)
    answered_503: int = 0
    deliveries: int = 0


class Receivers:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.lock = threading.Lock()
        self.got = Received()
        self.prime_verifier: ConnectWebhookVerifier | None = None
        self.pay_verifier: PayWebhookVerifier | None = None
        self._rng = random.Random(seed * 7 + 1)
        self._polls: Counter[str] = Counter()
        self.server = BackgroundServer(
            Starlette(
                routes=[
                    Route("/prime/webhook", self._prime_webhook, methods=["POST"]),
                    Route("/prime/merchant/{path:path}", self._merchant_api, methods=["POST"]),
                    Route("/pay/webhook", self._pay_webhook, methods=["POST"]),
                ]
            )
        )

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> Receivers:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    @staticmethod
    async def _body(request: Request) -> bytes | None:
        """The raw body, or None when the sender died while sending it (a killed worker)."""
        try:
            return await request.body()
        except ClientDisconnect:
            return None

    def _flaky(self) -> bool:
        with self.lock:
            self.got.deliveries += 1
            if self._rng.random() < FLAKY_SHARE:
                self.got.answered_503 += 1
                return True
            return False

    def _invalid(self, what: str, exc: Exception) -> JSONResponse:
        with self.lock:
            self.got.invalid.append(f"{what}: {exc}")
        return JSONResponse({"returnCode": "FAIL", "returnMessage": str(exc)}, status_code=400)

    async def _prime_webhook(self, request: Request) -> Response:
        body = await self._body(request)
        if body is None:
            return Response(status_code=400)
        assert self.prime_verifier is not None
        try:
            event = self.prime_verifier.verify(body, dict(request.headers))
        except WebhookVerificationError as exc:
            return self._invalid("prime_order_event", exc)
        if self._flaky():
            return JSONResponse({"returnCode": "FAIL"}, status_code=503)
        with self.lock:
            self.got.prime[(event.order_id, str(event.status))] += 1
            amounts = (Decimal(event.fiat_amount), Decimal(event.crypto_amount))
            self.got.prime_amounts.setdefault(event.order_id, set()).add(amounts)
        return JSONResponse({"returnCode": "SUCCESS", "returnMessage": "OK"})

    async def _pay_webhook(self, request: Request) -> Response:
        body = await self._body(request)
        if body is None:
            return Response(status_code=400)
        assert self.pay_verifier is not None
        try:
            event = self.pay_verifier.verify(body, dict(request.headers))
        except WebhookVerificationError as exc:
            return self._invalid("Pay webhook", exc)
        if self._flaky():
            return JSONResponse({"returnCode": "FAIL"}, status_code=503)
        biz_type = str(event.biz_type)
        with self.lock:
            self.got.pay[(biz_type, event.biz_id_str, event.biz_status)] += 1
            if biz_type == "PAY":
                fee = Decimal(getattr(event.data, "total_fee", 0))
                self.got.pay_amounts.setdefault(event.biz_id_str, set()).add(fee)
            refund_info = getattr(event.data, "refund_info", None)
            if refund_info is not None:
                self.got.pay_refunds[(refund_info.refund_request_id, event.biz_status)] += 1
        return JSONResponse({"returnCode": "SUCCESS", "returnMessage": None})

    async def _merchant_api(self, request: Request) -> Response:
        """guide §9 as docs/connect-prime.md settles it; idempotent on every id."""
        body = await self._body(request)
        if body is None:
            return Response(status_code=400)
        path = request.path_params["path"]
        assert self.prime_verifier is not None
        try:
            if request.headers.get("authorization") != f"Bearer {MERCHANT_TOKEN}":
                raise WebhookVerificationError("wrong or missing merchant API token")
            payload = self.prime_verifier.verify_json(body, dict(request.headers))
            if not isinstance(payload, dict):
                raise WebhookVerificationError("body is not a JSON object")
        except WebhookVerificationError as exc:
            return self._invalid(f"merchant call /{path}", exc)
        if self._flaky():
            return JSONResponse({"success": False, "message": "unavailable"}, status_code=503)
        with self.lock:
            self.got.merchant_calls[path] += 1
            data = self._merchant_answer(path, payload)
        if data is None:
            return JSONResponse(
                {"success": False, "code": "404", "data": None, "message": f"unknown {path}"}
            )
        return JSONResponse({"success": True, "code": "000000", "data": data, "message": None})

    def _merchant_answer(self, path: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        if path == "check-transaction":
            order_id = str(payload["orderId"])
            final, pending = check_answer(self.seed, str(payload["clientOrderId"]))
            self._polls[order_id] += 1
            status = "PENDING" if self._polls[order_id] <= pending else final
            return {"transactionId": f"TX-{order_id}", "status": status}
        for kind, store in (("refund", self.got.refunds), ("transfer", self.got.transfers)):
            id_field = f"{kind}Id"
            if path in (kind, f"{kind}/query"):
                step_id = str(payload[id_field])
                if path == kind:
                    store.setdefault(step_id, payload)
                if step_id not in store:
                    return None
                return {
                    id_field: step_id,
                    f"{kind}Reference": f"REF-{step_id}",
                    "status": "SUCCESS",
                }
        return None
