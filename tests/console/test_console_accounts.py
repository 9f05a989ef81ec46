"""The console's credentials pages in headless Chromium against a real server: a partner,
a merchant and a Wallet API key created, their credentials shown once, rotated from the
console (the old credential refused with the family's authentication error, the new one
working, through the SDK), a key revoked, a partner's and a merchant's settings edited, and
refused forms answered in words.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from console_support import shoot, sign_in
from credentials_support import connect_call, pay_call, wallet_call
from playwright.sync_api import Page

from binance_sandbox.signing import generate_private_key, public_key_to_der_b64
from sandbox_harness import Sandbox


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox("accounts")


def shown(page: Page, element: str) -> str:
    return page.inner_text(f"#{element}").strip()


def test_a_partner_created_rotated_and_edited_in_the_console(page: Page, box: Sandbox) -> None:
    key = generate_private_key(1024)
    sign_in(page, box, "/console/partners")
    page.fill("#name", "Keys Bank")
    page.fill("#rsaPublicKey", public_key_to_der_b64(key.public_key()))
    page.click("#create-partner")
    client_id, token = shown(page, "new-client-id"), shown(page, "new-access-token")
    assert page.url == f"{box.url}/console/partners/{client_id}"
    assert len(token) == 40
    user = box.create_user(None, partnerClientId=client_id)
    assert connect_call(box.url, client_id, token, key, user) is None

    # Shown once: the page reloaded (a GET: nothing is sent again) shows only a prefix.
    page.reload()
    assert page.locator("#new-access-token").count() == 0
    assert token not in page.content()
    assert shown(page, "token-masked").startswith(f"{token[:4]}…")
    partners = box.admin.get("/sandbox/v1/partners").json()
    assert [p["clientId"] for p in partners if p["name"] == "Keys Bank"] == [client_id]

    page.click("#rotate")
    new_token = shown(page, "new-access-token")
    assert new_token != token and len(new_token) == 40
    refused = connect_call(box.url, client_id, token, key, user)
    assert refused is not None
    assert (refused.code, refused.message) == ("1230202", "Invalid X-Tesla-SignAccessToken.")
    assert connect_call(box.url, client_id, new_token, key, user) is None
    page.reload()
    assert page.locator("#new-access-token").count() == 0 and new_token not in page.content()

    # The partners list links the name to this page.
    page.goto(f"{box.url}/console/partners")
    page.click(f"#partners a[href='/console/partners/{client_id}']")
    page.fill("#webhookUrl", "https://hooks.keys-bank.test/binance")
    page.fill("#ipWhitelist", "127.0.0.1, 10.0.0.0/8")
    page.fill("#customSpreadMax", "0.02")
    page.click("#save")
    assert page.url == f"{box.url}/console/partners/{client_id}?done=saved"
    assert shown(page, "notice").startswith("Saved.")
    assert shown(page, "partner-webhook-url") == "https://hooks.keys-bank.test/binance"
    saved = box.admin.get(f"/sandbox/v1/partners/{client_id}").json()
    assert saved["webhookUrl"] == "https://hooks.keys-bank.test/binance"
    assert saved["ipWhitelist"] == ["127.0.0.1/32", "10.0.0.0/8"]
    assert (saved["customSpreadMin"], saved["customSpreadMax"], saved["active"]) == (
        "0",
        "0.02",
        True,
    )
    # Saving settings leaves the credentials as they were.
    assert connect_call(box.url, client_id, new_token, key, user) is None

    # A refused edit is a page in words, and changes nothing.
    page.fill("#webhookUrl", "ftp://hooks.keys-bank.test")
    page.click("#save")
    assert shown(page, "message") == "webhookUrl must be an http(s) URL."
    after = box.admin.get(f"/sandbox/v1/partners/{client_id}").json()
    assert after["webhookUrl"] == "https://hooks.keys-bank.test/binance"


def test_a_merchant_key_rotated_from_the_keys_page(page: Page, box: Sandbox) -> None:
    sign_in(page, box, "/console/merchants")
    page.fill("#name", "Keys Shop")
    page.click("#create-merchant")
    merchant_id = shown(page, "new-merchant-id")
    api_key, api_secret = shown(page, "new-api-key"), shown(page, "new-api-secret")
    assert page.url == f"{box.url}/console/merchants/{merchant_id}"
    assert pay_call(box.url, api_key, api_secret) is None
    page.reload()
    assert page.locator("#new-api-secret").count() == 0 and api_secret not in page.content()

    page.check("#directDebitWhitelisted")
    page.fill("#webhookUrl", "https://shop.test/pay-webhook")
    page.click("#save")
    saved = box.admin.get(f"/sandbox/v1/merchants/{merchant_id}").json()
    assert saved["directDebitWhitelisted"] is True
    assert saved["webhookUrl"] == "https://shop.test/pay-webhook"

    page.goto(f"{box.url}/console/keys")
    row = page.locator(f"#keys tr[data-kind='merchant'][data-owner='{merchant_id}']")
    assert row.locator("td").nth(3).inner_text().strip() == f"{api_key[:8]}…"
    row.locator("button.rotate").click()
    assert page.url == f"{box.url}/console/keys"
    new_key, new_secret = shown(page, "new-api-key"), shown(page, "new-api-secret")
    assert new_key != api_key and new_secret != api_secret
    refused = pay_call(box.url, api_key, api_secret)
    assert refused is not None
    assert (refused.code, refused.message) == ("400004", "API identity key not found or invalid.")
    assert pay_call(box.url, new_key, new_secret) is None
    page.reload()
    assert page.locator("#new-api-secret").count() == 0 and new_secret not in page.content()


def test_a_wallet_api_key_created_rotated_and_revoked(
    page: Page, box: Sandbox, tmp_path: Path
) -> None:
    user = box.create_user()
    sign_in(page, box, "/console/keys")
    page.fill("#userId", user)
    page.uncheck("#perm-TRADE")
    page.click("#create-key")
    api_key, secret = shown(page, "new-api-key"), shown(page, "new-secret-key")
    assert wallet_call(box.url, api_key, secret) is None
    listed = box.admin.get("/sandbox/v1/api-keys", params={"userId": user}).json()
    assert [(k["apiKey"], k["permissions"]) for k in listed] == [
        (api_key, ["USER_DATA", "USER_STREAM", "MARKET_DATA"])
    ]
    page.reload()
    assert page.locator("#new-secret-key").count() == 0 and secret not in page.content()
    assert page.locator("#keys tr[data-kind='wallet']").count() >= 1
    shoot(page, "keys", tmp_path)

    row = page.locator(f"#keys tr[data-kind='wallet'][data-owner='{user}']")
    row.locator("button.rotate").click()
    new_key, new_secret = shown(page, "new-api-key"), shown(page, "new-secret-key")
    assert new_key != api_key
    refused = wallet_call(box.url, api_key, secret)
    assert refused is not None
    assert (refused.code, refused.message) == (
        -2015,
        "Invalid API-key, IP, or permissions for action.",
    )
    assert wallet_call(box.url, new_key, new_secret) is None

    page.locator(f"#keys tr[data-kind='wallet'][data-owner='{user}'] button.revoke").click()
    assert shown(page, "notice") == "The API key is revoked: it is refused from now on."
    assert page.locator(f"#keys tr[data-kind='wallet'][data-owner='{user}']").count() == 0
    refused = wallet_call(box.url, new_key, new_secret)
    assert refused is not None and refused.code == -2015


def test_refused_key_forms_are_pages_in_words(page: Page, box: Sandbox) -> None:
    sign_in(page, box, "/console/keys")
    page.fill("#userId", "99999999")
    page.click("#create-key")
    assert shown(page, "message") == "No user 99999999."

    page.goto(f"{box.url}/console/keys")
    page.fill("#userId", box.create_user())
    for permission in ("TRADE", "USER_DATA", "USER_STREAM", "MARKET_DATA"):
        page.uncheck(f"#perm-{permission}")
    page.click("#create-key")
    assert shown(page, "message") == "Choose at least one permission for the key."

    response = page.goto(f"{box.url}/console/partners/nosuchpartner")
    assert response is not None and response.status == 404
    assert shown(page, "message") == "No partner nosuchpartner."
    response = page.goto(f"{box.url}/console/merchants/123")
    assert response is not None and response.status == 404
    assert shown(page, "message") == "No merchant 123."
