"""Verifying Pay webhooks signed with the platform's RSA key, fetched through `certificates`
(docs/binance-pay.md, "Webhooks")."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sdk_connect_fakes import FakeClock, FakeSleep
from sdk_pay_fakes import FakePay, fail, make_async_client, make_client, ok

from binance_sandbox.client import (
    AsyncPayWebhookVerifier,
    PayBizType,
    PaymentInfo,
    PaymentInstruction,
    PayNotification,
    PayoutBatchStatus,
    PayoutNotification,
    PayWebhookVerifier,
    RefundNotification,
    RefundResult,
    WebhookVerificationError,
    pay_errors,
    pay_webhook_ack,
    verify_pay_webhook,
)
from binance_sandbox.signing import generate_private_key, public_key_to_pem

# The contract's samples, byte for byte.
PAY_BODY = (
    b'{"bizType":"PAY","bizId":383729303729303042,"bizIdStr":"383729303729303042","bizStatus":"PAY_SUCCESS",'
    b'"data":"{\\"merchantTradeNo\\":\\"9825382937292\\",\\"productType\\":\\"D000\\",\\"productName\\":\\"Ice Cream\\",'
    b'\\"transactTime\\":1700000123000,\\"tradeType\\":\\"APP\\",\\"totalFee\\":25.17,\\"currency\\":\\"USDT\\",'
    b'\\"openUserId\\":\\"1e9e2e3c0a4b4f2a9d4d2c1b0a9f8e7d\\",\\"transactionId\\":\\"M_P_71505104267788288\\",'
    b'\\"commission\\":0,\\"paymentInfo\\":{\\"payMethod\\":\\"FUNDING\\",\\"paymentInstructions\\":'
    b'[{\\"currency\\":\\"USDT\\",\\"amount\\":25.17,\\"price\\":1}]}}"}'
)
REFUND_BODY = (
    b'{"bizType":"PAY_REFUND","bizId":383729303729303042,"bizIdStr":"383729303729303042","bizStatus":"REFUND_SUCCESS",'
    b'"data":"{\\"merchantTradeNo\\":\\"9825382937292\\",\\"productType\\":\\"D000\\",\\"productName\\":\\"Ice Cream\\",'
    b'\\"tradeType\\":\\"APP\\",\\"totalFee\\":25.17,\\"currency\\":\\"USDT\\",\\"openUserId\\":\\"1e9e2e3c0a4b4f2a9d4d2c1b0a9f8e7d\\",'
    b'\\"transactTime\\":1700000200000,\\"commission\\":0,\\"refundInfo\\":{\\"refundRequestId\\":\\"68711039982968832\\",'
    b'\\"prepayId\\":\\"383729303729303042\\",\\"orderAmount\\":\\"25.17\\",\\"refundedAmount\\":\\"5\\",\\"refundAmount\\":\\"5\\",'
    b'\\"remainingAttempts\\":9,\\"payerOpenId\\":\\"dde730c2e0ea1f1780cf26343b98fd3b\\",\\"duplicateRequest\\":false}}"}'
)
PAYOUT_BODY = (
    b'{"bizType":"PAYOUT","bizId":1180734022586777,"bizIdStr":"1180734022586777","bizStatus":"SUCCESS",'
    b'"data":"{\\"requestId\\":\\"samplerequest1234\\",\\"batchStatus\\":\\"SUCCESS\\",\\"merchantId\\":98765432,'
    b'\\"currency\\":\\"USDT\\",\\"totalAmount\\":200.4,\\"totalNumber\\":2}"}'
)
TIMESTAMP = "1700000123456"
NONCE = "5f0c1ab9e2d34c7f8a6b9d0e1f2a3b4c"


@pytest.fixture(scope="module")
def platform_key() -> rsa.RSAPrivateKey:
    return generate_private_key(2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return generate_private_key(2048)


def _pem(key: rsa.RSAPrivateKey) -> str:
    return public_key_to_pem(key.public_key())


def _serial(key: rsa.RSAPrivateKey) -> str:
    # The sandbox's choice (NOTES, assumption): upper-case hex MD5 of the PEM.
    return hashlib.md5(_pem(key).encode()).hexdigest().upper()  # noqa: S324


def _sign(
    key: rsa.RSAPrivateKey, body: bytes, timestamp: str = TIMESTAMP, nonce: str = NONCE
) -> str:
    """The contract's signature, computed without the SDK."""
    payload = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"
    return base64.b64encode(key.sign(payload, padding.PKCS1v15(), hashes.SHA256())).decode()


def _headers(
    key: rsa.RSAPrivateKey,
    body: bytes = PAY_BODY,
    *,
    serial: str | None = None,
    timestamp: str = TIMESTAMP,
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "BinancePay-Certificate-SN": serial or _serial(key),
        "BinancePay-Nonce": NONCE,
        "BinancePay-Timestamp": timestamp,
        "BinancePay-Signature": _sign(key, body, timestamp),
    }


def _certificates(*keys: rsa.RSAPrivateKey) -> object:
    return ok([{"certSerial": _serial(key), "certPublic": _pem(key)} for key in keys])


def test_a_pay_webhook_verifies_with_a_static_pem_and_reads_typed(
    platform_key: rsa.RSAPrivateKey,
) -> None:
    verifier = PayWebhookVerifier(public_key=_pem(platform_key))

    event = verifier.verify(PAY_BODY, _headers(platform_key))

    assert event.biz_type is PayBizType.PAY
    assert event.biz_id == 383729303729303042
    assert event.biz_id_str == "383729303729303042"
    assert event.biz_status == "PAY_SUCCESS"
    assert event.data == PayNotification(
        merchant_trade_no="9825382937292",
        product_type="D000",
        product_name="Ice Cream",
        transact_time=1700000123000,
        trade_type="APP",
        total_fee=Decimal("25.17"),
        currency="USDT",
        open_user_id="1e9e2e3c0a4b4f2a9d4d2c1b0a9f8e7d",
        transaction_id="M_P_71505104267788288",
        commission=Decimal(0),
        payment_info=PaymentInfo(
            pay_method="FUNDING",
            payment_instructions=[
                PaymentInstruction(currency="USDT", amount=Decimal("25.17"), price=Decimal(1))
            ],
        ),
    )
    assert str(event.data.total_fee) == "25.17"


def test_a_refund_webhook_reads_the_nested_refund_info(platform_key: rsa.RSAPrivateKey) -> None:
    verifier = PayWebhookVerifier(public_key=platform_key.public_key())

    event = verifier.verify(REFUND_BODY, _headers(platform_key, REFUND_BODY))

    assert event.biz_type is PayBizType.PAY_REFUND
    assert isinstance(event.data, RefundNotification)
    assert event.data.total_fee == Decimal("25.17")
    assert event.data.transact_time == 1700000200000
    assert event.data.refund_info == RefundResult(
        refund_request_id="68711039982968832",
        prepay_id="383729303729303042",
        order_amount=Decimal("25.17"),
        refunded_amount=Decimal(5),
        refund_amount=Decimal(5),
        remaining_attempts=9,
        payer_open_id="dde730c2e0ea1f1780cf26343b98fd3b",
        duplicate_request=False,
    )


def test_refund_info_as_a_json_string_is_read_too(platform_key: rsa.RSAPrivateKey) -> None:
    outer = json.loads(REFUND_BODY)
    data = json.loads(outer["data"])
    data["refundInfo"] = json.dumps(data["refundInfo"])
    body = json.dumps({**outer, "data": json.dumps(data)}).encode()
    verifier = PayWebhookVerifier(public_key=_pem(platform_key))

    event = verifier.verify(body, _headers(platform_key, body))

    assert isinstance(event.data, RefundNotification)
    assert event.data.refund_info.refund_amount == Decimal(5)


def test_a_payout_webhook(platform_key: rsa.RSAPrivateKey) -> None:
    verifier = PayWebhookVerifier(public_key=_pem(platform_key))

    event = verifier.verify(PAYOUT_BODY, _headers(platform_key, PAYOUT_BODY))

    assert event.biz_type is PayBizType.PAYOUT
    assert event.biz_id == 1180734022586777
    assert event.data == PayoutNotification(
        request_id="samplerequest1234",
        batch_status=PayoutBatchStatus.SUCCESS,
        merchant_id=98765432,
        currency="USDT",
        total_amount=Decimal("200.4"),
        total_number=2,
    )


def test_any_changed_byte_fails(platform_key: rsa.RSAPrivateKey) -> None:
    verifier = PayWebhookVerifier(public_key=_pem(platform_key))
    headers = _headers(platform_key)

    for index in (0, len(PAY_BODY) // 2, len(PAY_BODY) - 1):
        changed = bytearray(PAY_BODY)
        changed[index] ^= 0x01
        with pytest.raises(WebhookVerificationError, match="signature does not verify"):
            verifier.verify(bytes(changed), headers)
    with pytest.raises(WebhookVerificationError):
        verifier.verify(PAY_BODY + b" ", headers)
    for name, value in (("BinancePay-Timestamp", "1700000123457"), ("BinancePay-Nonce", "x" * 32)):
        with pytest.raises(WebhookVerificationError):
            verifier.verify(PAY_BODY, {**headers, name: value})


def test_a_signature_by_another_key_or_not_base64_fails(
    platform_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    verifier = PayWebhookVerifier(public_key=_pem(platform_key))

    with pytest.raises(WebhookVerificationError):
        verifier.verify(PAY_BODY, _headers(other_key, serial=_serial(platform_key)))
    with pytest.raises(WebhookVerificationError):
        verifier.verify(PAY_BODY, {**_headers(platform_key), "BinancePay-Signature": "not base64!"})


@pytest.mark.parametrize(
    "name",
    [
        "BinancePay-Signature",
        "BinancePay-Timestamp",
        "BinancePay-Nonce",
        "BinancePay-Certificate-SN",
    ],
)
def test_a_missing_header_fails(platform_key: rsa.RSAPrivateKey, name: str) -> None:
    verifier = PayWebhookVerifier(public_key=_pem(platform_key))
    headers = {k: v for k, v in _headers(platform_key).items() if k != name}

    with pytest.raises(WebhookVerificationError, match=f"missing header {name}"):
        verifier.verify(PAY_BODY, headers)


def test_header_names_are_case_insensitive(platform_key: rsa.RSAPrivateKey) -> None:
    verifier = PayWebhookVerifier(public_key=_pem(platform_key))
    headers = {k.lower(): v for k, v in _headers(platform_key).items()}

    assert verifier.verify(PAY_BODY, headers).biz_status == "PAY_SUCCESS"


def test_a_static_key_with_a_serial_refuses_other_serials(platform_key: rsa.RSAPrivateKey) -> None:
    verifier = PayWebhookVerifier(public_key=_pem(platform_key), cert_serial=_serial(platform_key))

    assert verifier.verify(PAY_BODY, _headers(platform_key)).biz_type is PayBizType.PAY
    with pytest.raises(WebhookVerificationError, match="unknown BinancePay-Certificate-SN"):
        verifier.verify(PAY_BODY, _headers(platform_key, serial="OTHER"))


def test_an_unknown_serial_is_fetched_through_the_client_once_and_cached(
    platform_key: rsa.RSAPrivateKey, clock: FakeClock, sleep: FakeSleep
) -> None:
    pay = FakePay()
    pay.script("certificates", _certificates(platform_key))
    with make_client(pay, clock, sleep) as client:
        verifier = PayWebhookVerifier(client, clock=clock)

        first = verifier.verify(PAY_BODY, _headers(platform_key))
        second = verifier.verify(REFUND_BODY, _headers(platform_key, REFUND_BODY))

    assert (first.biz_type, second.biz_type) == (PayBizType.PAY, PayBizType.PAY_REFUND)
    assert pay.paths() == ["certificates"]
    assert pay.received[0].signature_ok


def test_an_unknown_serial_refetches_at_most_once_a_minute(
    platform_key: rsa.RSAPrivateKey,
    other_key: rsa.RSAPrivateKey,
    clock: FakeClock,
    sleep: FakeSleep,
) -> None:
    pay = FakePay()
    pay.script("certificates", _certificates(platform_key))
    with make_client(pay, clock, sleep) as client:
        verifier = PayWebhookVerifier(client, clock=clock)
        verifier.verify(PAY_BODY, _headers(platform_key))

        # The platform rotates its key.
        pay.script("certificates", _certificates(other_key))
        with pytest.raises(WebhookVerificationError, match="unknown"):
            verifier.verify(PAY_BODY, _headers(other_key))
        assert pay.paths() == ["certificates"]

        clock.now_ms += 59_999
        with pytest.raises(WebhookVerificationError, match="unknown"):
            verifier.verify(PAY_BODY, _headers(other_key))
        assert pay.paths() == ["certificates"]

        clock.now_ms += 1
        event = verifier.verify(PAY_BODY, _headers(other_key))
        assert event.biz_type is PayBizType.PAY
        assert pay.paths() == ["certificates", "certificates"]

        # The old key is still known: no fetch for it.
        verifier.verify(PAY_BODY, _headers(platform_key))
        assert pay.paths() == ["certificates", "certificates"]


def test_a_failed_fetch_raises_the_clients_error(
    platform_key: rsa.RSAPrivateKey, clock: FakeClock, sleep: FakeSleep
) -> None:
    pay = FakePay()
    pay.script("certificates", fail("400004", "Invalid API key", status=401))
    with make_client(pay, clock, sleep) as client:
        verifier = PayWebhookVerifier(client, clock=clock)
        with pytest.raises(pay_errors.InvalidApiKeyOrIp):
            verifier.verify(PAY_BODY, _headers(platform_key))


def test_the_timestamp_tolerance_when_asked_for(
    platform_key: rsa.RSAPrivateKey, clock: FakeClock
) -> None:
    verifier = PayWebhookVerifier(public_key=_pem(platform_key), tolerance_ms=5_000, clock=clock)
    clock.now_ms = int(TIMESTAMP) + 5_000

    assert verifier.verify(PAY_BODY, _headers(platform_key)).biz_type is PayBizType.PAY
    clock.now_ms += 1
    with pytest.raises(WebhookVerificationError, match="outside the tolerance"):
        verifier.verify(PAY_BODY, _headers(platform_key))


def test_a_signed_body_that_is_not_a_pay_webhook_fails(platform_key: rsa.RSAPrivateKey) -> None:
    verifier = PayWebhookVerifier(public_key=_pem(platform_key))

    for body in (
        b"not json",
        b'{"bizType":"OTHER","bizId":1,"bizIdStr":"1","bizStatus":"X","data":"{}"}',
    ):
        with pytest.raises(WebhookVerificationError):
            verifier.verify(body, _headers(platform_key, body))


def test_a_verifier_needs_a_client_or_a_key() -> None:
    with pytest.raises(ValueError):
        PayWebhookVerifier()


def test_the_helpers(platform_key: rsa.RSAPrivateKey) -> None:
    assert pay_webhook_ack() == {"returnCode": "SUCCESS", "returnMessage": None}
    signature = _sign(platform_key, PAY_BODY)
    assert verify_pay_webhook(PAY_BODY, TIMESTAMP, NONCE, signature, _pem(platform_key))
    assert not verify_pay_webhook(PAY_BODY, TIMESTAMP, NONCE[::-1], signature, _pem(platform_key))


async def test_the_async_verifier_fetches_once_for_webhooks_arriving_together(
    platform_key: rsa.RSAPrivateKey, clock: FakeClock, sleep: FakeSleep
) -> None:
    pay = FakePay()
    pay.script("certificates", _certificates(platform_key))
    async with make_async_client(pay, clock, sleep) as client:
        verifier = AsyncPayWebhookVerifier(client, clock=clock)

        events = await asyncio.gather(
            verifier.verify(PAY_BODY, _headers(platform_key)),
            verifier.verify(REFUND_BODY, _headers(platform_key, REFUND_BODY)),
            verifier.verify(PAYOUT_BODY, _headers(platform_key, PAYOUT_BODY)),
        )

        assert [e.biz_type for e in events] == [
            PayBizType.PAY,
            PayBizType.PAY_REFUND,
            PayBizType.PAYOUT,
        ]
        assert pay.paths() == ["certificates"]
        changed = PAY_BODY.replace(b"25.17", b"25.18")
        with pytest.raises(WebhookVerificationError):
            await verifier.verify(changed, _headers(platform_key))


async def test_the_async_verifier_with_a_static_key(platform_key: rsa.RSAPrivateKey) -> None:
    verifier = AsyncPayWebhookVerifier(public_key=_pem(platform_key))

    event = await verifier.verify(PAYOUT_BODY, _headers(platform_key, PAYOUT_BODY))

    assert isinstance(event.data, PayoutNotification)
