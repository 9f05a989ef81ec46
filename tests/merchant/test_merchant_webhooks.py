"""The webhook receiver (guide §8): verify, store once, answer SUCCESS."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest

from binance_sandbox import wire
from binance_sandbox.signing import generate_private_key

SUCCESS = {"returnCode": "SUCCESS", "returnMessage": "OK"}
REJECTED = {"returnCode": "FAIL", "returnMessage": "invalid signature"}


def order_event(order_id="order-abc", status="FILLED", **overrides):
    """The guide §8 example, with its JSON numbers."""
    return {
        "webhookEventType": "prime_order_event",
        "orderId": order_id,
        "clientOrderId": "myOrder001",
        "direction": "BUY",
        "fiatCurrency": "EUR",
        "cryptoCurrency": "BTC",
        "fiatAmount": Decimal("100"),
        "cryptoAmount": Decimal("0.00102181"),
        "price": Decimal("97849.27"),
        "status": status,
        "createTime": 1692951399,
        "settleTime": 1692954999,
        **overrides,
    }


def stored(merchant, **query):
    path = "/webhooks" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    return merchant.own("GET", path)


def test_valid_webhook_is_stored(merchant):
    response = merchant.webhook(order_event())
    assert response.status_code == 200
    assert response.json() == SUCCESS
    [event] = stored(merchant)
    assert event["eventKey"] == "prime_order_event:order-abc:FILLED"
    assert event["eventType"] == "prime_order_event"
    assert (event["orderId"], event["status"], event["duplicates"]) == ("order-abc", "FILLED", 0)
    assert isinstance(event["receivedAt"], int)
    # The body comes back with its numbers exact, as the platform sent them.
    raw = merchant.http.get("/merchant/v1/webhooks").content
    assert b'"cryptoAmount":0.00102181' in raw
    assert b'"price":97849.27' in raw
    assert event["body"]["orderId"] == "order-abc"


def test_duplicate_webhook_is_counted_not_stored(merchant):
    for _ in range(3):
        assert merchant.webhook(order_event()).json() == SUCCESS
    [event] = stored(merchant)
    assert event["duplicates"] == 2


def test_each_status_and_order_is_its_own_event(merchant):
    merchant.webhook(order_event("o1", "FILLED"))
    merchant.webhook(order_event("o1", "FAILED"))
    merchant.webhook(order_event("o2", "FILLED"))
    events = stored(merchant)
    assert [event["eventKey"] for event in events] == [
        "prime_order_event:o2:FILLED",
        "prime_order_event:o1:FAILED",
        "prime_order_event:o1:FILLED",
    ]
    assert [event["eventKey"] for event in stored(merchant, orderId="o1")] == [
        "prime_order_event:o1:FAILED",
        "prime_order_event:o1:FILLED",
    ]
    assert len(stored(merchant, limit=1)) == 1


async def test_concurrent_duplicate_webhooks_leave_one_row(merchant):
    raw = wire.dumps(order_event()).encode()
    headers = {"Content-Type": "application/json", **merchant.signature_headers(raw)}
    async with httpx.AsyncClient(base_url=merchant.base_url, timeout=30) as client:
        responses = await asyncio.gather(
            *(
                client.post("/webhooks/binance-connect", content=raw, headers=headers)
                for _ in range(10)
            )
        )
    assert [response.status_code for response in responses] == [200] * 10
    assert all(response.json() == SUCCESS for response in responses)
    [event] = stored(merchant)
    assert event["duplicates"] == 9


def test_other_event_types_dedupe_by_external_order_id(merchant):
    deposit = {
        "webhookEventType": "deposit_status_event",
        "externalOrderId": "dep-1",
        "orderId": "bn-1",
        "status": "SUCCESS",
    }
    merchant.webhook(deposit)
    merchant.webhook(deposit)
    merchant.webhook({**deposit, "externalOrderId": None})
    events = stored(merchant)
    assert [(event["eventKey"], event["duplicates"]) for event in events] == [
        ("deposit_status_event:bn-1:SUCCESS", 0),
        ("deposit_status_event:dep-1:SUCCESS", 1),
    ]


def test_wrong_key_rejected(merchant):
    raw = wire.dumps(order_event()).encode()
    forged = merchant.signature_headers(raw, key=generate_private_key(1024))
    response = merchant.webhook(raw, headers=forged)
    assert response.status_code == 401
    assert response.json() == REJECTED
    assert stored(merchant) == []


def test_tampered_body_rejected(merchant):
    raw = wire.dumps(order_event()).encode()
    headers = merchant.signature_headers(raw)
    tampered = raw.replace(b'"FILLED"', b'"FAILED"')
    response = merchant.webhook(tampered, headers=headers)
    assert (response.status_code, response.json()) == (401, REJECTED)
    assert stored(merchant) == []


def test_timestamp_is_part_of_the_signature(merchant):
    raw = wire.dumps(order_event()).encode()
    headers = merchant.signature_headers(raw)
    headers["X-BN-Connect-Timestamp"] = "1756179222141"
    response = merchant.webhook(raw, headers=headers)
    assert (response.status_code, response.json()) == (401, REJECTED)


@pytest.mark.parametrize(
    "missing", ["X-BN-Connect-Signature", "X-BN-Connect-Timestamp", "X-BN-Connect-For"]
)
def test_missing_header_rejected(merchant, missing):
    raw = wire.dumps(order_event()).encode()
    headers = merchant.signature_headers(raw)
    del headers[missing]
    response = merchant.webhook(raw, headers=headers)
    assert (response.status_code, response.json()) == (401, REJECTED)
    assert stored(merchant) == []


def test_signature_not_base64_rejected(merchant):
    raw = wire.dumps(order_event()).encode()
    headers = merchant.signature_headers(raw)
    headers["X-BN-Connect-Signature"] = "%%%not-base64%%%"
    response = merchant.webhook(raw, headers=headers)
    assert (response.status_code, response.json()) == (401, REJECTED)


def test_webhook_for_another_client_rejected(merchant):
    raw = wire.dumps(order_event()).encode()
    headers = merchant.signature_headers(raw, client_id="someone-else")
    response = merchant.webhook(raw, headers=headers)
    assert (response.status_code, response.json()) == (401, REJECTED)
    assert stored(merchant) == []


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "body is not JSON"),
        (b"\xff\xfe", "body is not JSON"),
        (b"[]", "body must be a JSON object"),
        (b'{"orderId":"o1","status":"FILLED"}', "missing webhookEventType"),
        (b'{"webhookEventType":"prime_order_event","status":"FILLED"}', "missing orderId"),
        (b'{"webhookEventType":"prime_order_event","orderId":"o1"}', "missing status"),
    ],
)
def test_signed_but_unidentifiable_body(merchant, raw, reason):
    response = merchant.webhook(raw)
    assert response.status_code == 400
    assert response.json() == {"returnCode": "FAIL", "returnMessage": reason}
    assert stored(merchant) == []


def test_without_a_key_webhooks_are_not_verified(start_merchant):
    merchant = start_merchant(webhook_public_key=None, client_id=None)
    response = merchant.webhook(order_event(), headers={})
    assert (response.status_code, response.json()) == (200, SUCCESS)
    assert len(stored(merchant)) == 1


def test_webhooks_need_no_bearer_token(merchant):
    """Webhooks are authenticated by their signature only (guide §8)."""
    response = merchant.webhook(order_event())
    assert response.status_code == 200
