"""Request authentication (guide §3, §4; docs/connect-prime.md): every rejection answers its
code in the envelope, and nothing is processed on a failed check."""

from __future__ import annotations

import time
from typing import Any

import pytest
from prime_support import Signed, envelope

from binance_sandbox.signing import generate_private_key
from binance_sandbox.signing.connect import sign_connect


def test_a_signed_request_is_accepted(signed: Signed, user: str) -> None:
    r = signed.post("/buy/fiat-list", {"userId": user})
    body = envelope(r)
    assert r.status_code == 200
    assert body["success"] is True and body["code"] == "000000" and body["message"] is None
    assert {"currency": "EUR", "precision": 2} in body["data"]["fiatCurrencies"]


@pytest.mark.parametrize(
    ("override", "status", "code", "message"),
    [
        ({"X-Tesla-ClientId": "nobody"}, 401, "1230201", "Invalid X-Tesla-ClientId."),
        ({"X-Tesla-ClientId": ""}, 401, "1230201", "Invalid X-Tesla-ClientId."),
        (
            {"X-Tesla-SignAccessToken": "wrong-token"},
            401,
            "1230202",
            "Invalid X-Tesla-SignAccessToken.",
        ),
        (
            {"X-Tesla-Timestamp": "abc"},
            400,
            "1230203",
            "X-Tesla-Timestamp is outside the allowed window.",
        ),
        (
            {"X-Tesla-Timestamp": "1000"},
            400,
            "1230203",
            "X-Tesla-Timestamp is outside the allowed window.",
        ),
        (
            {"X-Tesla-Signature": "bm90IGEgc2lnbmF0dXJl"},
            401,
            "1230205",
            "Invalid X-Tesla-Signature.",
        ),
        ({"X-Tesla-Signature": "%%%"}, 401, "1230205", "Invalid X-Tesla-Signature."),
        ({"X-Tesla-Signature": ""}, 401, "1230205", "Invalid X-Tesla-Signature."),
    ],
)
def test_each_failed_check_has_its_code(
    signed: Signed, user: str, override: dict[str, str], status: int, code: str, message: str
) -> None:
    r = signed.post("/buy/fiat-list", {"userId": user}, **override)
    body = envelope(r)
    assert (r.status_code, body["success"], body["code"], body["message"]) == (
        status,
        False,
        code,
        message,
    )


def test_a_stale_timestamp_signed_correctly_is_still_rejected(signed: Signed, user: str) -> None:
    stale = str(int(time.time() * 1000) - 10 * 60_000)
    r = signed.post("/buy/fiat-list", {"userId": user}, timestamp=stale)
    assert envelope(r)["code"] == "1230203"


def test_the_signature_covers_the_body_bytes(signed: Signed, user: str) -> None:
    body = f'{{"userId":"{user}"}}'.encode()
    headers = signed.headers(body)
    # Same JSON value, different bytes: a space after the colon.
    tampered = f'{{"userId": "{user}"}}'.encode()
    r = signed.http.post(
        "/papi/v1/ramp/connect/prime/buy/fiat-list", content=tampered, headers=headers
    )
    assert envelope(r)["code"] == "1230205"


def test_the_signature_covers_the_timestamp(signed: Signed, user: str) -> None:
    body = f'{{"userId":"{user}"}}'.encode()
    headers = signed.headers(body)
    headers["X-Tesla-Timestamp"] = str(int(headers["X-Tesla-Timestamp"]) + 1)
    r = signed.http.post("/papi/v1/ramp/connect/prime/buy/fiat-list", content=body, headers=headers)
    assert envelope(r)["code"] == "1230205"


def test_another_key_does_not_verify(signed: Signed, user: str) -> None:
    other = generate_private_key(1024)
    body = f'{{"userId":"{user}"}}'.encode()
    ts = str(int(time.time() * 1000))
    headers = signed.headers(body, timestamp=ts)
    headers["X-Tesla-Signature"] = sign_connect(other, body, ts)
    r = signed.http.post("/papi/v1/ramp/connect/prime/buy/fiat-list", content=body, headers=headers)
    assert envelope(r)["code"] == "1230205"


def test_the_request_log_explains_a_rejected_signature(
    sandbox: Any, signed: Signed, user: str
) -> None:
    r = signed.post("/buy/fiat-list", {"userId": user}, **{"X-Tesla-Signature": "AAAA"})
    assert envelope(r)["code"] == "1230205"
    logged = sandbox.admin.get(
        "/sandbox/v1/requests", params={"caller": signed.partner.client_id, "code": "1230205"}
    ).json()[0]
    assert logged["path"] == "/papi/v1/ramp/connect/prime/buy/fiat-list"
    assert logged["httpStatus"] == 401 and logged["family"] == "connect"
    explanation = logged["explanation"]
    assert "SHA256withRSA" in explanation
    assert f'expected signed string: {{"userId":"{user}"}}' in explanation
    assert "signature received: AAAA" in explanation


def test_ip_whitelist(sandbox: Any) -> None:
    partner = sandbox.create_partner(ipWhitelist=["10.1.2.0/24"])
    user = sandbox.create_user(partner)
    import httpx

    with httpx.Client(base_url=sandbox.url) as http:
        s = Signed(http, partner)
        r = s.post("/buy/fiat-list", {"userId": user})
        body = envelope(r)
        assert (r.status_code, body["code"], body["message"]) == (
            403,
            "1230204",
            "IP 127.0.0.1 is not whitelisted for this client.",
        )
        sandbox.update_partner(partner.client_id, ipWhitelist=["127.0.0.0/8"])
        # The partner cache holds for at most two seconds; the control API clears it at once.
        assert envelope(s.post("/buy/fiat-list", {"userId": user}))["success"] is True


def test_a_deactivated_partner_is_merchant_not_exist(sandbox: Any) -> None:
    partner = sandbox.create_partner()
    user = sandbox.create_user(partner)
    sandbox.update_partner(partner.client_id, active=False)
    import httpx

    with httpx.Client(base_url=sandbox.url) as http:
        r = Signed(http, partner).post("/buy/fiat-list", {"userId": user})
        body = envelope(r)
        assert (r.status_code, body["code"], body["message"]) == (
            200,
            "1230312",
            "Merchant does not exist or is inactive.",
        )
        # A wrong token is still reported as such, before the partner's state is revealed.
        r = Signed(http, partner).post(
            "/buy/fiat-list", {"userId": user}, **{"X-Tesla-SignAccessToken": "x"}
        )
        assert envelope(r)["code"] == "1230202"


def test_nothing_is_processed_on_a_failed_check(sandbox: Any, signed: Signed, user: str) -> None:
    sandbox.credit(user, "BTC", "1")
    quote = envelope(
        signed.post(
            "/quote",
            {
                "userId": user,
                "fiatCurrency": "EUR",
                "cryptoCurrency": "BTC",
                "direction": "SELL",
                "amount": "0.01",
                "amountType": 2,
            },
        )
    )["data"]
    r = signed.post(
        "/quote/execute",
        {"quoteId": quote["quoteId"], "clientOrderId": "never-created"},
        **{"X-Tesla-Signature": "AAAA"},
    )
    assert envelope(r)["code"] == "1230205"
    r = signed.post("/transaction", {"clientOrderId": "never-created"})
    assert envelope(r)["code"] == "1230303"
    assert sandbox.balance(user, "BTC") == 1
    sandbox.audit()


def test_unknown_endpoint_and_wrong_method_keep_the_envelope(sandbox: Any) -> None:
    import httpx

    with httpx.Client(base_url=sandbox.url) as http:
        r = http.post("/papi/v1/ramp/connect/prime/no-such-thing", content=b"{}")
        assert r.status_code == 404 and envelope(r)["code"] == "1230303"
        r = http.get("/papi/v1/ramp/connect/prime/quote")
        assert r.status_code == 405 and envelope(r)["code"] == "1230303"
