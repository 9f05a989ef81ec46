"""The hosted Binance Pay checkout in headless Chromium: a person opens `checkoutUrl`, signs in
as a sandbox user and pays (or leaves); the merchant sees the order PAID and gets PAY_SUCCESS.

Chromium is Debian's `/usr/bin/chromium` (`scripts/check.py` installs it); Playwright drives
it and never downloads a browser. Without it the browser tests are skipped, except in CI.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from sandbox_harness import Sandbox, ServerThread

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
# The README's picture is refreshed only on request (BSX_UPDATE_SCREENSHOTS=1), so a test run
# leaves the work tree as it was.
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "pay-checkout.png"


def screenshot_path(tmp: Path) -> Path:
    return DOCS_SCREENSHOT if os.environ.get("BSX_UPDATE_SCREENSHOTS") else tmp / "pay-checkout.png"


MERCHANT_NAME = "Gelato Corner"
QR_LOADED = (
    "() => { const i = document.getElementById('qr'); return i.complete && i.naturalWidth > 0; }"
)


# --- the merchant's side: a webhook receiver and its return/cancel pages ---------------------


@dataclass
class Receiver:
    url: str
    webhooks: list[dict[str, Any]] = field(default_factory=list)

    def pay_webhooks(self, prepay_id: str) -> list[dict[str, Any]]:
        return [w for w in self.webhooks if w.get("bizIdStr") == prepay_id]


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    received: list[dict[str, Any]] = []

    async def webhook(request: Request) -> JSONResponse:
        received.append(json.loads(await request.body()))
        return JSONResponse({"returnCode": "SUCCESS", "returnMessage": None})

    async def landing(request: Request) -> HTMLResponse:
        return HTMLResponse(f"<h1 id='landing'>merchant page {request.url.path}</h1>")

    app = Starlette(
        routes=[
            Route("/webhook", webhook, methods=["POST"]),
            Route("/return", landing),
            Route("/cancel", landing),
        ]
    )
    server = ServerThread(app).start()
    yield Receiver(server.url, received)
    server.stop()


# --- the merchant's calls to Binance Pay (NOTES.md "Request signing") -----------------------


@dataclass
class PayMerchant:
    box: Sandbox
    merchant_id: str
    api_key: str
    api_secret: str
    http: httpx.Client
    nonces: Iterator[int] = field(default_factory=itertools.count)
    trade_nos: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload).encode()
        timestamp = str(self.box.now())  # the window is on the sandbox clock
        nonce = f"hostedcheckout{next(self.nonces):018d}"
        signed = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"
        signature = hmac.new(self.api_secret.encode(), signed, hashlib.sha512).hexdigest()
        headers = {
            "Content-Type": "application/json",
            "BinancePay-Timestamp": timestamp,
            "BinancePay-Nonce": nonce,
            "BinancePay-Certificate-SN": self.api_key,
            "BinancePay-Signature": signature.upper(),
        }
        r = self.http.post(f"/binancepay/openapi{path}", content=body, headers=headers)
        envelope = r.json()
        assert envelope["status"] == "SUCCESS", envelope
        return dict(envelope["data"])

    def create_order(self, amount: str = "25.17", **fields: Any) -> dict[str, Any]:
        payload = {
            "env": {"terminalType": "WEB"},
            "merchantTradeNo": f"hosted{next(self.trade_nos)}",
            "orderAmount": amount,
            "currency": "USDT",
            "goods": {
                "goodsType": "01",
                "goodsCategory": "D000",
                "referenceGoodsId": "7876763A3B",
                "goodsName": "Green tea ice cream",
            },
            **fields,
        }
        return self.call("/v2/order", payload)

    def status(self, prepay_id: str) -> str:
        return str(self.call("/v2/order/query", {"prepayId": prepay_id})["status"])


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """A server of its own: these tests move its clock."""
    return make_sandbox("hosted")


@pytest.fixture(scope="module")
def merchant(box: Sandbox, receiver: Receiver) -> Iterator[PayMerchant]:
    r = box.admin.post(
        "/sandbox/v1/merchants",
        json={"name": MERCHANT_NAME, "webhookUrl": f"{receiver.url}/webhook"},
    )
    assert r.status_code in (200, 201), r.text
    data = r.json()
    with httpx.Client(base_url=box.url, timeout=30) as http:
        yield PayMerchant(box, data["merchantId"], data["apiKey"], data["apiSecret"], http)


_emails = itertools.count(1)


def new_payer(box: Sandbox, usdt: str) -> tuple[str, str]:
    email = f"payer{next(_emails)}@example.com"
    user_id = box.create_user(email=email)
    if Decimal(usdt):
        box.credit(user_id, "USDT", usdt)
    return user_id, email


def usdt(box: Sandbox, user_id: str) -> Decimal:
    return box.balance(user_id, "USDT", "FUNDING") + box.balance(user_id, "USDT", "SPOT")


# --- the browser --------------------------------------------------------------------------


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


def sign_in(page: Page, login: str) -> None:
    page.fill("#login", login)
    page.click("#signin")
    page.wait_for_load_state()


# --- tests --------------------------------------------------------------------------------


def test_pay_in_the_browser_returns_to_the_merchant_and_sends_the_webhook(
    page: Page, box: Sandbox, merchant: PayMerchant, receiver: Receiver, tmp_path: Path
) -> None:
    payer, email = new_payer(box, "100")
    order = merchant.create_order(
        merchantTradeNo="icecream1",
        returnUrl=f"{receiver.url}/return",
        cancelUrl=f"{receiver.url}/cancel",
    )
    prepay_id = order["prepayId"]
    # The countdown follows the sandbox clock, not the browser's: 20 of 60 minutes are gone.
    box.advance(20 * 60_000)

    response = page.goto(order["checkoutUrl"])
    assert response is not None and response.status == 200
    assert page.inner_text("#merchant") == MERCHANT_NAME
    assert page.inner_text("#title") == "Green tea ice cream"
    assert page.inner_text("#amount").split() == ["25.17", "USDT"]
    assert page.inner_text("#status") == "INITIAL"
    assert re.fullmatch(r"(40:00|39:[0-5]\d)", page.inner_text("#countdown-value"))
    assert page.get_attribute("#qr", "src") == order["qrcodeLink"]
    page.wait_for_function(QR_LOADED)

    sign_in(page, email)
    assert email in page.inner_text("#payer")
    assert page.inner_text("#balance").split()[:2] == ["100", "USDT"]
    assert merchant.status(prepay_id) == "PENDING"  # the payer opened it
    page.wait_for_function(QR_LOADED)
    shot = screenshot_path(tmp_path)
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    page.click("#pay")
    page.wait_for_url(f"{receiver.url}/return")
    assert page.inner_text("#landing") == "merchant page /return"

    assert merchant.status(prepay_id) == "PAID"
    assert usdt(box, payer) == Decimal("74.83")
    box.settle()
    webhooks = receiver.pay_webhooks(prepay_id)
    assert [(w["bizType"], w["bizStatus"]) for w in webhooks] == [("PAY", "PAY_SUCCESS")]
    assert json.loads(webhooks[0]["data"])["merchantTradeNo"] == "icecream1"

    # Back on the checkout, the order shows its state instead of the pay form.
    page.goto(order["checkoutUrl"])
    assert page.inner_text("#status") == "PAID"
    assert page.inner_text("#state") == "This order has been paid."
    assert page.locator("#pay").count() == 0


def test_paying_without_a_return_url_ends_on_the_paid_page(
    page: Page, box: Sandbox, merchant: PayMerchant
) -> None:
    _, email = new_payer(box, "30")
    order = merchant.create_order(amount="30")
    page.goto(order["checkoutUrl"])
    sign_in(page, email)
    page.click("#pay")
    page.wait_for_url(f"{order['checkoutUrl']}/paid")
    assert "Payment complete." in page.inner_text("#result")
    assert page.inner_text("#status") == "PAID"
    assert merchant.status(order["prepayId"]) == "PAID"


def test_cancel_leaves_for_the_cancel_url_and_keeps_the_order(
    page: Page, box: Sandbox, merchant: PayMerchant, receiver: Receiver
) -> None:
    _, email = new_payer(box, "100")
    order = merchant.create_order(cancelUrl=f"{receiver.url}/cancel")
    page.goto(order["checkoutUrl"])
    sign_in(page, email)
    page.click("#cancel")
    page.wait_for_url(f"{receiver.url}/cancel")
    assert merchant.status(order["prepayId"]) == "PENDING"

    # Without a cancelUrl, a page says so; the order was not even opened.
    other = merchant.create_order()
    page.goto(other["checkoutUrl"])
    page.click("#cancel")
    assert page.get_attribute("#result", "data-outcome") == "cancelled"
    assert "The order was not changed" in page.inner_text("#result")
    assert merchant.status(other["prepayId"]) == "INITIAL"


def test_an_unknown_prepay_id_is_a_404_page(page: Page, box: Sandbox) -> None:
    response = page.goto(f"{box.url}/pay/checkout/404404404404404404")
    assert response is not None and response.status == 404
    assert page.inner_text("h1") == "Order not found"
    assert "404404404404404404" in page.inner_text("#message")
    assert httpx.get(f"{box.url}/pay/qr/404404404404404404.svg").status_code == 404


def test_not_enough_balance_is_said_on_the_page_and_nothing_is_paid(
    page: Page, box: Sandbox, merchant: PayMerchant
) -> None:
    payer, email = new_payer(box, "1")
    order = merchant.create_order()
    page.goto(order["checkoutUrl"])
    sign_in(page, email)
    assert page.is_visible("#low-balance")
    with page.expect_navigation() as navigation:
        page.click("#pay")
    assert navigation.value is not None and navigation.value.status == 400
    assert page.inner_text("#error") == "Insufficient USDT balance to pay 25.17 USDT."
    assert merchant.status(order["prepayId"]) == "PENDING"
    assert usdt(box, payer) == Decimal(1)


def test_an_unknown_user_cannot_sign_in(page: Page, merchant: PayMerchant) -> None:
    order = merchant.create_order()
    page.goto(order["checkoutUrl"])
    sign_in(page, "nobody@example.com")
    assert (
        page.inner_text("#error")
        == "No sandbox user has the email or user id “nobody@example.com”."
    )
    assert page.is_visible("#login")
    assert merchant.status(order["prepayId"]) == "INITIAL"


def test_a_forged_sign_in_cookie_is_ignored(box: Sandbox, merchant: PayMerchant) -> None:
    payer, _ = new_payer(box, "100")
    order = merchant.create_order()
    path = f"/pay/checkout/{order['prepayId']}"
    forged = {"bsx_payer": f"{payer}.{'0' * 64}"}
    with httpx.Client(base_url=box.url, cookies=forged) as http:
        assert "Sign in to pay" in http.get(path).text
        refused = http.post(f"{path}/pay")
    assert refused.status_code == 400
    assert "Sign in as a sandbox user to pay." in refused.text
    assert merchant.status(order["prepayId"]) == "INITIAL"


def test_qr_code_deeplink_and_universal_url(box: Sandbox, merchant: PayMerchant) -> None:
    order = merchant.create_order(universalUrlAttach="countryCode=1&phone=1234567")
    checkout = f"/pay/checkout/{order['prepayId']}"
    qr = httpx.get(order["qrcodeLink"])
    assert qr.status_code == 200
    assert qr.headers["content-type"] == "image/svg+xml"
    assert qr.text.lstrip().startswith("<?xml") and "<svg" in qr.text
    deeplink = httpx.get(order["deeplink"])
    assert (deeplink.status_code, deeplink.headers["location"]) == (302, checkout)
    universal = httpx.get(order["universalUrl"])
    assert universal.status_code == 302
    assert universal.headers["location"] == f"{checkout}?countryCode=1&phone=1234567"


def test_an_expired_order_shows_its_state(page: Page, box: Sandbox, merchant: PayMerchant) -> None:
    order = merchant.create_order()
    box.advance(61 * 60_000)
    page.goto(order["checkoutUrl"])
    assert page.inner_text("#state") == "This order has expired and can no longer be paid."
    assert page.locator("#pay").count() == 0
    assert page.locator("#login").count() == 0
