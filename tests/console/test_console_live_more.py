"""A withdrawal's, a Connect Deposit session's and a chain deposit's console pages update live,
in headless Chromium against a real server: the sandbox clock moves a withdrawal along and a
transfer to its confirmations, a person answers a session as the user in another window, and
each page follows without a reload. What they poll needs the console's cookie and stays out of
the request log."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from console_support import kinds, sign_in
from playwright.sync_api import Browser, Page

from binance_sandbox.client import ConnectDepositClient, WalletClient
from sandbox_harness import Sandbox

ETH_CONFIRMATIONS_MS = 12 * 12_000
BTC_CONFIRMATIONS_MS = 2 * 600_000


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """A server of its own: these tests move its clock."""
    return make_sandbox("console-live-more")


def watch(page: Page) -> None:
    """Mark the page (a reload would drop the mark) and wait for its first poll."""
    page.evaluate("window.stillTheSamePage = true")
    page.wait_for_function("document.getElementById('live').textContent.includes('checked')")


def wait_for_status(page: Page, text: str) -> None:
    page.wait_for_function(
        "text => document.getElementById('status').textContent === text", arg=text
    )


def deposit_address(box: Sandbox, user: str, coin: str) -> dict[str, Any]:
    r = box.admin.get(f"/sandbox/v1/users/{user}/deposit-address", params={"coin": coin})
    assert r.status_code == 200, r.text
    return dict(r.json())


def send_on_chain(box: Sandbox, **body: Any) -> dict[str, Any]:
    r = box.admin.post("/sandbox/v1/chain/transfers", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def deposit_id(box: Sandbox, client_id: str, external_order_id: str) -> str:
    r = box.admin.get(
        f"/sandbox/v1/deposits/{external_order_id}", params={"partnerClientId": client_id}
    )
    assert r.status_code == 200, r.text
    return str(r.json()["depositId"])


def test_a_withdrawal_page_follows_each_step_as_the_clock_moves(page: Page, box: Sandbox) -> None:
    user = box.create_user()
    box.credit(user, "BTC", "1")
    key = box.admin.post("/sandbox/v1/api-keys", json={"userId": user}).json()
    to = deposit_address(box, box.create_user(), "BTC")
    with WalletClient(box.url, key["apiKey"], key["secretKey"]) as wallet:
        withdrawal_id = wallet.withdraw("BTC", to["address"], Decimal("0.01")).id

    sign_in(page, box, f"/console/withdrawals/{withdrawal_id}")
    assert page.inner_text("#status") == "0 Email Sent"
    assert [page.locator(f"#{b}").count() for b in ("cancel", "reject", "fail")] == [1, 1, 0]
    assert page.inner_text("#summary dd.mono.small") == "—"  # no txId yet
    watch(page)
    # While nothing changes, polls leave the page's elements alone.
    page.evaluate("document.getElementById('summary').untouched = true")
    page.wait_for_function("document.getElementById('live').textContent.includes('checked')")
    assert page.evaluate("document.getElementById('summary').untouched") is True

    box.advance(5_000)
    wait_for_status(page, "2 Awaiting Approval")
    assert [page.locator(f"#{b}").count() for b in ("cancel", "reject", "fail")] == [0, 1, 0]
    assert kinds(page) == ["applied", "awaiting_approval"]

    box.advance(5_000)
    wait_for_status(page, "4 Processing")
    assert [page.locator(f"#{b}").count() for b in ("cancel", "reject", "fail")] == [0, 0, 1]
    # It goes to a sandbox user: the transaction is on chain, and the page links to it.
    page.wait_for_selector("#arrived")
    tx_id = page.inner_text("#arrived")
    assert tx_id and page.get_attribute("#arrived", "href") == f"/console/chain/deposits/{tx_id}"

    box.advance(BTC_CONFIRMATIONS_MS)
    wait_for_status(page, "6 Completed")
    assert page.get_attribute("#status", "class") == "status ok"
    assert page.locator("#operator").count() == 0
    assert kinds(page) == ["applied", "awaiting_approval", "processing", "completed"]
    assert page.locator("#entries tr.entry").count() == 1
    assert page.evaluate("window.stillTheSamePage") is True
    box.audit()


def test_a_deposit_session_page_follows_the_users_answer_and_the_report(
    page: Page, browser: Browser, box: Sandbox, hook_url: str
) -> None:
    partner = box.create_partner(name="Live Bank", webhookUrl=hook_url)
    user = box.create_user(partner)
    creds = (box.url, partner.client_id, partner.access_token, partner.private_key)
    with ConnectDepositClient(*creds) as deposit:
        for external_order_id in ("live-yes", "live-no"):
            deposit.initiate_deposit(
                external_order_id, user_id=user, crypto_currency="ETH", networks=["ETH"]
            )
        session_id = deposit_id(box, partner.client_id, "live-yes")

        sign_in(page, box, f"/console/deposits/{session_id}")
        assert page.inner_text("#status") == "INIT"
        assert page.locator("#answer").count() == 1
        assert page.locator(".address").count() == 0
        assert page.locator("#deliveries tr.delivery").count() == 0
        watch(page)

        # Someone else answers as the user, in another window, with the console's act form.
        other = browser.new_context()
        try:
            actor = other.new_page()
            sign_in(
                actor,
                box,
                f"/console/act?partnerClientId={partner.client_id}&externalOrderId=live-yes",
            )
            actor.click("#act-authorize")
            assert actor.inner_text("#done") == (
                f"Deposit session live-yes of {partner.client_id} is now AUTHORIZED."
            )
        finally:
            other.close()

        wait_for_status(page, "AUTHORIZED")
        assert page.locator("#answer").count() == 0
        assert page.locator(".address").count() == 1
        assert kinds(page)[:2] == ["created", "authorized"]
        page.wait_for_function(
            "[...document.querySelectorAll('#deliveries tr.delivery')]"
            ".some(r => r.textContent.includes('deposit_status_event')"
            " && r.textContent.includes('done'))"
        )

        # The user sends to the disclosed address; the partner reports the transaction.
        [address] = deposit.authorization("live-yes").deposit_addresses
        sent = send_on_chain(
            box, network="ETH", address=address.deposit_address, asset="ETH", amount="0.5"
        )
        deposit.report("live-yes", sent["txHash"], amount=Decimal("0.5"), crypto_currency="ETH")
        page.wait_for_selector("#reported-tx")
        assert page.inner_text("#reported-tx") == sent["txHash"]
        page.wait_for_function("document.getElementById('summary').textContent.includes('PENDING')")
        page.wait_for_function(
            "[...document.querySelectorAll('#timeline .kind')].some(k => k.textContent === 'reported')"
        )
        box.advance(ETH_CONFIRMATIONS_MS)
        page.wait_for_function(
            "document.getElementById('summary').textContent.includes('CREDITED')"
        )
        assert box.balance(user, "ETH") == Decimal("0.5")
        assert page.evaluate("window.stillTheSamePage") is True

    # The other session, rejected through the control API while its page is open.
    page.goto(f"{box.url}/console/deposits/{deposit_id(box, partner.client_id, 'live-no')}")
    assert page.inner_text("#status") == "INIT"
    watch(page)
    r = box.admin.post(
        "/sandbox/v1/deposits/live-no/reject", json={"partnerClientId": partner.client_id}
    )
    assert r.status_code == 200, r.text
    wait_for_status(page, "REJECTED")
    assert page.locator("#answer").count() == 0 and page.locator(".address").count() == 0
    assert kinds(page)[:2] == ["created", "rejected"]
    assert page.evaluate("window.stillTheSamePage") is True
    box.audit()


def test_a_chain_deposit_page_follows_it_to_credited(page: Page, box: Sandbox) -> None:
    user = box.create_user()
    to = deposit_address(box, user, "ETH")
    sent = send_on_chain(box, network="ETH", address=to["address"], asset="ETH", amount="0.25")

    sign_in(page, box, f"/console/chain/deposits/{sent['txHash']}")
    assert page.inner_text("#status") == "PENDING"
    assert kinds(page) == ["seen_on_chain", "confirmations_due"]
    assert page.locator("#entries tr.entry").count() == 0
    watch(page)

    box.advance(ETH_CONFIRMATIONS_MS)
    wait_for_status(page, "CREDITED")
    assert page.get_attribute("#status", "class") == "status ok"
    assert kinds(page) == ["seen_on_chain", "credited"]
    page.wait_for_selector("#entries tr.entry")
    [entry] = page.locator("#entries tr.entry").all()
    assert "chain_deposit" in entry.inner_text() and "+0.25" in entry.inner_text()
    assert page.evaluate("window.stillTheSamePage") is True
    assert box.balance(user, "ETH") == Decimal("0.25")
    box.audit()


def test_what_the_pages_poll_needs_sign_in_and_stays_out_of_the_request_log(
    page: Page, box: Sandbox
) -> None:
    user = box.create_user()
    box.credit(user, "BTC", "1")
    key = box.admin.post("/sandbox/v1/api-keys", json={"userId": user}).json()
    with WalletClient(box.url, key["apiKey"], key["secretKey"]) as wallet:
        withdrawal_id = wallet.withdraw(
            "BTC", deposit_address(box, user, "BTC")["address"], Decimal("0.01")
        ).id
    partner = box.create_partner()
    creds = (box.url, partner.client_id, partner.access_token, partner.private_key)
    with ConnectDepositClient(*creds) as deposit:
        deposit.initiate_deposit(
            "poll-1", user_id=box.create_user(partner), crypto_currency="ETH", networks=["ETH"]
        )
    session_id = deposit_id(box, partner.client_id, "poll-1")
    tx_hash = send_on_chain(
        box,
        network="ETH",
        address=deposit_address(box, user, "ETH")["address"],
        asset="ETH",
        amount="1",
    )["txHash"]
    polled = {
        f"/console/api/withdrawals/{withdrawal_id}": ("id", withdrawal_id, "No withdrawal nope."),
        f"/console/api/deposits/{session_id}": (
            "depositId",
            session_id,
            "No deposit session nope.",
        ),
        f"/console/api/chain/deposits/{tx_hash}": ("txHash", tx_hash, "No chain transfer nope."),
    }

    # Without the console's cookie (an admin Bearer token is not it): 401 in JSON.
    for path in polled:
        for client in (httpx, box.admin):
            r = client.get(box.url + path)
            assert r.status_code == 401, (path, r.text)
            assert r.json() == {
                "error": {"code": "UNAUTHORIZED", "message": "Sign in to the console."}
            }

    # Signed in: the fields, a version and each live part as HTML; unknown ids are 404 in JSON.
    sign_in(page, box, f"/console/withdrawals/{withdrawal_id}")
    for path, (field, value, unknown) in polled.items():
        r = page.request.get(box.url + path)
        assert r.status == 200 and r.headers["cache-control"] == "no-store", path
        body = r.json()
        assert body[field] == value and len(body["version"]) == 16
        assert {"summary", "timeline"} <= set(body["html"])
        assert body["html"]["summary"].startswith('<div id="summary">')
        again = page.request.get(box.url + path).json()
        assert again["version"] == body["version"]  # nothing changed: the same version
        missing = page.request.get(box.url + path.rsplit("/", 1)[0] + "/nope")
        assert missing.status == 404
        assert missing.json() == {"error": {"code": "NOT_FOUND", "message": unknown}}
    # An id the database cannot look up (PostgreSQL refuses a NUL) is refused in JSON too.
    for path in polled:
        r = page.request.get(box.url + path.rsplit("/", 1)[0] + "/a%00b")
        if box.database_url.startswith("postgresql"):
            assert (r.status, r.json()["error"]["code"]) == (400, "INVALID"), path
            assert r.json()["error"]["message"].startswith("Illegal parameter")
        else:
            assert (r.status, r.json()["error"]["code"]) == (404, "NOT_FOUND"), path
    # The page carries the version its poll answers while nothing changes.
    version = page.get_attribute("[data-live-url]", "data-live-version")
    assert version == page.request.get(box.url + next(iter(polled))).json()["version"]

    # The chain deposit changes: so does its version.
    before = page.request.get(box.url + f"/console/api/chain/deposits/{tx_hash}").json()
    box.advance(ETH_CONFIRMATIONS_MS)
    assert box.balance(user, "ETH") == Decimal("1")
    after = page.request.get(box.url + f"/console/api/chain/deposits/{tx_hash}").json()
    assert (before["status"], after["status"]) == ("PENDING", "CREDITED")
    assert after["version"] != before["version"]

    # The page loads are in the request log; the polls are not.
    page.goto(f"{box.url}/console/chain/deposits/{tx_hash}")
    page.wait_for_function("document.getElementById('live').textContent.includes('checked')")
    assert any(
        e["path"] == f"/console/chain/deposits/{tx_hash}"
        for e in box.admin.get("/sandbox/v1/requests", params={"family": "console"}).json()
    )
    logged = box.admin.get("/sandbox/v1/requests", params={"limit": 1000}).json()
    assert f"/console/withdrawals/{withdrawal_id}" in {e["path"] for e in logged}
    assert not [e for e in logged if e["path"].startswith("/console/api/")]
    box.audit()
