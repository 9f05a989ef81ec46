"""Authenticating the platform's calls.

Callback calls carry both a bearer token and the X-BN-Connect-* signature (docs/connect-prime.md,
"Merchant-side APIs the platform calls"); webhooks carry the signature only (guide §8). The
signature is Base64 SHA256withRSA over the raw body followed by X-BN-Connect-Timestamp.

The timestamp is not checked against the kit's clock: the sandbox's clock can be moved, so its
timestamps need not be near real time. Replays are harmless anyway — every call is idempotent
and webhooks are de-duplicated.
"""

from __future__ import annotations

import hmac
import logging

from starlette.datastructures import Headers

from binance_sandbox.merchant.context import MerchantContext
from binance_sandbox.merchant.errors import InvalidBearerToken, InvalidClientId, InvalidSignature
from binance_sandbox.signing.connect import verify_connect

SIGNATURE = "X-BN-Connect-Signature"
TIMESTAMP = "X-BN-Connect-Timestamp"
CLIENT_ID = "X-BN-Connect-For"

log = logging.getLogger(__name__)


def check_bearer(ctx: MerchantContext, headers: Headers) -> None:
    expected = ctx.settings.api_token
    if expected is None:
        return
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), expected.encode()
    ):
        raise InvalidBearerToken()


def check_callback_signature(ctx: MerchantContext, headers: Headers, body: bytes) -> None:
    """Verify the signature on a callback call, when the platform's key is known and the call
    is signed; the bearer token is the callback's required authentication."""
    if ctx.webhook_key is not None and SIGNATURE in headers:
        _check_signature(ctx, headers, body)
    if ctx.settings.client_id is not None and CLIENT_ID in headers:
        _check_client_id(ctx, headers)


def check_webhook_signature(ctx: MerchantContext, headers: Headers, body: bytes) -> None:
    """Webhooks must be signed, and addressed to us, whenever the key / client id is set."""
    if ctx.webhook_key is not None:
        _check_signature(ctx, headers, body)
    if ctx.settings.client_id is not None:
        _check_client_id(ctx, headers)


def _check_signature(ctx: MerchantContext, headers: Headers, body: bytes) -> None:
    assert ctx.webhook_key is not None
    signature = headers.get(SIGNATURE)
    timestamp = headers.get(TIMESTAMP)
    if not signature or not timestamp:
        log.warning("rejected: %s or %s missing", SIGNATURE, TIMESTAMP)
        raise InvalidSignature()
    if not verify_connect(ctx.webhook_key, body, timestamp, signature):
        log.warning("rejected: %s does not verify over body + timestamp", SIGNATURE)
        raise InvalidSignature()


def _check_client_id(ctx: MerchantContext, headers: Headers) -> None:
    if headers.get(CLIENT_ID) != ctx.settings.client_id:
        log.warning("rejected: %s is %r", CLIENT_ID, headers.get(CLIENT_ID))
        raise InvalidClientId()
