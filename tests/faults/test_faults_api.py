"""Fault rules on the API families, seen through the real API: the family's own envelope,
the SDK's retries, a 504 whose operation still happened, latency, rate limits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from faults_support import add_fault, buy_quote, faults

from binance_sandbox import wire
from binance_sandbox.client import ConnectPrimeClient
from binance_sandbox.client.errors import BinanceSandboxError, IllegalParameters
from sandbox_harness import PartnerCreds, Sandbox

PRIME = "/papi/v1/ramp/connect/prime"


def test_sys_busy_once_is_retried_by_the_sdk(
    box: Sandbox, partner: PartnerCreds, user: str, prime: ConnectPrimeClient
) -> None:
    rule = add_fault(
        box,
        family="connect",
        scope={"partnerClientId": partner.client_id},
        endpoint="/quote",
        action={"type": "error", "code": "1230102"},
        count=1,
    )
    assert rule["id"] and rule["count"] == 1
    quote = buy_quote(prime, user)  # SYS_BUSY first, then the SDK's retry after 1 s
    assert quote.quote_id
    assert rule["id"] not in [f["id"] for f in faults(box)]  # used up
    r = box.admin.get(
        "/sandbox/v1/requests", params={"caller": partner.client_id, "code": "1230102"}
    )
    assert r.status_code == 200
    box.audit()


def test_error_answers_the_connect_envelope_with_the_code(
    box: Sandbox, partner: PartnerCreds, user: str, prime: ConnectPrimeClient
) -> None:
    add_fault(
        box,
        family="connect",
        scope={"partnerClientId": partner.client_id},
        endpoint=f"{PRIME}/quote",
        action={"type": "error", "code": "1230303", "message": "injected"},
        count=1,
    )
    with pytest.raises(IllegalParameters) as info:
        buy_quote(prime, user)
    assert info.value.code == "1230303"
    assert buy_quote(prime, user).quote_id  # count=1: the next one goes through


def test_a_rule_scoped_to_another_partner_does_not_apply(
    box: Sandbox, user: str, prime: ConnectPrimeClient
) -> None:
    other = box.create_partner()
    rule = add_fault(
        box,
        family="connect",
        scope={"partnerClientId": other.client_id},
        endpoint="*",
        action={"type": "error", "code": "1230101"},
    )
    assert buy_quote(prime, user).quote_id
    assert box.admin.delete(f"/sandbox/v1/faults/{rule['id']}").status_code == 200
    assert box.admin.delete(f"/sandbox/v1/faults/{rule['id']}").status_code == 404


def test_share_zero_never_applies(
    box: Sandbox, partner: PartnerCreds, user: str, prime: ConnectPrimeClient
) -> None:
    add_fault(
        box,
        family="connect",
        scope={"partnerClientId": partner.client_id},
        action={"type": "error", "code": "1230101"},
        share=0,
    )
    for _ in range(3):
        assert buy_quote(prime, user).quote_id


def test_http504_still_executes_the_order(
    box: Sandbox, partner: PartnerCreds, user: str, prime: ConnectPrimeClient
) -> None:
    quote = buy_quote(prime, user)
    add_fault(
        box,
        family="connect",
        scope={"partnerClientId": partner.client_id},
        endpoint="/quote/execute",
        action={"type": "http504"},
        count=1,
    )
    with pytest.raises(BinanceSandboxError):
        prime.execute_quote(quote.quote_id, "c-504")  # never retried blindly
    # Guide §13: the outcome was unknown; the order exists all the same.
    order = prime.transaction(client_order_id="c-504")
    assert order.order_id
    listed = box.admin.get(
        "/sandbox/v1/prime/orders", params={"partnerClientId": partner.client_id}
    ).json()
    assert [o["clientOrderId"] for o in listed] == ["c-504"]
    box.audit()


def test_latency_delays_the_answer(
    box: Sandbox, partner: PartnerCreds, user: str, prime: ConnectPrimeClient
) -> None:
    add_fault(
        box,
        family="connect",
        scope={"partnerClientId": partner.client_id},
        endpoint="/buy/fiat-list",
        action={"type": "latency", "ms": 300},
        count=1,
    )
    started = time.monotonic()
    prime.fiat_list(user)
    assert time.monotonic() - started >= 0.3


def _wapi_get(box: Sandbox, key: dict[str, Any], path: str) -> httpx.Response:
    query = urlencode({"timestamp": box.now()})
    sig = hmac.new(key["secretKey"].encode(), query.encode(), hashlib.sha256).hexdigest()
    return httpx.get(
        f"{box.url}{path}?{query}&signature={sig}",
        headers={"X-MBX-APIKEY": key["apiKey"]},
        timeout=30,
    )


def test_ratelimit_on_wapi_is_a_429_with_retry_after(box: Sandbox) -> None:
    user = box.create_user()
    key = box.admin.post("/sandbox/v1/api-keys", json={"userId": user}).json()
    add_fault(
        box,
        family="wallet",
        scope={"apiKey": key["apiKey"]},
        endpoint="/wapi/v3/accountStatus.html",
        action={"type": "ratelimit"},
        count=1,
    )
    r = _wapi_get(box, key, "/wapi/v3/accountStatus.html")
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "1"
    assert wire.loads(r.content)["code"] == -1003
    r = _wapi_get(box, key, "/wapi/v3/accountStatus.html")
    assert r.status_code == 200 and wire.loads(r.content)["success"] is True


def test_error_on_wapi_answers_success_false(box: Sandbox) -> None:
    user = box.create_user()
    key = box.admin.post("/sandbox/v1/api-keys", json={"userId": user}).json()
    add_fault(
        box,
        family="wallet",
        scope={"userId": user},
        action={"type": "error", "code": "-1000", "message": "injected"},
        count=1,
    )
    r = _wapi_get(box, key, "/wapi/v3/accountStatus.html")
    assert r.status_code == 200
    assert wire.loads(r.content) == {"success": False, "msg": "injected"}


def test_pay_error_and_ratelimit_answer_the_pay_envelope(box: Sandbox) -> None:
    merchant = box.admin.post("/sandbox/v1/merchants", json={"name": "Faulty shop"}).json()
    for action, code in (
        ({"type": "error", "code": "400201", "message": "injected"}, "400201"),
        ({"type": "ratelimit"}, "400000"),
    ):
        add_fault(
            box,
            family="pay",
            scope={"merchantId": merchant["merchantId"]},
            endpoint="/v2/order/query",
            action=action,
            count=1,
        )
        body = wire.loads(_pay_post(box, merchant, "/v2/order/query", {"prepayId": "1"}))
        assert body["status"] == "FAIL" and body["code"] == code, body


def _pay_post(box: Sandbox, merchant: dict[str, Any], path: str, payload: Any) -> bytes:
    raw = wire.dumps(payload).encode()
    ts, nonce = str(int(time.time() * 1000)), secrets.token_hex(16)
    signed = ts.encode() + b"\n" + nonce.encode() + b"\n" + raw + b"\n"
    sig = hmac.new(merchant["apiSecret"].encode(), signed, hashlib.sha512).hexdigest().upper()
    r = httpx.post(
        f"{box.url}/binancepay/openapi{path}",
        content=raw,
        headers={
            "Content-Type": "application/json",
            "BinancePay-Timestamp": ts,
            "BinancePay-Nonce": nonce,
            "BinancePay-Certificate-SN": merchant["apiKey"],
            "BinancePay-Signature": sig,
        },
        timeout=30,
    )
    return r.content


def test_bad_rules_are_refused(box: Sandbox) -> None:
    for rule, fragment in (
        ({"family": "connect", "action": {"type": "status"}}, "action.type"),
        ({"family": "connect", "action": {"type": "latency", "ms": 60_000}}, "action.ms"),
        ({"family": "pay", "action": {"type": "error", "code": "x"}}, "action.code"),
        ({"family": "merchant", "action": {"type": "status", "status": "NOPE"}}, "status"),
        ({"family": "nope", "action": {"type": "error"}}, "family"),
        ({"family": "connect", "scope": {"who": "x"}, "action": {"type": "http504"}}, "scope"),
    ):
        r = box.admin.post("/sandbox/v1/faults", json=rule)
        assert r.status_code == 400, r.text
        assert fragment in r.json()["error"]["message"], r.text
