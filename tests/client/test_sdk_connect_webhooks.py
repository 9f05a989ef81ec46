"""Verifying `prime_order_event` webhooks (guide §8) signed with the platform's key."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sdk_connect_fakes import CLIENT_ID, START_MS

from binance_sandbox.client import (
    ConnectWebhookVerifier,
    Direction,
    OrderStatus,
    PrimeOrderEvent,
    WebhookVerificationError,
    verify_connect_webhook,
    webhook_ack,
)
from binance_sandbox.signing import generate_private_key, public_key_to_der_b64, public_key_to_pem
from binance_sandbox.signing.connect import sign_connect

# The guide §8 example, byte for byte as the contract shows it.
BODY = (
    b'{"webhookEventType":"prime_order_event","orderId":"lhJ0uBwFPcCkbxnypoqNzUvri1e8jatT",'
    b'"clientOrderId":"myOrder001","direction":"BUY","fiatCurrency":"EUR","cryptoCurrency":"BTC",'
    b'"fiatAmount":100,"cryptoAmount":0.00102181,"price":97849.27,"status":"FILLED",'
    b'"createTime":1692951399,"settleTime":1692954999}'
)
TIMESTAMP = str(START_MS)


def _headers(
    key: rsa.RSAPrivateKey, body: bytes = BODY, timestamp: str = TIMESTAMP
) -> dict[str, str]:
    return {
        "X-BN-Connect-Timestamp": timestamp,
        "X-BN-Connect-Signature": sign_connect(key, body, timestamp),
        "X-BN-Connect-For": CLIENT_ID,
        "Content-Type": "application/json",
    }


def test_a_correctly_signed_event_is_accepted_and_read(platform_key: rsa.RSAPrivateKey) -> None:
    verifier = ConnectWebhookVerifier(platform_key.public_key(), client_id=CLIENT_ID)

    event = verifier.verify(BODY, _headers(platform_key))

    assert event == PrimeOrderEvent(
        webhook_event_type="prime_order_event",
        order_id="lhJ0uBwFPcCkbxnypoqNzUvri1e8jatT",
        client_order_id="myOrder001",
        direction=Direction.BUY,
        fiat_currency="EUR",
        crypto_currency="BTC",
        fiat_amount=Decimal("100"),
        crypto_amount=Decimal("0.00102181"),
        price=Decimal("97849.27"),
        status=OrderStatus.FILLED,
        create_time=1692951399,
        settle_time=1692954999,
    )
    assert isinstance(event.crypto_amount, Decimal)
    assert str(event.crypto_amount) == "0.00102181"


@pytest.mark.parametrize("form", ["base64-x509-der", "pem"])
def test_the_public_key_can_be_given_as_text(platform_key: rsa.RSAPrivateKey, form: str) -> None:
    public = platform_key.public_key()
    text = public_key_to_der_b64(public) if form == "base64-x509-der" else public_key_to_pem(public)

    event = ConnectWebhookVerifier(text).verify(BODY, _headers(platform_key))

    assert event.order_id == "lhJ0uBwFPcCkbxnypoqNzUvri1e8jatT"


def test_header_names_are_case_insensitive(platform_key: rsa.RSAPrivateKey) -> None:
    verifier = ConnectWebhookVerifier(platform_key.public_key())
    lower = {name.lower(): value for name, value in _headers(platform_key).items()}

    assert verifier.verify(BODY, lower).status is OrderStatus.FILLED
    assert verifier.verify(BODY, httpx.Headers(_headers(platform_key))).status is OrderStatus.FILLED


def test_one_changed_byte_is_refused(platform_key: rsa.RSAPrivateKey) -> None:
    verifier = ConnectWebhookVerifier(platform_key.public_key())
    headers = _headers(platform_key)
    changed = BODY.replace(b'"fiatAmount":100', b'"fiatAmount":900')
    assert changed != BODY

    with pytest.raises(WebhookVerificationError, match="signature"):
        verifier.verify(changed, headers)
    assert not verify_connect_webhook(
        changed, TIMESTAMP, headers["X-BN-Connect-Signature"], platform_key.public_key()
    )


def test_a_changed_timestamp_is_refused(platform_key: rsa.RSAPrivateKey) -> None:
    headers = _headers(platform_key)
    headers["X-BN-Connect-Timestamp"] = str(START_MS + 1)

    with pytest.raises(WebhookVerificationError, match="signature"):
        ConnectWebhookVerifier(platform_key.public_key()).verify(BODY, headers)


def test_a_signature_by_another_key_is_refused(platform_key: rsa.RSAPrivateKey) -> None:
    impostor = generate_private_key(1024)

    with pytest.raises(WebhookVerificationError, match="signature"):
        ConnectWebhookVerifier(platform_key.public_key()).verify(BODY, _headers(impostor))


@pytest.mark.parametrize(
    "missing", ["X-BN-Connect-Timestamp", "X-BN-Connect-Signature", "X-BN-Connect-For"]
)
def test_a_missing_header_is_refused(platform_key: rsa.RSAPrivateKey, missing: str) -> None:
    headers = _headers(platform_key)
    del headers[missing]

    with pytest.raises(WebhookVerificationError, match=f"missing header {missing}"):
        ConnectWebhookVerifier(platform_key.public_key()).verify(BODY, headers)


def test_a_signature_that_is_not_base64_is_refused(platform_key: rsa.RSAPrivateKey) -> None:
    headers = _headers(platform_key)
    headers["X-BN-Connect-Signature"] = "not base64!"

    with pytest.raises(WebhookVerificationError, match="signature"):
        ConnectWebhookVerifier(platform_key.public_key()).verify(BODY, headers)


def test_an_event_for_another_client_is_refused(platform_key: rsa.RSAPrivateKey) -> None:
    verifier = ConnectWebhookVerifier(platform_key.public_key(), client_id="someone-else")

    with pytest.raises(WebhookVerificationError, match="X-BN-Connect-For"):
        verifier.verify(BODY, _headers(platform_key))


def test_the_timestamp_tolerance_is_checked_only_when_asked(
    platform_key: rsa.RSAPrivateKey,
) -> None:
    public = platform_key.public_key()
    later = START_MS + 300_001

    ConnectWebhookVerifier(public).verify(BODY, _headers(platform_key))
    ConnectWebhookVerifier(public, tolerance_ms=300_000, clock=lambda: later - 1).verify(
        BODY, _headers(platform_key)
    )
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        ConnectWebhookVerifier(public, tolerance_ms=300_000, clock=lambda: later).verify(
            BODY, _headers(platform_key)
        )
    not_ms = _headers(platform_key, timestamp="2025-08-26T03:33:42Z")
    with pytest.raises(WebhookVerificationError, match="milliseconds"):
        ConnectWebhookVerifier(public, tolerance_ms=300_000, clock=lambda: later).verify(
            BODY, not_ms
        )


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"webhookEventType":"deposit_status_event","externalOrderId":"e1"}',
        b'{"webhookEventType":"prime_order_event","orderId":"o1"}',
        b'{"webhookEventType":"prime_order_event","orderId":"o1","clientOrderId":"c",'
        b'"direction":"BUY","fiatCurrency":"EUR","cryptoCurrency":"BTC","fiatAmount":1,'
        b'"cryptoAmount":1,"price":1,"status":"PROCESSING_LATER","createTime":1}',
    ],
    ids=["not-json", "other-event", "missing-fields", "unknown-status"],
)
def test_a_signed_body_that_is_not_a_prime_order_event_is_refused(
    platform_key: rsa.RSAPrivateKey, body: bytes
) -> None:
    with pytest.raises(WebhookVerificationError):
        ConnectWebhookVerifier(platform_key.public_key()).verify(body, _headers(platform_key, body))


def test_verify_json_reads_any_event_type_with_exact_decimals(
    platform_key: rsa.RSAPrivateKey,
) -> None:
    body = b'{"webhookEventType":"deposit_status_event","amount":0.1}'

    data = ConnectWebhookVerifier(platform_key.public_key()).verify_json(
        body, _headers(platform_key, body)
    )

    assert data == {"webhookEventType": "deposit_status_event", "amount": Decimal("0.1")}


def test_verify_connect_webhook(platform_key: rsa.RSAPrivateKey) -> None:
    headers = _headers(platform_key)
    signature = headers["X-BN-Connect-Signature"]
    public_pem = public_key_to_pem(platform_key.public_key())

    assert verify_connect_webhook(BODY, TIMESTAMP, signature, platform_key.public_key())
    assert verify_connect_webhook(BODY, TIMESTAMP, signature, public_pem)
    assert not verify_connect_webhook(BODY + b" ", TIMESTAMP, signature, public_pem)
    assert not verify_connect_webhook(BODY, TIMESTAMP, "", public_pem)


def test_the_acknowledgement_is_the_one_the_guide_gives() -> None:
    assert webhook_ack() == {"returnCode": "SUCCESS", "returnMessage": "OK"}
