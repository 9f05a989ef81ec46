"""The page behind a deposit session's universal link, in headless Chromium: a person signs
in as the sandbox user the partner named, sees the partner, coin and networks, and authorizes
or rejects; the partner gets the verified webhook, and a transfer to the disclosed address is
credited once the chain has confirmed it.

Chromium is Debian's `/usr/bin/chromium`; Playwright drives it and never downloads a browser.
Without it the browser tests are skipped, except in CI.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from deposit_support import ConnectReceiver, Signed, act, authorization, initiate, session
from playwright.sync_api import Browser, Page, sync_playwright

from binance_sandbox.client import WalletClient
from sandbox_harness import Sandbox

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TRX_CONFIRM_MS = 20 * 3_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is required in CI (scripts/check.py installs it).")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 960, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


_emails = itertools.count(1)


def new_user(box: Sandbox, partner: Any) -> tuple[str, str]:
    email = f"depositor{next(_emails)}@example.com"
    return box.create_user(partner, email=email), email


def sign_in(page: Page, login: str) -> None:
    page.fill("#login", login)
    page.click("#signin")
    page.wait_for_load_state()


def test_authorize_in_the_app_then_deposit_on_chain(
    page: Page,
    box: Sandbox,
    signed: Signed,
    partner: Any,
    receiver: ConnectReceiver,
    order_id: str,
    tmp_path: Path,
) -> None:
    user, email = new_user(box, partner)
    back = f"{receiver.url}/deposit/done"
    link = initiate(signed, order_id, user, networks=("TRX", "BSC"), redirectUrl=back)

    response = page.goto(link["link"])
    assert response is not None and response.status == 200
    assert page.inner_text("#partner") == "Trusty Wallet"
    assert page.inner_text("#coin") == "USDT"
    assert page.inner_text("#networks") == "Tron (TRC20) (TRX), BNB Smart Chain (BEP20) (BSC)"
    assert page.inner_text("#status") == "INIT"
    assert page.locator("#authorize").count() == 0  # not signed in yet

    sign_in(page, email)
    assert email in page.inner_text("#user")
    page.screenshot(path=str(tmp_path / "deposit-authorize.png"), full_page=True)
    page.click("#authorize")
    page.wait_for_url(back)
    assert page.inner_text("#landing") == "partner page /deposit/done"

    box.settle()
    [event] = receiver.find(order_id, "AUTHORIZED")
    polled = authorization(signed, order_id)
    assert event.body == {"webhookEventType": "deposit_status_event", **polled}
    trx = polled["depositAddresses"][0]

    # The page now shows what was shared, to its owner.
    page.goto(link["link"])
    assert page.inner_text("#status") == "AUTHORIZED"
    assert (
        page.inner_text("#state") == "You authorized Trusty Wallet to see your deposit addresses."
    )
    shown = page.inner_text("#addresses .address[data-network='TRX']")
    assert trx["depositAddress"] in shown
    assert page.locator("#authorize").count() == 0

    # Flow step 5: the partner sends; the chain confirms on the sandbox clock.
    sent = box.admin.post(
        "/sandbox/v1/chain/transfers",
        json={
            "network": "TRX",
            "address": trx["depositAddress"],
            "asset": "USDT",
            "amount": "40",
        },
    )
    assert sent.status_code == 201, sent.text
    tx_hash = sent.json()["txHash"]
    signed.ok("/deposit/report", {"externalOrderId": order_id, "txHash": tx_hash, "amount": "40"})
    box.advance(TRX_CONFIRM_MS)
    assert box.balance(user, "USDT") == Decimal(40)
    assert session(box, partner, order_id)["report"]["chainStatus"] == "CREDITED"
    # The same deposit, seen through the Wallet API with the user's own key.
    key = box.admin.post("/sandbox/v1/api-keys", json={"userId": user}).json()
    with WalletClient(box.url, key["apiKey"], key["secretKey"]) as wallet:
        [deposit] = wallet.deposit_history(asset="USDT")
    assert (deposit.tx_id, deposit.amount, deposit.address, deposit.status) == (
        tx_hash,
        Decimal(40),
        trx["depositAddress"],
        1,
    )
    box.audit()


def test_reject_without_a_redirect_shows_the_outcome(
    page: Page,
    box: Sandbox,
    signed: Signed,
    partner: Any,
    receiver: ConnectReceiver,
    order_id: str,
) -> None:
    user, _ = new_user(box, partner)
    link = initiate(signed, order_id, user, coin="BTC", networks=("BTC",))
    page.goto(link["link"])
    sign_in(page, user)  # by user id works too
    page.click("#reject")
    page.wait_for_url(link["link"])
    assert page.inner_text("#status") == "REJECTED"
    assert page.inner_text("#state") == (
        "You rejected this request. Trusty Wallet did not get your deposit addresses."
    )
    assert page.locator("#addresses").count() == 0
    box.settle()
    assert receiver.find(order_id, "REJECTED")
    assert authorization(signed, order_id)["depositAddresses"] == []


def test_only_the_named_user_can_answer(
    page: Page, box: Sandbox, signed: Signed, partner: Any, order_id: str
) -> None:
    user, _ = new_user(box, partner)
    intruder, intruder_email = new_user(box, partner)
    link = initiate(signed, order_id, user)
    page.goto(link["link"])
    sign_in(page, intruder_email)
    assert page.is_visible("#wrong-user")
    assert f"You are signed in as {intruder_email} (user {intruder})" in page.inner_text(
        "#wrong-user"
    )
    assert page.locator("#authorize").count() == 0
    assert page.is_visible("#login")  # sign in as the right account from here

    # Posting the form anyway is refused, and nothing changes.
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    with httpx.Client(base_url=box.url, cookies=cookies) as http:
        refused = http.post(f"{link['link']}/authorize")
    assert refused.status_code == 403
    assert "Only the user this request is for can answer it." in refused.text
    assert authorization(signed, order_id)["status"] == "INIT"


def test_an_unknown_login_and_a_forged_cookie(
    page: Page, box: Sandbox, signed: Signed, partner: Any, order_id: str
) -> None:
    user, _ = new_user(box, partner)
    link = initiate(signed, order_id, user)
    page.goto(link["link"])
    sign_in(page, "nobody@example.com")
    assert page.inner_text("#error") == (
        "No sandbox user has the email or user id “nobody@example.com”."
    )
    forged = {"bsx_user": f"{user}.{'0' * 64}"}
    with httpx.Client(base_url=box.url, cookies=forged) as http:
        assert "Sign in to answer" in http.get(link["link"]).text
        refused = http.post(f"{link['link']}/authorize")
    assert refused.status_code == 400
    assert "Sign in as a sandbox user to answer this request." in refused.text
    assert authorization(signed, order_id)["status"] == "INIT"


def test_an_expired_or_answered_request_shows_its_state(
    page: Page, box: Sandbox, signed: Signed, partner: Any, order_id: str
) -> None:
    user, email = new_user(box, partner)
    link = initiate(signed, order_id, user)
    page.goto(link["link"])
    sign_in(page, email)
    assert page.is_visible("#authorize")
    box.advance(15 * 60_000)
    # The button was on screen before the link expired: the answer comes too late.
    with page.expect_navigation() as navigation:
        page.click("#authorize")
    assert navigation.value is not None and navigation.value.status == 409
    assert page.inner_text("#error") == (
        f"Deposit session {order_id} is EXPIRED and cannot become AUTHORIZED."
    )
    assert page.inner_text("#state") == (
        "This request has expired. Ask Trusty Wallet to start a new deposit."
    )
    assert page.locator("#authorize").count() == 0 and page.locator("#login").count() == 0

    answered = order_id + "-answered"
    other = initiate(signed, answered, user)
    act(box, partner, answered, "reject")
    page.goto(other["link"])
    assert page.inner_text("#status") == "REJECTED"
    assert page.locator("#authorize").count() == 0


def test_an_unknown_link_is_a_404_page(page: Page, box: Sandbox) -> None:
    response = page.goto(f"{box.url}/connect/deposit/nothing-here")
    assert response is not None and response.status == 404
    assert page.inner_text("h1") == "Deposit request not found"
    assert "nothing-here" in page.inner_text("#message")
