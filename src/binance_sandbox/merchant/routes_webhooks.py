"""The webhook receiver (guide §8). It answers in the webhook's own format, not the envelope:
HTTP 200 `{"returnCode": "SUCCESS", "returnMessage": "OK"}` once the event is stored; anything
else makes the platform deliver it again."""

from __future__ import annotations

from fastapi import APIRouter, Request

from binance_sandbox import wire
from binance_sandbox.merchant import auth, webhooks
from binance_sandbox.merchant.envelope import WireJSONResponse
from binance_sandbox.merchant.errors import MerchantError
from binance_sandbox.merchant.routes_callbacks import context_of

router = APIRouter(tags=["webhooks"])


def _answer(status_code: int, return_code: str, message: str) -> WireJSONResponse:
    return WireJSONResponse(
        {"returnCode": return_code, "returnMessage": message}, status_code=status_code
    )


@router.post("/webhooks/binance-connect")
async def binance_connect_webhook(request: Request) -> WireJSONResponse:
    ctx = context_of(request)
    raw = await request.body()
    try:
        auth.check_webhook_signature(ctx, request.headers, raw)
    except MerchantError:
        return _answer(401, "FAIL", "invalid signature")
    try:
        body = raw.decode()
        identity = webhooks.identify(wire.loads(body))
    except ValueError as exc:  # not UTF-8 JSON, or no event identity in it
        reason = str(exc) if isinstance(exc, webhooks.InvalidWebhook) else "body is not JSON"
        return _answer(400, "FAIL", reason)
    await webhooks.record(ctx, identity, body)
    return _answer(200, "SUCCESS", "OK")
