"""Verifying Binance Pay webhooks (docs/binance-pay.md, "Webhooks").

The platform signs `timestamp + "\\n" + nonce + "\\n" + body + "\\n"` with SHA256withRSA
(RSASSA-PKCS1-v1_5), Base64 in `BinancePay-Signature`; the key is the `certPublic` that the
`certificates` endpoint lists under the `certSerial` sent as `BinancePay-Certificate-SN`.
Verify the raw body bytes exactly as received, before parsing them. Duplicates are possible
(see `PayWebhookEvent`); answer HTTP 200 with `pay_webhook_ack()`.

The verifiers fetch the certificate through a Pay client the first time they meet a serial
they do not know, and keep it. An unknown serial fetches again at most once per
`refetch_interval_ms` (a minute), so that forged serials cannot make every webhook a request to
the platform. A failed fetch raises the client's error (`TransportError`, `PayError`), not
`WebhookVerificationError`: answer non-200 and the platform will deliver again.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pydantic
from cryptography.hazmat.primitives.asymmetric import rsa

from binance_sandbox.client import _json
from binance_sandbox.client._pay_calls import (
    CERTIFICATE_SN_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
)
from binance_sandbox.client._request import now_ms
from binance_sandbox.client._webhook_checks import (
    check_timestamp,
    load_key,
    lower_case_names,
    required_header,
)
from binance_sandbox.client.errors import WebhookVerificationError
from binance_sandbox.client.pay import AsyncPayClient, PayClient
from binance_sandbox.client.pay_models import PayCertificate, PayWebhookEvent
from binance_sandbox.signing import RsaKeyError, load_public_key, rsa_verify

REFETCH_INTERVAL_MS = 60_000


def pay_webhook_ack() -> dict[str, str | None]:
    """The JSON body to answer (with HTTP 200) for the platform to count a delivery as
    received; anything else is delivered again, up to 6 more times."""
    return {"returnCode": "SUCCESS", "returnMessage": None}


def signed_payload(timestamp: str, nonce: str, body: bytes) -> bytes:
    return f"{timestamp}\n{nonce}\n".encode() + body + b"\n"


def verify_pay_webhook(
    body: bytes,
    timestamp: str,
    nonce: str,
    signature: str,
    public_key: rsa.RSAPublicKey | str | bytes,
) -> bool:
    """Whether `signature` is the platform's signature of this webhook."""
    return rsa_verify(load_key(public_key), signed_payload(timestamp, nonce, body), signature)


@dataclass(frozen=True, slots=True)
class _Headers:
    timestamp: str
    nonce: str
    serial: str
    signature: str


def _read_headers(headers: Mapping[str, str]) -> _Headers:
    found = lower_case_names(headers)
    return _Headers(
        timestamp=required_header(found, TIMESTAMP_HEADER),
        nonce=required_header(found, NONCE_HEADER),
        serial=required_header(found, CERTIFICATE_SN_HEADER),
        signature=required_header(found, SIGNATURE_HEADER),
    )


class _PlatformKeys:
    """The I/O-free half of a verifier: the keys known by serial, when a fetch is allowed,
    and the checks once a key is chosen. `fetches` says whether the verifier has a client to
    fetch certificates with."""

    def __init__(
        self,
        fetches: bool,
        public_key: rsa.RSAPublicKey | str | bytes | None,
        cert_serial: str | None,
        tolerance_ms: int | None,
        clock: Callable[[], int] | None,
        refetch_interval_ms: int,
    ) -> None:
        if not fetches and public_key is None:
            raise ValueError("give a client to fetch certificates with, or a public_key")
        self._by_serial: dict[str, rsa.RSAPublicKey] = {}
        # A static key without a serial stands for whatever serial the webhook names.
        self._any_serial: rsa.RSAPublicKey | None = None
        if public_key is not None:
            key = load_key(public_key)
            if cert_serial is None:
                self._any_serial = key
            else:
                self._by_serial[cert_serial] = key
        self._tolerance_ms = tolerance_ms
        self._clock = clock or now_ms
        self._refetch_interval_ms = refetch_interval_ms
        self._fetched_at: int | None = None

    def key_for(self, serial: str) -> rsa.RSAPublicKey | None:
        return self._by_serial.get(serial, self._any_serial)

    def fetch_due(self, serial: str) -> bool:
        """Whether to fetch the certificates now, for a webhook naming `serial`; if so,
        counts the fetch as made. The verifiers ask under their lock."""
        if self.key_for(serial) is not None:
            return False
        now = self._clock()
        if self._fetched_at is not None and now - self._fetched_at < self._refetch_interval_ms:
            return False
        self._fetched_at = now
        return True

    def remember(self, certificates: Iterable[PayCertificate]) -> None:
        for certificate in certificates:
            try:
                self._by_serial[certificate.cert_serial] = load_public_key(certificate.cert_public)
            except RsaKeyError:
                continue

    def check(self, body: bytes, found: _Headers) -> PayWebhookEvent:
        key = self.key_for(found.serial)
        if key is None:
            raise WebhookVerificationError(f"unknown {CERTIFICATE_SN_HEADER} {found.serial!r}")
        payload = signed_payload(found.timestamp, found.nonce, body)
        if not rsa_verify(key, payload, found.signature):
            raise WebhookVerificationError("signature does not verify")
        check_timestamp(found.timestamp, TIMESTAMP_HEADER, self._clock, self._tolerance_ms)
        try:
            data = _json.loads(body)
        except _json.DECODE_ERRORS as exc:
            raise WebhookVerificationError("body is not JSON") from exc
        try:
            return PayWebhookEvent.model_validate(data)
        except pydantic.ValidationError as exc:
            raise WebhookVerificationError(f"not a Binance Pay webhook: {exc}") from exc


class PayWebhookVerifier:
    """Checks a Pay webhook's headers and signature, and reads its body.

    Give `client` to fetch the platform's keys through `certificates` as serials appear,
    or `public_key` (PEM, Base64 DER or an `RSAPublicKey`) to use a known key — for the
    serial `cert_serial`, or for any serial when that is None — or both. `tolerance_ms`, when
    given, is how far `BinancePay-Timestamp` (ms) may be from `clock()` (epoch ms), to refuse
    replays; the contract sets no window, so the default is not to check.
    """

    def __init__(
        self,
        client: PayClient | None = None,
        *,
        public_key: rsa.RSAPublicKey | str | bytes | None = None,
        cert_serial: str | None = None,
        tolerance_ms: int | None = None,
        clock: Callable[[], int] | None = None,
        refetch_interval_ms: int = REFETCH_INTERVAL_MS,
    ) -> None:
        self._client = client
        self._keys = _PlatformKeys(
            client is not None, public_key, cert_serial, tolerance_ms, clock, refetch_interval_ms
        )
        self._lock = threading.Lock()

    def verify(self, body: bytes, headers: Mapping[str, str]) -> PayWebhookEvent:
        """The event, once `body` and `headers` are shown to come from the platform."""
        found = _read_headers(headers)
        if self._client is not None and self._keys.key_for(found.serial) is None:
            with self._lock:
                if self._keys.fetch_due(found.serial):
                    self._keys.remember(self._client.certificates())
        return self._keys.check(body, found)


class AsyncPayWebhookVerifier:
    """`PayWebhookVerifier` fetching through an `AsyncPayClient`; `verify` is a coroutine."""

    def __init__(
        self,
        client: AsyncPayClient | None = None,
        *,
        public_key: rsa.RSAPublicKey | str | bytes | None = None,
        cert_serial: str | None = None,
        tolerance_ms: int | None = None,
        clock: Callable[[], int] | None = None,
        refetch_interval_ms: int = REFETCH_INTERVAL_MS,
    ) -> None:
        self._client = client
        self._keys = _PlatformKeys(
            client is not None, public_key, cert_serial, tolerance_ms, clock, refetch_interval_ms
        )
        # Webhooks that arrive together wait for one fetch instead of each being refused.
        self._lock = asyncio.Lock()

    async def verify(self, body: bytes, headers: Mapping[str, str]) -> PayWebhookEvent:
        found = _read_headers(headers)
        if self._client is not None and self._keys.key_for(found.serial) is None:
            async with self._lock:
                if self._keys.fetch_due(found.serial):
                    self._keys.remember(await self._client.certificates())
        return self._keys.check(body, found)
