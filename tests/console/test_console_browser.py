"""The web console at /console in headless Chromium against a real server: sign-in, every
page, an order's timeline updating live, redelivering a webhook, a rejected signature
explained, the clock moved from the console, and pages refused without sign-in.

Chromium is Debian's `/usr/bin/chromium`, as in tests/hosted.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from console_support import shoot, sign_in
from playwright.sync_api import Page
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from binance_sandbox import wire
from binance_sandbox.client import ConnectPrimeClient
from binance_sandbox.signing import generate_private_key, public_key_to_der_b64
from binance_sandbox.signing.connect import sign_connect
from sandbox_harness import ADMIN, START_MS, Sandbox, ServerThread

PRIME = "/papi/v1/ramp/connect/prime"


# --- the partner's merchant-side API: Check Transaction answers what the test says ----------


@dataclass
class MerchantApi:
    url: str
    check: dict[str, str] = field(default_factory=lambda: {"status": "PENDING"})


@pytest.fixture(scope="module")
def merchant_api() -> Iterator[MerchantApi]:
    state = MerchantApi("")

    async def check(request: Request) -> JSONResponse:
        return JSONResponse({"success": True, "data": {"status": state.check["status"]}})

    async def webhook(request: Request) -> JSONResponse:
        return JSONResponse({"returnCode": "SUCCESS", "returnMessage": None})

    app = Starlette(
        routes=[
            Route("/check-transaction", check, methods=["POST"]),
            Route("/webhook", webhook, methods=["POST"]),
        ]
    )
    server = ServerThread(app).start()
    state.url = server.url
    yield state
    server.stop()


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """A server of its own (these tests move its clock), with the delivery worker on; quotes
    live long enough that moving the clock a minute does not expire them."""
    return make_sandbox("console", quote_ttl_ms=3_600_000)


@pytest.fixture(scope="module")
def partner(box: Sandbox, merchant_api: MerchantApi) -> Any:
    return box.create_partner(
        name="Console Bank",
        merchantApiBaseUrl=merchant_api.url,
        webhookUrl=f"{merchant_api.url}/webhook",
    )


@pytest.fixture(scope="module")
def prime(box: Sandbox, partner: Any) -> Iterator[ConnectPrimeClient]:
    with ConnectPrimeClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    ) as client:
        yield client


def execute_buy(prime: ConnectPrimeClient, user: str) -> str:
    quote = prime.quote(
        user,
        fiat_currency="EUR",
        crypto_currency="BTC",
        direction="BUY",
        amount=Decimal("100"),
        amount_type=1,
    )
    return prime.execute_quote(quote.quote_id, f"console-{uuid.uuid4().hex[:12]}").order_id


# --- tests --------------------------------------------------------------------------------


def test_pages_and_actions_are_refused_without_sign_in(box: Sandbox) -> None:
    before = box.now()
    with httpx.Client(base_url=box.url, timeout=30) as http:
        r = http.get("/console/prime/orders?status=FILLED")
        assert r.status_code == 303
        assert (
            r.headers["location"] == "/console/signin?next=/console/prime/orders%3Fstatus%3DFILLED"
        )
        assert http.post("/console/clock/advance", data={"step": "1d"}).status_code == 303
        r = http.get("/console/api/prime/orders/anything")
        assert r.status_code == 401
        # The admin token as a Bearer header is for the control API, not the console.
        bearer = {"Authorization": f"Bearer {ADMIN}"}
        assert http.get("/console/users", headers=bearer).status_code == 303
        assert http.get("/sandbox/v1/clock", headers=bearer).status_code == 200
        assert http.get("/sandbox/v1/clock").status_code == 401
        # A forged cookie is no sign-in.
        http.cookies.set("bsx_console", "0" * 64, path="/console")
        assert http.get("/console").status_code == 303
    assert box.now() == before


def test_sign_in_refuses_a_wrong_token_then_opens_the_console(
    page: Page, box: Sandbox, tmp_path: Path
) -> None:
    page.goto(box.url + "/console/webhooks")
    assert page.url.startswith(box.url + "/console/signin")
    page.fill("#token", "not-the-token")
    page.click("#signin")
    assert page.inner_text("#error") == "That is not the admin token of this sandbox."
    page.fill("#token", ADMIN)
    page.click("#signin")
    page.wait_for_url(box.url + "/console/webhooks")
    cookie = next(c for c in page.context.cookies() if c["name"] == "bsx_console")
    assert cookie["httpOnly"] and cookie["path"] == "/console"
    page.click("#signout")
    page.goto(box.url + "/console")
    assert "/console/signin" in page.url


def test_every_page_renders_and_creates_show_credentials_once(
    page: Page, box: Sandbox, partner: Any, tmp_path: Path
) -> None:
    sign_in(page, box)
    assert page.locator("#price-chart .candle").count() >= 30
    shoot(page, "overview", tmp_path)
    for path in (
        "/console/partners",
        "/console/merchants",
        "/console/users",
        "/console/prime/orders",
        "/console/pay/orders",
        "/console/webhooks",
        "/console/requests",
        "/console/act",
        "/console/market?crypto=ETH&fiat=EUR&interval=1d",
    ):
        response = page.goto(box.url + path)
        assert response is not None and response.status == 200, path
    assert "ETH/EUR" in (page.text_content("#price-chart") or "")

    key = generate_private_key(1024)
    page.goto(box.url + "/console/partners")
    page.fill("#name", "Form Bank")
    page.fill("#rsaPublicKey", public_key_to_der_b64(key.public_key()))
    page.click("#create-partner")
    client_id = page.inner_text("#new-client-id")
    assert len(page.inner_text("#new-access-token")) >= 20
    assert box.admin.get(f"/sandbox/v1/partners/{client_id}").json()["name"] == "Form Bank"
    page.goto(box.url + "/console/partners")  # shown once
    assert page.locator("#new-access-token").count() == 0

    page.goto(box.url + "/console/merchants")
    page.fill("#name", "Form Shop")
    page.click("#create-merchant")
    merchant_id = page.inner_text("#new-merchant-id")
    assert len(page.inner_text("#new-api-secret")) == 64
    assert box.admin.get(f"/sandbox/v1/merchants/{merchant_id}").status_code == 200

    page.goto(box.url + "/console/users")
    page.select_option("#partner", client_id)
    page.click("#create-user")
    user_id = page.inner_text("#new-user-id")
    users = box.admin.get("/sandbox/v1/users", params={"partnerClientId": client_id}).json()
    assert [u["userId"] for u in users] == [user_id]

    # A refused form is a page in words, not a stack trace.
    page.goto(box.url + "/console/partners")
    page.fill("#name", "Bad Key Bank")
    page.fill("#rsaPublicKey", "not a key")
    page.click("#create-partner")
    assert page.inner_text("#message").startswith("rsaPublicKey:")


def test_an_order_updates_live_when_the_clock_is_advanced_from_the_console(
    page: Page,
    box: Sandbox,
    partner: Any,
    prime: ConnectPrimeClient,
    merchant_api: MerchantApi,
    tmp_path: Path,
) -> None:
    merchant_api.check["status"] = "PENDING"
    user = box.create_user(partner)
    order_id = execute_buy(prime, user)
    # The first Check Transaction answers PENDING; the next is due 3 s later on the frozen clock.
    box.settle()
    assert any(e["kind"] == "check_transaction" for e in box.order(order_id)["timeline"])

    sign_in(page, box)
    page.goto(box.url + f"/console/prime/orders?partner={partner.client_id}&status=PROCESSING")
    page.click(f"tr[data-order-id='{order_id}'] a")
    page.wait_for_url(box.url + f"/console/prime/orders/{order_id}")
    assert page.inner_text("#status") == "PROCESSING"
    kinds = page.locator("#timeline .kind").all_inner_texts()
    assert "check_transaction" in kinds

    # The fiat arrives; another tab moves the clock a minute: the next check fills the order
    # and its webhook goes out before the move answers, and the open order page shows it
    # without a reload.
    merchant_api.check["status"] = "COMPLETED"
    before = box.now()
    other = page.context.new_page()
    other.goto(box.url + "/console")
    other.click("#advance-1m")
    other.wait_for_load_state()
    assert box.now() == before + 60_000
    assert other.get_attribute("#clock-now", "data-now-ms") == str(before + 60_000)
    # The advance settled: the check, the fill's webhook and whatever else fell due ran.
    ran = other.inner_text("#clock-ran")
    assert ran.endswith("ran on the way.") and int(ran.split()[0]) >= 2, ran

    page.wait_for_function("document.getElementById('status').textContent === 'FILLED'")
    assert page.get_attribute("#status", "class") == "status FILLED"
    page.wait_for_function(
        "[...document.querySelectorAll('#timeline .kind')].some(e => e.textContent === 'filled')"
        " || document.querySelectorAll('#timeline .kind').length > 1"
    )
    assert box.order(order_id)["status"] == "FILLED"
    assert [d["status"] for d in box.webhooks(ref=order_id)] == ["done"]
    page.reload()
    shoot(page, "order", tmp_path)


def test_redeliver_a_webhook_from_its_page(
    page: Page, box: Sandbox, partner: Any, prime: ConnectPrimeClient, merchant_api: MerchantApi,
    tmp_path: Path,
) -> None:  # fmt: skip
    merchant_api.check["status"] = "COMPLETED"
    user = box.create_user(partner)
    order_id = execute_buy(prime, user)
    box.settle()
    [first] = box.webhooks(ref=order_id)
    assert first["status"] == "done"  # the FILLED webhook

    sign_in(page, box, f"/console/prime/orders/{order_id}")
    page.click(f"#deliveries tr[data-id='{first['id']}'] a")
    page.wait_for_url(box.url + f"/console/webhooks/{first['id']}")
    assert json.loads(page.inner_text("#payload"))["orderId"] == order_id
    assert page.locator(".attempt .attempt-status").first.inner_text() == "200"
    assert "X-BN-Connect-Signature" in page.inner_text(".attempt pre")

    page.click("#redeliver")
    page.wait_for_url(
        lambda url: "/console/webhooks/" in url and not url.endswith(f"/{first['id']}")
    )
    new_id = int(page.url.rsplit("/", 1)[1])
    assert new_id > first["id"]
    assert page.inner_text("#redelivery-of") == f"#{first['id']}"
    box.settle()
    assert box.admin.get(f"/sandbox/v1/webhooks/{new_id}").json()["status"] == "done"
    page.goto(box.url + "/console/webhooks")
    ids = [int(x) for x in page.locator("#deliveries tr.delivery").evaluate_all(
        "rows => rows.map(r => r.dataset.id)")]  # fmt: skip
    assert new_id in ids and first["id"] in ids
    page.goto(box.url + f"/console/webhooks/{new_id}")
    shoot(page, "webhook", tmp_path)


def test_a_rejected_signature_is_explained_in_the_request_log(
    page: Page, box: Sandbox, partner: Any, tmp_path: Path
) -> None:
    body = wire.dumps({"userId": "1"}).encode()
    ts = str(START_MS)
    wrong_key = generate_private_key(1024)  # not the key the partner registered
    headers = {
        "Content-Type": "application/json",
        "X-Tesla-ClientId": partner.client_id,
        "X-Tesla-SignAccessToken": partner.access_token,
        "X-Tesla-Timestamp": ts,
        "X-Tesla-Signature": sign_connect(wrong_key, body, ts),
    }
    with httpx.Client(base_url=box.url, timeout=30) as http:
        r = http.post(f"{PRIME}/buy/fiat-list", content=body, headers=headers)
    answer = r.json()
    assert answer["success"] is False, answer

    sign_in(page, box, "/console/requests?family=connect")
    row = page.locator("#requests tr.request", has_text="signature explained").first
    assert f"{PRIME}/buy/fiat-list" in row.inner_text()
    assert answer["code"] in row.inner_text()
    row.locator("a").first.click()
    page.wait_for_selector("#explanation")
    text = page.inner_text("#explanation")
    assert "algorithm: SHA256withRSA" in text
    assert f"expected signed string: {body.decode()}{ts}" in text
    assert "no match" in text
    shoot(page, "request", tmp_path)


def test_act_as_the_user_sends_a_chain_transfer(page: Page, box: Sandbox) -> None:
    user = box.create_user()
    r = box.admin.get(f"/sandbox/v1/users/{user}/deposit-address", params={"coin": "USDT"})
    assert r.status_code == 200, r.text
    address = r.json()
    sign_in(page, box, "/console/act")
    page.fill("#network", address["network"])
    page.fill("#address", address["address"])
    if address["addressTag"]:
        page.fill("#addressTag", address["addressTag"])
    page.fill("#asset", "USDT")
    page.fill("#amount", "12.5")
    page.click("#act-transfer")
    assert "txHash" in page.inner_text("#done")
    transfers = box.admin.get(
        "/sandbox/v1/chain/transfers", params={"address": address["address"]}
    ).json()
    assert [t["amount"] for t in transfers] == ["12.5"]
    # An unknown prepayId is refused in words.
    page.goto(box.url + "/console/act")
    page.fill("#prepayId", "999")
    page.fill("#payerUserId", user)
    page.click("#act-pay")
    assert page.locator("#message").count() == 1
