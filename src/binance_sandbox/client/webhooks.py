"""Verifying the `prime_order_event` webhook (guide §8).

The platform signs `body + X-BN-Connect-Timestamp` with SHA256withRSA; the partner checks it
with the `webhookPublicKey` it was given (Base64 X.509 DER, or PEM). Verify the raw body bytes
exactly as received, before parsing them. Duplicates are possible: de-duplicate by `orderId`
and `status`, and answer HTTP 200 `{"returnCode":"SUCCESS","returnMessage":"OK"}`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pydantic
from cryptography.hazmat.primitives.asymmetric import rsa

from binance_sandbox.client import _json
from binance_sandbox.client._request import now_ms
from binance_sandbox.client._webhook_checks import (
    check_timestamp,
    load_key,
    lower_case_names,
    required_header,
)
from binance_sandbox.client.errors import WebhookVerificationError
from binance_sandbox.client.models import PrimeOrderEvent
from binance_sandbox.signing.connect import verify_connect

TIMESTAMP_HEADER = "X-BN-Connect-Timestamp"
SIGNATURE_HEADER = "X-BN-Connect-Signature"
CLIENT_ID_HEADER = "X-BN-Connect-For"


def webhook_ack() -> dict[str, str]:
    """The JSON body to answer (with HTTP 200) for the platform to count a delivery as
    received (guide §8)."""
    return {"returnCode": "SUCCESS", "returnMessage": "OK"}


def verify_connect_webhook(
    body: bytes, timestamp: str, signature: str, public_key: rsa.RSAPublicKey | str
) -> bool:
    """Whether `signature` is the platform's signature of `body + timestamp`."""
    return verify_connect(load_key(public_key), body, timestamp, signature)


class ConnectWebhookVerifier:
    """Checks a Connect webhook's headers and signature, and reads its body.

    `client_id`, when given, must equal `X-BN-Connect-For`. `tolerance_ms`, when given, is
    how far `X-BN-Connect-Timestamp` (ms) may be from `clock()` (epoch ms), to refuse
    replays; the guide sets no window, so the default is not to check.
    """

    def __init__(
        self,
        public_key: rsa.RSAPublicKey | str,
        *,
        client_id: str | None = None,
        tolerance_ms: int | None = None,
        clock: Callable[[], int] | None = None,
    ) -> None:
        self._key = load_key(public_key)
        self._client_id = client_id
        self._tolerance_ms = tolerance_ms
        self._clock = clock or now_ms

    def verify(self, body: bytes, headers: Mapping[str, str]) -> PrimeOrderEvent:
        """The event, once `body` and `headers` are shown to come from the platform."""
        data = self.verify_json(body, headers)
        try:
            return PrimeOrderEvent.model_validate(data)
        except pydantic.ValidationError as exc:
            raise WebhookVerificationError(f"not a prime_order_event: {exc}") from exc

    def verify_json(self, body: bytes, headers: Mapping[str, str]) -> object:
        """The body as JSON (exact decimals), once verified; for any Connect event type."""
        found = lower_case_names(headers)
        timestamp = required_header(found, TIMESTAMP_HEADER)
        signature = required_header(found, SIGNATURE_HEADER)
        client_id = required_header(found, CLIENT_ID_HEADER)
        if not verify_connect(self._key, body, timestamp, signature):
            raise WebhookVerificationError("signature does not verify")
        if self._client_id is not None and client_id != self._client_id:
            raise WebhookVerificationError(f"{CLIENT_ID_HEADER} is {client_id!r}, not ours")
        check_timestamp(timestamp, TIMESTAMP_HEADER, self._clock, self._tolerance_ms)
        try:
            return _json.loads(body)
        except _json.DECODE_ERRORS as exc:
            raise WebhookVerificationError("body is not JSON") from exc
