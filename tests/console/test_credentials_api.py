"""The control API's credentials: rotating a partner's signAccessToken (with or without a
new RSA key), a merchant's apiKey and apiSecret, a user's Wallet API key; revoking a Wallet
API key; the list of every credential without secrets. After each change the old credential
is refused with its family's authentication error and the new one works, through the SDK;
a second server on the same database stops accepting the old credential within the
directories' cache time; refused requests change nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from credentials_support import connect_call, pay_call, wallet_call

from binance_sandbox.access import CachedDirectory
from binance_sandbox.app import create_app
from binance_sandbox.signing import generate_private_key, public_key_to_der_b64
from sandbox_harness import PartnerCreds, Sandbox, ServerThread

ONE_HOUR_MS = 3_600_000


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """A server of its own: these tests move its clock."""
    return make_sandbox("credentials")


@pytest.fixture(scope="module")
def other(box: Sandbox) -> Iterator[str]:
    """A second API process on the same database (no delivery worker), as when scaled out."""
    server = ServerThread(
        create_app(box.settings.model_copy(update={"embedded_worker": False}))
    ).start()
    yield server.url
    server.stop()


def onboard(box: Sandbox) -> tuple[PartnerCreds, str]:
    partner = box.create_partner(name="Rotating Bank")
    return partner, box.create_user(partner)


def error_of(response: Any) -> tuple[int, dict[str, Any]]:
    return response.status_code, response.json()


# --- partners ------------------------------------------------------------------------------


def test_rotating_a_partner_token_refuses_the_old_one_at_once(box: Sandbox) -> None:
    partner, user = onboard(box)
    assert (
        connect_call(box.url, partner.client_id, partner.access_token, partner.private_key, user)
        is None
    )
    box.advance(ONE_HOUR_MS)

    r = box.admin.post(f"/sandbox/v1/partners/{partner.client_id}/rotate")
    assert r.status_code == 200, r.text
    rotated = r.json()
    token = rotated["signAccessToken"]
    assert len(token) == 40 and token != partner.access_token
    assert rotated["clientId"] == partner.client_id
    assert rotated["credentialsIssuedAt"] == box.now() != rotated["createdAt"]

    refused = connect_call(
        box.url, partner.client_id, partner.access_token, partner.private_key, user
    )
    assert refused is not None
    assert (refused.code, refused.message, refused.http_status) == (
        "1230202",
        "Invalid X-Tesla-SignAccessToken.",
        401,
    )
    assert connect_call(box.url, partner.client_id, token, partner.private_key, user) is None

    # Shown once: reading the partner never gives the token again.
    read = box.admin.get(f"/sandbox/v1/partners/{partner.client_id}").json()
    assert "signAccessToken" not in read
    assert read["credentialsIssuedAt"] == rotated["credentialsIssuedAt"]
    listed = box.admin.get("/sandbox/v1/credentials", params={"owner": partner.client_id})
    assert token not in listed.text and partner.access_token not in listed.text
    assert listed.json() == [
        {
            "kind": "partner",
            "credential": "signAccessToken",
            "ref": partner.client_id,
            "owner": partner.client_id,
            "ownerName": "Rotating Bank",
            "masked": f"{token[:4]}…",
            "issuedAt": rotated["credentialsIssuedAt"],
            "status": "active",
        }
    ]


def test_rotating_with_a_new_rsa_key_replaces_the_key_in_the_same_step(box: Sandbox) -> None:
    partner, user = onboard(box)
    new_key = generate_private_key(1024)
    r = box.admin.post(
        f"/sandbox/v1/partners/{partner.client_id}/rotate",
        json={"rsaPublicKey": public_key_to_der_b64(new_key.public_key())},
    )
    assert r.status_code == 200, r.text
    token = r.json()["signAccessToken"]
    old_key = connect_call(box.url, partner.client_id, token, partner.private_key, user)
    assert old_key is not None and old_key.code == "1230205"
    assert connect_call(box.url, partner.client_id, token, new_key, user) is None


def test_a_refused_rotation_changes_nothing(box: Sandbox) -> None:
    partner, user = onboard(box)
    r = box.admin.post(
        f"/sandbox/v1/partners/{partner.client_id}/rotate", json={"rsaPublicKey": "not a key"}
    )
    assert error_of(r) == (
        400,
        {
            "error": {
                "code": "INVALID",
                "message": "rsaPublicKey: key is neither PEM nor Base64 DER",
            }
        },
    )
    r = box.admin.post(f"/sandbox/v1/partners/{partner.client_id}/rotate", json={"token": "x"})
    assert error_of(r)[0] == 400
    assert error_of(r)[1]["error"]["code"] == "INVALID"
    assert error_of(r)[1]["error"]["message"].startswith("Illegal parameter: token:")
    assert (
        connect_call(box.url, partner.client_id, partner.access_token, partner.private_key, user)
        is None
    )

    assert error_of(box.admin.post("/sandbox/v1/partners/nope1/rotate")) == (
        404,
        {"error": {"code": "NOT_FOUND", "message": "No partner nope1."}},
    )
    assert error_of(box.admin.post("/sandbox/v1/merchants/123456789012/rotate")) == (
        404,
        {"error": {"code": "NOT_FOUND", "message": "No merchant 123456789012."}},
    )
    assert error_of(box.admin.post("/sandbox/v1/api-keys/nokey/rotate")) == (
        404,
        {"error": {"code": "NOT_FOUND", "message": "No API key nokey."}},
    )
    assert error_of(box.admin.delete("/sandbox/v1/api-keys/nokey")) == (
        404,
        {"error": {"code": "NOT_FOUND", "message": "No API key nokey."}},
    )
    assert error_of(box.admin.get("/sandbox/v1/credentials", params={"kind": "ssh"})) == (
        400,
        {"error": {"code": "INVALID", "message": "kind must be one of partner, merchant, wallet."}},
    )


def test_rotation_needs_the_admin_token(box: Sandbox) -> None:
    partner, _user = onboard(box)
    with httpx.Client(base_url=box.url) as http:
        r = http.post(f"/sandbox/v1/partners/{partner.client_id}/rotate")
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"


# --- merchants -----------------------------------------------------------------------------


def test_rotating_a_merchant_key_refuses_the_old_key(box: Sandbox) -> None:
    created = box.admin.post("/sandbox/v1/merchants", json={"name": "Rotating Shop"}).json()
    old_key, old_secret = created["apiKey"], created["apiSecret"]
    assert pay_call(box.url, old_key, old_secret) is None
    box.advance(ONE_HOUR_MS)

    r = box.admin.post(f"/sandbox/v1/merchants/{created['merchantId']}/rotate")
    assert r.status_code == 200, r.text
    rotated = r.json()
    assert rotated["merchantId"] == created["merchantId"]
    assert len(rotated["apiKey"]) == 64 and rotated["apiKey"] != old_key
    assert len(rotated["apiSecret"]) == 64 and rotated["apiSecret"] != old_secret
    assert rotated["credentialsIssuedAt"] == box.now()

    refused = pay_call(box.url, old_key, old_secret)
    assert refused is not None
    assert (refused.code, refused.message) == ("400004", "API identity key not found or invalid.")
    # The new key with the old secret is a wrong signature, not a known key's success.
    wrong = pay_call(box.url, rotated["apiKey"], old_secret)
    assert wrong is not None and wrong.code == "400002"
    assert pay_call(box.url, rotated["apiKey"], rotated["apiSecret"]) is None

    listed = box.admin.get("/sandbox/v1/credentials", params={"kind": "merchant"})
    assert rotated["apiKey"] not in listed.text and rotated["apiSecret"] not in listed.text
    (row,) = [k for k in listed.json() if k["owner"] == created["merchantId"]]
    assert row["masked"] == f"{rotated['apiKey'][:8]}…" and row["status"] == "active"
    assert "apiSecret" not in box.admin.get(f"/sandbox/v1/merchants/{created['merchantId']}").json()


# --- Wallet API keys -----------------------------------------------------------------------


def test_rotating_and_revoking_a_wallet_api_key(box: Sandbox) -> None:
    user = box.create_user()
    r = box.admin.post(
        "/sandbox/v1/api-keys",
        json={"userId": user, "permissions": ["USER_DATA"], "ipWhitelist": ["127.0.0.1"]},
    )
    assert r.status_code == 201, r.text
    first = r.json()
    assert wallet_call(box.url, first["apiKey"], first["secretKey"]) is None

    r = box.admin.post(f"/sandbox/v1/api-keys/{first['apiKey']}/rotate")
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["replacesApiKey"] == first["apiKey"] != second["apiKey"]
    assert second["userId"] == user and len(second["secretKey"]) == 64
    assert second["permissions"] == ["USER_DATA"] and second["ipWhitelist"] == ["127.0.0.1/32"]
    refused = wallet_call(box.url, first["apiKey"], first["secretKey"])
    assert refused is not None
    assert (refused.code, refused.message) == (
        -2015,
        "Invalid API-key, IP, or permissions for action.",
    )
    assert wallet_call(box.url, second["apiKey"], second["secretKey"]) is None
    keys = box.admin.get("/sandbox/v1/api-keys", params={"userId": user}).json()
    assert [k["apiKey"] for k in keys] == [second["apiKey"]]
    assert all("secretKey" not in k for k in keys)

    r = box.admin.delete(f"/sandbox/v1/api-keys/{second['apiKey']}")
    assert r.status_code == 200, r.text
    assert r.json() == {"apiKey": second["apiKey"], "userId": user, "revoked": True}
    refused = wallet_call(box.url, second["apiKey"], second["secretKey"])
    assert refused is not None and refused.code == -2015
    assert box.admin.get("/sandbox/v1/api-keys", params={"userId": user}).json() == []
    assert box.admin.get("/sandbox/v1/credentials", params={"owner": user}).json() == []


def test_the_credentials_list_has_every_family_and_no_secret(box: Sandbox) -> None:
    partner, user = onboard(box)
    merchant = box.admin.post("/sandbox/v1/merchants", json={"name": "Listed Shop"}).json()
    key = box.admin.post("/sandbox/v1/api-keys", json={"userId": user}).json()
    box.admin.patch(f"/sandbox/v1/api-keys/{key['apiKey']}", json={"active": False})
    box.update_partner(partner.client_id, active=False)
    r = box.admin.get("/sandbox/v1/credentials")
    assert r.status_code == 200
    for secret in (
        partner.access_token,
        merchant["apiSecret"],
        merchant["apiKey"],
        key["secretKey"],
    ):
        assert secret not in r.text
    by_owner = {(k["kind"], k["owner"]): k for k in r.json()}
    assert by_owner["partner", partner.client_id]["status"] == "inactive"
    assert by_owner["merchant", merchant["merchantId"]]["ownerName"] == "Listed Shop"
    wallet = by_owner["wallet", user]
    assert wallet["status"] == "disabled" and wallet["ref"] == key["apiKey"]
    assert wallet["ownerName"].endswith("@sandbox.test")
    assert {k["kind"] for k in r.json()} == {"partner", "merchant", "wallet"}


# --- other processes -----------------------------------------------------------------------


def refused_within(call: Callable[[], Any], seconds: float) -> float:
    """How long until `call` answers an error (it must within `seconds`)."""
    start = time.monotonic()
    while call() is None:
        elapsed = time.monotonic() - start
        assert elapsed < seconds, f"the old credential was still accepted after {elapsed:.1f} s"
        time.sleep(0.05)
    return time.monotonic() - start


def test_another_process_stops_accepting_old_credentials_within_the_cache_time(
    box: Sandbox, other: str
) -> None:
    partner, user = onboard(box)
    merchant = box.admin.post("/sandbox/v1/merchants", json={"name": "Scaled Shop"}).json()
    key = box.admin.post("/sandbox/v1/api-keys", json={"userId": user}).json()
    # The other process has the credentials in its cache now.
    assert (
        connect_call(other, partner.client_id, partner.access_token, partner.private_key, user)
        is None
    )
    assert pay_call(other, merchant["apiKey"], merchant["apiSecret"]) is None
    assert wallet_call(other, key["apiKey"], key["secretKey"]) is None

    token = box.admin.post(f"/sandbox/v1/partners/{partner.client_id}/rotate").json()[
        "signAccessToken"
    ]
    rotated = box.admin.post(f"/sandbox/v1/merchants/{merchant['merchantId']}/rotate").json()
    assert box.admin.delete(f"/sandbox/v1/api-keys/{key['apiKey']}").status_code == 200
    # 2 s of cache time, and room for a slow machine.
    refused_within(
        lambda: connect_call(
            other, partner.client_id, partner.access_token, partner.private_key, user
        ),
        6.0,
    )
    refused_within(lambda: pay_call(other, merchant["apiKey"], merchant["apiSecret"]), 6.0)
    refused_within(lambda: wallet_call(other, key["apiKey"], key["secretKey"]), 6.0)
    assert connect_call(other, partner.client_id, token, partner.private_key, user) is None
    assert pay_call(other, rotated["apiKey"], rotated["apiSecret"]) is None


async def test_a_lookup_under_way_when_a_credential_changes_is_not_kept() -> None:
    """The in-process half: a load that read the row before the change must not be cached
    past `invalidate`, or the old credential would be accepted for another cache time."""
    rows = {"p": "old"}
    reading = asyncio.Event()
    proceed = asyncio.Event()
    loads = 0

    async def load(key: str) -> str | None:
        nonlocal loads
        loads += 1
        value = rows.get(key)
        reading.set()
        await proceed.wait()
        return value

    directory: CachedDirectory[str] = CachedDirectory(load, ttl_s=60)
    lookup = asyncio.create_task(directory.get("p"))
    await reading.wait()
    rows["p"] = "new"  # the rotation commits…
    directory.invalidate("p")  # …and invalidates while the lookup is still reading
    proceed.set()
    assert await lookup == "old"  # answered to the request that was already under way
    assert await directory.get("p") == "new"
    assert loads == 2
    assert await directory.get("p") == "new" and loads == 2  # and cached from then on
