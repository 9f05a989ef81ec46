"""Calls to the partner's merchant-side APIs (guide §9; contract in docs/connect-prime.md).

Each call carries `Authorization: Bearer <merchantApiToken>` when one is configured and the
`X-BN-Connect-*` signature headers, and is idempotent on its id, so a retry is safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from binance_sandbox import wire
from binance_sandbox.delivery.worker import Attempt, JobContext
from binance_sandbox.signing.keys import PlatformKeys
from binance_sandbox.storage.models import Partner

NO_MERCHANT_API = "no merchantApiBaseUrl configured"


@dataclass
class MerchantAnswer:
    data: dict[str, Any] | None
    problem: str | None  # why there is no usable answer


async def call(
    ctx: JobContext, keys: PlatformKeys, partner: Partner, path: str, body: dict[str, Any]
) -> MerchantAnswer:
    text = wire.dumps(body)
    # The sandbox's outbound hook (its fault rules) may answer in the partner's place; what it
    # answered is recorded as the attempt.
    fault = (
        None if ctx.outbound is None else await ctx.outbound.merchant_call(partner.client_id, path)
    )
    if fault is not None:
        ctx.attempts.append(
            Attempt(
                url=path,
                request_headers=None,
                request_body=text,
                status_code=fault.status_code,
                response_body=fault.response_body,
                error=fault.error,
            )
        )
        return MerchantAnswer(fault.data, fault.problem)
    if not partner.merchant_api_base_url:
        return MerchantAnswer(None, NO_MERCHANT_API)
    url = partner.merchant_api_base_url.rstrip("/") + path
    headers = {"Content-Type": "application/json"}
    if partner.merchant_api_token:
        headers["Authorization"] = f"Bearer {partner.merchant_api_token}"
    headers.update(await keys.headers(partner.client_id, text, ctx.now))
    response, attempt = await ctx.post(url, text, headers)
    if response is None:
        return MerchantAnswer(None, attempt.error)
    if response.status_code != 200:
        return MerchantAnswer(None, f"HTTP {response.status_code}")
    try:
        envelope = wire.loads(response.content)
    except ValueError:
        return MerchantAnswer(None, "answer is not JSON")
    if not isinstance(envelope, dict) or envelope.get("success") is not True:
        message = envelope.get("message") if isinstance(envelope, dict) else None
        return MerchantAnswer(None, f"answer not successful: {message or envelope!r}"[:300])
    data = envelope.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("status"), str):
        return MerchantAnswer(None, "answer has no data.status")
    return MerchantAnswer(data, None)
