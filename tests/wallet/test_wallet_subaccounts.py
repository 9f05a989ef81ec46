"""Sub-accounts (wapi v3 sub-account/*): the master's users made through the control API,
their list and assets, transfers between them on the ledger, and history by email."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from wallet_support import Signed, body_of, create_key, create_sub_account, hmac_hex, nested

from sandbox_harness import Sandbox

NO_RELATION = "This parent sub have no relation"


def email(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:8]}@example.com"


@pytest.fixture
def family(signed: Signed) -> dict[str, Any]:
    """A master with two sub-accounts (the second created one millisecond later)."""
    box, master = signed.box, signed.key.user_id
    first_email = email("first")
    first = create_sub_account(box, master, first_email)
    box.advance(1)
    second_email = email("second")
    second = create_sub_account(box, master, second_email)
    master_email = box.admin.get("/sandbox/v1/users").json()
    master_email = next(u["email"] for u in master_email if u["userId"] == master)
    return {
        "master": (master, master_email),
        "first": (first, first_email),
        "second": (second, second_email),
    }


def test_sub_account_list(signed: Signed, family: dict[str, Any]) -> None:
    box = signed.box
    listed = signed.wapi_ok("GET", "sub-account/list.html")
    assert list(listed) == ["success", "subAccounts"]
    first, second = listed["subAccounts"]
    assert first["email"] == family["first"][1] and second["email"] == family["second"][1]
    assert first == {
        "email": family["first"][1],
        "status": "enabled",
        "activated": True,
        "mobile": "",
        "gAuth": True,
        "createTime": second["createTime"] - 1,
    }
    only = signed.wapi_ok("GET", "sub-account/list.html", {"email": family["second"][1]})
    assert [s["email"] for s in only["subAccounts"]] == [family["second"][1]]
    page2 = signed.wapi_ok("GET", "sub-account/list.html", {"page": 2, "limit": 1})
    assert [s["email"] for s in page2["subAccounts"]] == [family["second"][1]]
    assert (
        signed.wapi_ok("GET", "sub-account/list.html", {"page": 3, "limit": 1})["subAccounts"] == []
    )
    r = box.admin.patch(
        f"/sandbox/v1/sub-accounts/{family['first'][0]}",
        json={"status": "disabled", "mobile": "91605290", "gAuth": False},
    )
    assert r.status_code == 200 and r.json()["status"] == "disabled", r.text
    disabled = signed.wapi_ok("GET", "sub-account/list.html", {"status": "disabled"})
    assert [(s["email"], s["mobile"], s["gAuth"]) for s in disabled["subAccounts"]] == [
        (family["first"][1], "91605290", False)
    ]
    enabled = signed.wapi_ok("GET", "sub-account/list.html", {"status": "enabled"})
    assert [s["email"] for s in enabled["subAccounts"]] == [family["second"][1]]
    for bad in ({"status": "gone"}, {"page": 0}, {"limit": 501}):
        name = next(iter(bad))
        assert signed.wapi_filter_error("GET", "sub-account/list.html", bad) == {
            "code": -1130,
            "msg": f"Data sent for parameter '{name}' is not valid.",
        }
    # A sub-account's own key sees no sub-accounts of its own, nor its master's family.
    own = Signed(signed.http, box, create_key(box, family["second"][0]))
    assert own.wapi_ok("GET", "sub-account/list.html")["subAccounts"] == []
    assert own.wapi_fail("GET", "sub-account/assets.html", {"email": family["first"][1]}) == (
        NO_RELATION
    )


def test_control_api_sub_account_rules(box: Sandbox, signed: Signed) -> None:
    master = signed.key.user_id
    sub = create_sub_account(box, master, email("sub"))
    r = box.admin.post("/sandbox/v1/users", json={"masterUserId": sub, "email": email("x")})
    assert r.status_code == 400 and "cannot be a master" in r.json()["error"]["message"]
    r = box.admin.post("/sandbox/v1/users", json={"masterUserId": "999999999", "email": email("x")})
    assert r.status_code == 404
    r = box.admin.patch(f"/sandbox/v1/sub-accounts/{master}", json={"status": "disabled"})
    assert r.status_code == 404
    r = box.admin.patch(f"/sandbox/v1/sub-accounts/{sub}", json={"status": "paused"})
    assert r.status_code == 400


def test_transfers_between_master_and_sub_accounts(signed: Signed, family: dict[str, Any]) -> None:
    box = signed.box
    master, master_email = family["master"]
    first, first_email = family["first"]
    second, second_email = family["second"]
    box.credit(master, "BTC", "3")

    def move(src: str, dst: str, asset: str, amount: str) -> str:
        out = signed.wapi_ok(
            "POST",
            "sub-account/transfer.html",
            {"fromEmail": src, "toEmail": dst, "asset": asset, "amount": amount},
        )
        assert list(out) == ["success", "txnId"] and out["txnId"].isdigit()
        return str(out["txnId"])

    move(master_email, first_email, "BTC", "2")
    box.advance(1)
    move(first_email, second_email, "BTC", "0.5")
    box.advance(1)
    move(second_email, master_email, "BTC", "0.25")
    assert box.balance(master, "BTC") == Decimal("1.25")
    assert box.balance(first, "BTC") == Decimal("1.5")
    assert box.balance(second, "BTC") == Decimal("0.25")

    assets = signed.wapi_ok("GET", "sub-account/assets.html", {"email": first_email})
    assert assets == {
        "success": True,
        "balances": [{"asset": "BTC", "free": Decimal("1.5"), "locked": 0}],
    }
    assert signed.wapi_ok(
        "GET", "sub-account/assets.html", {"email": first_email, "symbol": "ETH"}
    )["balances"] == [{"asset": "ETH", "free": 0, "locked": 0}]

    history = signed.wapi_ok("GET", "sub-account/transfer/history.html", {"email": first_email})[
        "transfers"
    ]
    assert [(t["from"], t["to"], t["asset"], t["qty"]) for t in history] == [
        (master_email, first_email, "BTC", "2"),
        (first_email, second_email, "BTC", "0.5"),
    ]
    assert list(history[0]) == ["from", "to", "asset", "qty", "time"]
    later = signed.wapi_ok(
        "GET",
        "sub-account/transfer/history.html",
        {"email": first_email, "startTime": history[1]["time"]},
    )["transfers"]
    assert [t["qty"] for t in later] == ["0.5"]
    paged = signed.wapi_ok(
        "GET", "sub-account/transfer/history.html", {"email": second_email, "page": 2, "limit": 1}
    )["transfers"]
    assert [(t["from"], t["to"]) for t in paged] == [(second_email, master_email)]
    # "Default return the history with in 100 days".
    box.advance(100 * 86_400_000 + 10)
    assert (
        signed.wapi_ok("GET", "sub-account/transfer/history.html", {"email": first_email})[
            "transfers"
        ]
        == []
    )
    assert (
        len(
            signed.wapi_ok(
                "GET",
                "sub-account/transfer/history.html",
                {"email": first_email, "startTime": 0},
            )["transfers"]
        )
        == 2
    )
    box.audit()


def test_transfer_refusals(signed: Signed, family: dict[str, Any], signer: Any) -> None:
    box = signed.box
    master_email = family["master"][1]
    first, first_email = family["first"]
    second_email = family["second"][1]
    box.credit(first, "ETH", "1")

    def refused(params: dict[str, str]) -> str:
        base = {"fromEmail": first_email, "toEmail": second_email, "asset": "ETH", "amount": "1"}
        return signed.wapi_fail("POST", "sub-account/transfer.html", {**base, **params})

    assert refused({"amount": "1.5"}) == f"{first_email} has insufficient ETH balance."
    assert refused({"toEmail": first_email}) == "fromEmail and toEmail must be different accounts."
    assert refused({"toEmail": "stranger@example.com"}) == NO_RELATION
    assert nested(refused({"amount": "0"})) == {
        "code": -1130,
        "msg": "Data sent for parameter 'amount' is not valid.",
    }
    assert refused({"amount": "0.000000001"}) == (
        "Precision is over the maximum defined for this asset."
    )
    outsider = signer()
    other_family = email("other")
    create_sub_account(box, outsider.key.user_id, other_family)
    assert refused({"toEmail": other_family}) == NO_RELATION
    box.admin.patch(f"/sandbox/v1/sub-accounts/{first}", json={"status": "disabled"})
    assert refused({}) == f"Sub-account {first_email} is disabled."
    assert refused({"fromEmail": master_email, "toEmail": first_email}) == (
        f"Sub-account {first_email} is disabled."
    )
    box.admin.patch(f"/sandbox/v1/sub-accounts/{first}", json={"status": "enabled"})
    assert signed.wapi_filter_error(
        "POST", "sub-account/transfer.html", {"fromEmail": first_email, "asset": "ETH"}
    ) == {
        "code": -1102,
        "msg": "Mandatory parameter 'toEmail' was not sent, was empty/null, or malformed.",
    }
    assert box.balance(first, "ETH") == Decimal(1)
    for path in ("sub-account/assets.html", "sub-account/transfer/history.html"):
        assert signed.wapi_fail("GET", path, {"email": other_family}) == NO_RELATION
        assert signed.wapi_filter_error("GET", path)["code"] == -1102
    box.audit()


def test_unencoded_plus_in_an_email(signed: Signed, http: httpx.Client) -> None:
    """A client that sorts parameters and does not URL-encode them sends `a+b@x.com` raw; the
    signature covers those bytes, and the `+` is read as `+`."""
    box = signed.box
    plus = f"ops+{uuid.uuid4().hex[:6]}@example.com"
    sub = create_sub_account(box, signed.key.user_id, plus)
    box.credit(sub, "BNB", "2")
    query = f"email={plus}&timestamp={box.now()}"
    sig = hmac_hex(signed.key.secret_key, query)
    r = http.get(
        f"/wapi/v3/sub-account/assets.html?{query}&signature={sig}",
        headers={"X-MBX-APIKEY": signed.key.api_key},
    )
    assert body_of(r) == {"success": True, "balances": [{"asset": "BNB", "free": 2, "locked": 0}]}
