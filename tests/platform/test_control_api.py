"""The control API: admin token, partners, users, balances, the clock, its error shape."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from binance_sandbox.signing import generate_private_key, public_key_to_der_b64, public_key_to_pem


@pytest.mark.parametrize(
    "auth", [None, "Bearer wrong", "Basic test-admin-token", "test-admin-token"]
)
def test_everything_needs_the_admin_token(sandbox: Any, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    with httpx.Client(base_url=sandbox.url, headers=headers) as http:
        for method, path in [
            ("GET", "/sandbox/v1/partners"),
            ("POST", "/sandbox/v1/clock/advance"),
            ("GET", "/sandbox/v1/ledger/audit"),
        ]:
            r = http.request(method, path, json={"ms": 1})
            assert r.status_code == 401
            assert r.json() == {
                "error": {
                    "code": "UNAUTHORIZED",
                    "message": "Missing or wrong admin token (Authorization: Bearer <token>).",
                }
            }


def test_partner_onboarding_answers_what_binance_gives(sandbox: Any) -> None:
    key = generate_private_key(1024)
    # PEM is accepted as well as Base64 DER; the answer has the guide §2 items.
    r = sandbox.admin.post(
        "/sandbox/v1/partners",
        json={
            "name": "Acme Bank",
            "rsaPublicKey": public_key_to_pem(key.public_key()),
            "ipWhitelist": ["192.168.1.7"],
            "customSpreadMin": "0.001",
            "customSpreadMax": "0.03",
        },
    )
    assert r.status_code == 201
    data = r.json()
    assert len(data["clientId"]) == 20 and len(data["signAccessToken"]) == 40
    assert data["webhookPublicKey"].startswith("MII") and data["ipWhitelist"] == ["192.168.1.7/32"]
    listed = sandbox.admin.get(f"/sandbox/v1/partners/{data['clientId']}").json()
    assert "signAccessToken" not in listed and listed["name"] == "Acme Bank"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"name": "x", "rsaPublicKey": "not a key"},
            "rsaPublicKey: key is neither PEM nor Base64 DER",
        ),
        ({"name": "x", "rsaPublicKey": "AAAA"}, "rsaPublicKey: not an X.509 public key"),
        ({"name": "x", "rsaPublicKey": "K", "ipWhitelist": ["nope"]}, None),
        (
            {"name": "x", "customSpreadMin": "0.1", "customSpreadMax": "0.05"},
            "customSpreadMin and customSpreadMax must satisfy 0 <= min <= max < 1.",
        ),
        ({"name": "x", "webhookUrl": "ftp://x"}, "webhookUrl must be an http(s) URL."),
        (
            {"name": "x", "surprise": 1},
            "Illegal parameter: surprise: Extra inputs are not permitted",
        ),
    ],
)
def test_partner_validation(sandbox: Any, body: dict[str, Any], message: str | None) -> None:
    key = public_key_to_der_b64(generate_private_key(1024).public_key())
    payload = (
        {"rsaPublicKey": key, **body}
        if body.get("rsaPublicKey") != "K"
        else {**body, "rsaPublicKey": key}
    )
    r = sandbox.admin.post("/sandbox/v1/partners", json=payload)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "INVALID"
    if message:
        assert r.json()["error"]["message"] == message


def test_users_and_credit(sandbox: Any) -> None:
    partner = sandbox.create_partner()
    r = sandbox.admin.post(
        "/sandbox/v1/users", json={"partnerClientId": partner.client_id, "email": "Ann@Example.com"}
    )
    assert r.status_code == 201
    user = r.json()
    assert (
        user["email"] == "ann@example.com"
        and user["userId"].isdigit()
        and len(user["userId"]) == 11
    )
    again = sandbox.admin.post("/sandbox/v1/users", json={"email": "ann@example.com"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "CONFLICT"
    assert (
        sandbox.admin.post("/sandbox/v1/users", json={"partnerClientId": "missing"}).status_code
        == 404
    )
    listed = sandbox.admin.get(
        "/sandbox/v1/users", params={"partnerClientId": partner.client_id}
    ).json()
    assert [u["userId"] for u in listed] == [user["userId"]]

    credit = sandbox.admin.post(
        "/sandbox/v1/balances/credit",
        json={"userId": user["userId"], "asset": "BTC", "amount": "0.12345678"},
    )
    assert credit.status_code == 200
    assert credit.json()["balances"] == [{"asset": "BTC", "wallet": "SPOT", "amount": "0.12345678"}]
    for body, status, message in [
        (
            {"userId": user["userId"], "asset": "BTC", "amount": "0.123456789"},
            400,
            "amount: more than 8 decimal places",
        ),
        (
            {"userId": user["userId"], "asset": "BTC", "amount": "-1"},
            400,
            "amount must be greater than 0.",
        ),
        ({"userId": user["userId"], "asset": "DOGE", "amount": "1"}, 400, None),
        ({"userId": "999", "asset": "BTC", "amount": "1"}, 404, "No user 999."),
        ({"userId": user["userId"], "asset": "BTC", "amount": "NaN"}, 400, None),
    ]:
        r = sandbox.admin.post("/sandbox/v1/balances/credit", json=body)
        assert r.status_code == status, (body, r.text)
        if message:
            assert r.json()["error"]["message"] == message
    assert sandbox.balance(user["userId"], "BTC") == __import__("decimal").Decimal("0.12345678")
    sandbox.audit()


def test_malformed_control_bodies(sandbox: Any) -> None:
    r = sandbox.admin.post(
        "/sandbox/v1/users", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert (
        r.status_code == 400 and r.json()["error"]["message"] == "Request body is not valid JSON."
    )
    r = sandbox.admin.get("/sandbox/v1/webhooks", params={"limit": "many"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "INVALID"
    r = sandbox.admin.get("/sandbox/v1/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"


def error(r: httpx.Response) -> tuple[int, str, str]:
    body = r.json()["error"]
    return r.status_code, body["code"], body["message"]


def test_operator_refusals_answer_in_the_control_envelope(sandbox: Any) -> None:
    admin = sandbox.admin
    assert error(admin.get("/sandbox/v1/users/404404404/deposit-address?coin=USDT")) == (
        404,
        "NOT_FOUND",
        "No user 404404404.",
    )
    assert error(admin.post("/sandbox/v1/withdrawals/abc/undo")) == (
        400,
        "INVALID",
        "outcome must be cancel, reject or fail.",
    )
    assert error(admin.post("/sandbox/v1/withdrawals/no-such-withdrawal/cancel"))[:2] == (
        404,
        "NOT_FOUND",
    )
    assert error(admin.get("/sandbox/v1/deposits?status=LOST")) == (
        400,
        "INVALID",
        "status must be INIT, AUTHORIZED, REJECTED or EXPIRED.",
    )
    assert error(admin.get("/sandbox/v1/webhooks/2147483647")) == (
        404,
        "NOT_FOUND",
        "No webhook delivery 2147483647.",
    )
    assert error(admin.get("/sandbox/v1/merchants/123456789012")) == (
        404,
        "NOT_FOUND",
        "No merchant 123456789012.",
    )
    assert error(admin.get("/sandbox/v1/prime/orders/none")) == (
        404,
        "NOT_FOUND",
        "No Connect Prime order none.",
    )
    assert error(
        admin.post(
            "/sandbox/v1/pay/refunds/reject", json={"merchantId": "1", "refundRequestId": "r"}
        )
    ) == (404, "NOT_FOUND", "No refund r of merchant 1.")
    r = admin.post(
        "/sandbox/v1/chain/transfers",
        json={"network": "NOPE", "address": "x", "asset": "USDT", "amount": "1"},
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "INVALID"


def test_a_chain_transfer_is_listed_as_it_was_sent(sandbox: Any) -> None:
    user = sandbox.create_user()
    address = sandbox.admin.get(
        f"/sandbox/v1/users/{user}/deposit-address", params={"coin": "USDT"}
    ).json()
    assert address["coin"] == "USDT" and address["address"]
    sent = sandbox.admin.post(
        "/sandbox/v1/chain/transfers",
        json={
            "network": address["network"],
            "address": address["address"],
            "addressTag": address["addressTag"],
            "asset": "USDT",
            "amount": "12.50",
        },
    )
    assert sent.status_code == 201, sent.text
    listed = sandbox.admin.get(
        "/sandbox/v1/chain/transfers", params={"txHash": sent.json()["txHash"]}
    ).json()
    assert listed == [sent.json()]
    assert set(listed[0]) == {
        "txHash",
        "network",
        "address",
        "addressTag",
        "asset",
        "amount",
        "userId",
        "status",
        "confirmationsNeeded",
        "createdAt",
        "confirmAt",
        "creditedAt",
    }
    assert (listed[0]["amount"], listed[0]["userId"]) == ("12.5", user)


def test_clock_advance_freeze_and_only_forward(make_sandbox: Any) -> None:
    box = make_sandbox("clock", clock_start_ms=None)
    running = box.admin.get("/sandbox/v1/clock").json()
    assert running["frozen"] is False
    frozen = box.admin.post("/sandbox/v1/clock", json={"frozen": True}).json()
    assert frozen["frozen"] is True
    assert box.now() == frozen["nowMs"] == box.now()
    assert box.advance(3_600_000) == frozen["nowMs"] + 3_600_000
    assert box.admin.post("/sandbox/v1/clock", json={"nowMs": frozen["nowMs"]}).status_code == 400
    assert box.admin.post("/sandbox/v1/clock/advance", json={"ms": -5}).status_code == 400
    unfrozen = box.admin.post("/sandbox/v1/clock", json={"frozen": False}).json()
    assert unfrozen["frozen"] is False and unfrozen["nowMs"] >= frozen["nowMs"] + 3_600_000


def test_healthz_and_openapi(sandbox: Any) -> None:
    with httpx.Client(base_url=sandbox.url) as http:
        health = http.get("/healthz").json()
        assert health["status"] == "ok" and health["database"] in ("sqlite", "postgresql")
        spec = http.get("/openapi.json").json()
    paths = spec["paths"]
    prime = [p for p in paths if p.startswith("/papi/v1/ramp/connect/prime/")]
    assert len(prime) == 12
    assert "requestBody" in paths["/papi/v1/ramp/connect/prime/quote"]["post"]
    assert "/sandbox/v1/partners" in paths


def test_a_stale_clock_state_never_moves_the_clock_back() -> None:
    from binance_sandbox.clock import Clock, ClockState

    clock = Clock(ClockState(0, 1_000, 1))
    newer = clock.advanced(500)
    clock.load(newer)
    clock.load(ClockState(0, 1_000, 1))  # a read that started before the advance committed
    assert clock.now_ms() == 1_500
