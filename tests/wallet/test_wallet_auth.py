"""Signed requests (spec "SIGNED (TRADE and USER_DATA) Endpoint security", "Timing security";
NOTES.md "Wallet"): the spec's own example, every filter error in the wapi envelope and in
the api/sapi one, key permissions and IP restrictions."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import httpx
import pytest
from wallet_support import Signed, body_of, create_key, hmac_hex, nested

from sandbox_harness import Sandbox

SPEC_API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SPEC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
SPEC_QUERY = (
    "asset=ETH&address=0x6915f16f8791d0a1cc2bf47c13a6b2a92000504b&amount=1&recvWindow=5000"
    "&name=test&timestamp=1510903211000"
)
SPEC_SIGNATURE = "157fb937ec848b5f802daa4d9f62bea08becbf4f311203bda2bd34cd9853e320"
SPEC_TIMESTAMP = 1_510_903_211_000
BAD_SIGNATURE = {"code": -1022, "msg": "Signature for this request is not valid."}
REJECTED = {"code": -2015, "msg": "Invalid API-key, IP, or permissions for action."}


@pytest.fixture(scope="module")
def spec_box(make_sandbox: Any) -> Sandbox:
    """A sandbox whose clock stands at the spec example's timestamp."""
    box: Sandbox = make_sandbox("wallet-spec", clock_start_ms=SPEC_TIMESTAMP)
    user = box.create_user()
    create_key(box, user, apiKey=SPEC_API_KEY, secretKey=SPEC_SECRET)
    box.credit(user, "ETH", "5")
    box.users["spec"] = user
    return box


def spec_withdraw(box: Sandbox, query: str) -> httpx.Response:
    return httpx.post(
        f"{box.url}/wapi/v3/withdraw.html?{query}", headers={"X-MBX-APIKEY": SPEC_API_KEY}
    )


def test_the_spec_example_signature_is_the_hmac_of_its_query_string() -> None:
    assert hmac_hex(SPEC_SECRET, SPEC_QUERY) == SPEC_SIGNATURE


def test_the_spec_example_is_accepted_and_a_changed_byte_is_not(spec_box: Sandbox) -> None:
    user = spec_box.users["spec"]
    changed = [
        SPEC_QUERY.replace("amount=1", "amount=2"),
        SPEC_QUERY.replace("name=test", "name=tesT"),
        SPEC_QUERY.replace("0x6915", "0x6916"),
    ]
    for query in changed:
        r = spec_withdraw(spec_box, f"{query}&signature={SPEC_SIGNATURE}")
        assert (r.status_code, nested(body_of(r)["msg"])) == (200, BAD_SIGNATURE)
    wrong_signature = SPEC_SIGNATURE[:-1] + "1"
    r = spec_withdraw(spec_box, f"{SPEC_QUERY}&signature={wrong_signature}")
    assert nested(body_of(r)["msg"]) == BAD_SIGNATURE
    # The curl line of the spec sends name=addressName, which its signature does not cover.
    curl = SPEC_QUERY.replace("name=test", "name=addressName")
    assert (
        nested(body_of(spec_withdraw(spec_box, f"{curl}&signature={SPEC_SIGNATURE}"))["msg"])[
            "code"
        ]
        == -1022
    )
    assert spec_box.balance(user, "ETH") == Decimal(5)

    r = spec_withdraw(spec_box, f"{SPEC_QUERY}&signature={SPEC_SIGNATURE}")
    data = body_of(r)
    assert r.status_code == 200 and data["success"] is True and data["msg"] == "success", data
    assert len(data["id"]) == 32 and int(data["id"], 16) >= 0
    # 1 ETH plus the ETH network's fee of 0.0012 (chain core).
    assert spec_box.balance(user, "ETH") == Decimal("3.9988")
    spec_box.audit()


def test_signature_hex_is_not_case_sensitive(signed: Signed) -> None:
    r = signed.request("GET", "/wapi/v3/accountStatus.html", signature="0" * 64)
    assert nested(body_of(r)["msg"]) == BAD_SIGNATURE
    ts = signed.box.now()
    query = f"timestamp={ts}"
    upper = hmac_hex(signed.key.secret_key, query).upper()
    r = signed.http.get(
        f"/wapi/v3/accountStatus.html?{query}&signature={upper}",
        headers={"X-MBX-APIKEY": signed.key.api_key},
    )
    assert body_of(r) == {"msg": "Normal", "success": True}


def test_api_key_header_missing_malformed_unknown(signed: Signed, http: httpx.Client) -> None:
    bad_format = {"code": -2014, "msg": "API-key format invalid."}
    assert (
        signed.wapi_filter_error("GET", "accountStatus.html", headers={"X-MBX-APIKEY": ""})
        == bad_format
    )
    assert (
        signed.wapi_filter_error("GET", "accountStatus.html", headers={"X-MBX-APIKEY": "no-key!"})
        == bad_format
    )
    assert (
        signed.wapi_filter_error("GET", "accountStatus.html", headers={"X-MBX-APIKEY": "A" * 64})
        == REJECTED
    )
    # The same refusals in the api/sapi envelope, with their HTTP status.
    assert (
        signed.sapi_fail("GET", "asset/assetDividend", 401, headers={"X-MBX-APIKEY": ""})
        == bad_format
    )
    assert (
        signed.sapi_fail("GET", "asset/assetDividend", 401, headers={"X-MBX-APIKEY": "A" * 64})
        == REJECTED
    )
    r = http.get("/sapi/v1/asset/assetDividend?timestamp=1")
    assert (r.status_code, body_of(r)) == (401, bad_format)


def test_deactivated_key_and_reactivated(signed: Signed) -> None:
    patch = signed.box.admin.patch(
        f"/sandbox/v1/api-keys/{signed.key.api_key}", json={"active": False}
    )
    assert patch.status_code == 200 and patch.json()["active"] is False
    assert signed.wapi_filter_error("GET", "accountStatus.html") == REJECTED
    signed.box.admin.patch(f"/sandbox/v1/api-keys/{signed.key.api_key}", json={"active": True})
    assert signed.wapi_ok("GET", "accountStatus.html")["msg"] == "Normal"


def test_ip_whitelist(signer: Any) -> None:
    elsewhere = signer(ipWhitelist=["10.0.0.0/8"])
    assert elsewhere.wapi_filter_error("GET", "accountStatus.html") == REJECTED
    assert elsewhere.sapi_fail("GET", "asset/assetDividend", 401) == REJECTED
    here = signer(ipWhitelist=["127.0.0.1"])
    assert here.wapi_ok("GET", "accountStatus.html")["success"] is True
    # The whitelist can change; the key directory forgets the old one at once.
    r = here.box.admin.patch(
        f"/sandbox/v1/api-keys/{here.key.api_key}", json={"ipWhitelist": ["192.168.0.0/16"]}
    )
    assert r.json()["ipWhitelist"] == ["192.168.0.0/16"]
    assert here.wapi_filter_error("GET", "accountStatus.html") == REJECTED


def test_permissions_follow_the_security_type(signer: Any, box: Sandbox) -> None:
    reader = signer(permissions=["USER_DATA"])
    assert reader.key.raw["permissions"] == ["USER_DATA"]
    assert reader.wapi_ok("GET", "accountStatus.html")["success"] is True
    # withdraw, sub-account transfer and dust are TRADE.
    trade = {"asset": "ETH", "address": "0x" + "1" * 40, "amount": "1"}
    assert reader.wapi_filter_error("POST", "withdraw.html", trade) == REJECTED
    transfer = {"fromEmail": "a@x.com", "toEmail": "b@x.com", "asset": "ETH", "amount": "1"}
    assert reader.wapi_filter_error("POST", "sub-account/transfer.html", transfer) == REJECTED
    assert reader.sapi_fail("POST", "asset/dust", 401, {"asset": "ETH"}) == REJECTED
    trader = signer(permissions=["TRADE"])
    assert trader.wapi_filter_error("GET", "accountStatus.html") == REJECTED
    r = box.admin.post(
        "/sandbox/v1/api-keys", json={"userId": box.create_user(), "permissions": ["WITHDRAW"]}
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "INVALID"
    r = box.admin.post("/sandbox/v1/api-keys", json={"userId": "404404404"})
    assert r.status_code == 404
    duplicate = box.admin.post(
        "/sandbox/v1/api-keys",
        json={"userId": reader.key.user_id, "apiKey": reader.key.api_key},
    )
    assert duplicate.status_code == 409
    listed = box.admin.get("/sandbox/v1/api-keys", params={"userId": reader.key.user_id}).json()
    assert [k["apiKey"] for k in listed] == [reader.key.api_key]
    assert "secretKey" not in listed[0]


@pytest.mark.parametrize(
    ("params", "code", "msg"),
    [
        (
            {"timestamp": ""},
            -1102,
            "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
        ),
        (
            {"timestamp": "12x"},
            -1100,
            "Illegal characters found in parameter 'timestamp'; legal range is '^[0-9]{1,20}$'.",
        ),
        (
            {"recvWindow": "-5"},
            -1100,
            "Illegal characters found in parameter 'recvWindow'; legal range is '^[0-9]{1,20}$'.",
        ),
        ({"recvWindow": "60001"}, -1131, "recvWindow must be less than 60000"),
    ],
)
def test_timestamp_and_recv_window_are_checked(
    signed: Signed, params: dict[str, str], code: int, msg: str
) -> None:
    ts = str(signed.box.now())
    pairs = {"timestamp": ts, **params}
    query = "&".join(f"{k}={v}" for k, v in pairs.items())
    sig = hmac_hex(signed.key.secret_key, query)
    r = signed.http.get(
        f"/wapi/v3/accountStatus.html?{query}&signature={sig}",
        headers={"X-MBX-APIKEY": signed.key.api_key},
    )
    assert nested(body_of(r)["msg"]) == {"code": code, "msg": msg}
    r = signed.http.get(
        f"/sapi/v1/asset/assetDividend?{query}&signature={sig}",
        headers={"X-MBX-APIKEY": signed.key.api_key},
    )
    assert (r.status_code, body_of(r)) == (400, {"code": code, "msg": msg})


def test_signature_missing(signed: Signed) -> None:
    r = signed.request(
        "GET", "/wapi/v3/accountStatus.html", {"timestamp": signed.box.now()}, signed=False
    )
    assert nested(body_of(r)["msg"]) == {
        "code": -1102,
        "msg": "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
    }


def test_the_timing_rule_on_the_sandbox_clock(signed: Signed) -> None:
    now = signed.box.now()
    ahead = {
        "code": -1021,
        "msg": "Timestamp for this request was 1000ms ahead of the server's time.",
    }
    late = {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}
    assert signed.wapi_filter_error("GET", "accountStatus.html", timestamp=now + 1000) == ahead
    assert signed.wapi_ok("GET", "accountStatus.html", timestamp=now + 999)["success"]
    assert signed.wapi_filter_error("GET", "accountStatus.html", timestamp=now - 5001) == late
    assert signed.wapi_ok("GET", "accountStatus.html", timestamp=now - 5000)["success"]
    assert signed.wapi_ok("GET", "accountStatus.html", timestamp=now - 9000, recv_window=10000)[
        "success"
    ]
    assert (
        signed.wapi_filter_error(
            "GET", "accountStatus.html", timestamp=now - 60001, recv_window=60000
        )
        == late
    )
    assert signed.sapi_fail("GET", "asset/assetDividend", 400, timestamp=now + 5000) == ahead
    # A client signing with real time is accepted too (the sandbox clock is not the wall's).
    wall = int(time.time() * 1000)
    assert abs(wall - now) > 60_000
    assert signed.wapi_ok("GET", "accountStatus.html", timestamp=wall)["success"]


def test_total_params_is_query_then_body_as_received(signed: Signed) -> None:
    """POST parameters may be in the query string, the body, or both (spec "General
    endpoints information"); totalParams is their plain concatenation."""
    box = signed.box
    box.credit(signed.key.user_id, "ETH", "1")
    ts = box.now()
    query = "asset=ETH&address=0x6915f16f8791d0a1cc2bf47c13a6b2a92000504b"
    form = f"amount=0.1&timestamp={ts}"
    sig = hmac_hex(signed.key.secret_key, query + form)
    r = signed.http.post(
        f"/wapi/v3/withdraw.html?{query}",
        content=f"{form}&signature={sig}".encode(),
        headers={
            "X-MBX-APIKEY": signed.key.api_key,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert body_of(r)["success"] is True, r.text
    # Signed with '&' between the two parts: not what the spec defines.
    sig = hmac_hex(signed.key.secret_key, query + "&" + form)
    r = signed.http.post(
        f"/wapi/v3/withdraw.html?{query}",
        content=f"{form}&signature={sig}".encode(),
        headers={"X-MBX-APIKEY": signed.key.api_key},
    )
    assert nested(body_of(r)["msg"]) == BAD_SIGNATURE
    # A parameter in both: the query string's is used.
    form = f"asset=BTC&amount=0.1&timestamp={ts}"
    sig = hmac_hex(signed.key.secret_key, query + form)
    r = signed.http.post(
        f"/wapi/v3/withdraw.html?{query}",
        content=f"{form}&signature={sig}".encode(),
        headers={"X-MBX-APIKEY": signed.key.api_key},
    )
    assert body_of(r)["success"] is True, r.text
    history = signed.wapi_ok("GET", "withdrawHistory.html")["withdrawList"]
    assert [w["asset"] for w in history] == ["ETH", "ETH"]
    assert box.balance(signed.key.user_id, "ETH") == Decimal("1") - 2 * Decimal("0.1012")


def test_rejections_are_logged_with_an_explanation(signed: Signed) -> None:
    signed.request("GET", "/wapi/v3/tradeFee.html", signature="ab" * 32)
    rows = signed.box.admin.get(
        "/sandbox/v1/requests", params={"family": "wapi", "code": "-1022"}
    ).json()
    mine = [r for r in rows if r["caller"] == signed.key.user_id]
    assert mine and mine[0]["path"] == "/wapi/v3/tradeFee.html"
    assert "expected signed string: 'timestamp=" in mine[0]["explanation"]


def test_unknown_paths_and_methods_answer_code_and_msg(http: httpx.Client) -> None:
    for path in ("/wapi/v3/nothing.html", "/sapi/v1/nothing", "/api/v3/nothing"):
        r = http.get(path)
        assert (r.status_code, body_of(r)) == (404, {"code": -1000, "msg": "Unknown endpoint."})
    r = http.get("/wapi/v3/withdraw.html")
    assert r.status_code == 405 and set(body_of(r)) == {"code", "msg"}
    r = http.post("/sapi/v1/asset/assetDividend")
    assert r.status_code == 405 and body_of(r)["code"] == -1000
