"""The console's test controls in headless Chromium against a real server: fault rules made
and deleted in the console and met by real signed calls, scenarios run with their links
followed, reset, pages that update live, and acting as the end user with the effect seen
through the platform's own APIs."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from console_support import shoot, sign_in
from playwright.sync_api import Page
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from binance_sandbox.client import ConnectDepositClient, PayClient, WalletClient
from binance_sandbox.client.deposit_models import DepositStatus
from binance_sandbox.client.pay_errors import UnknownError
from sandbox_harness import Sandbox, ServerThread

GOODS = {
    "goodsType": "02",
    "goodsCategory": "Z000",
    "referenceGoodsId": "console-controls",
    "goodsName": "Console goods",
}


@dataclass
class Receiver:
    """A merchant's webhook endpoint that accepts only while `ok`."""

    url: str
    ok: bool = True


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    state = Receiver("")

    async def webhook(request: Request) -> JSONResponse:
        if not state.ok:
            return JSONResponse({"returnCode": "FAIL", "returnMessage": "not now"}, 500)
        return JSONResponse({"returnCode": "SUCCESS", "returnMessage": None})

    server = ServerThread(Starlette(routes=[Route("/webhook", webhook, methods=["POST"])])).start()
    state.url = f"{server.url}/webhook"
    yield state
    server.stop()


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """A server of its own: these tests add fault rules, reset partners and move the clock."""
    return make_sandbox("console-controls")


def create_merchant(box: Sandbox, **fields: Any) -> dict[str, Any]:
    r = box.admin.post("/sandbox/v1/merchants", json={"name": "Controls shop", **fields})
    assert r.status_code == 201, r.text
    return dict(r.json())


def pay_client(box: Sandbox, merchant: dict[str, Any]) -> PayClient:
    # No retries: the test counts every answer the platform gives.
    return PayClient(box.url, merchant["apiKey"], merchant["apiSecret"], max_retries=0)


def create_order(pay: PayClient, amount: str = "20") -> str:
    return pay.create_order(
        merchant_trade_no=f"cc{uuid.uuid4().hex[:20]}",
        env={"terminalType": "WEB"},
        order_amount=Decimal(amount),
        currency="USDT",
        goods=GOODS,
    ).prepay_id


def message(page: Page) -> str:
    return page.inner_text("#message")


def add_rule_in_console(page: Page, box: Sandbox, **fields: str) -> str:
    """Fill the fault form (`family`, `action` selects; any other field by id) and add it."""
    page.goto(box.url + "/console/faults")
    page.select_option("#family", fields.pop("family"))
    page.select_option("#action", fields.pop("action"))
    for name, value in fields.items():
        if name == "status":
            page.select_option("#status", value)
        else:
            page.fill(f"#{name}", value)
    page.click("#add-fault")
    page.wait_for_load_state()
    match = re.search(r"created=(F\d+)", page.url)
    assert match, page.url
    return match.group(1)


# --- fault rules ----------------------------------------------------------------------------


def test_a_pay_fault_made_in_the_console_answers_once_then_the_call_works(
    page: Page, box: Sandbox, tmp_path: Path
) -> None:
    faulty, other = create_merchant(box), create_merchant(box)
    sign_in(page, box, "/console/faults")
    rule_id = add_rule_in_console(
        page,
        box,
        family="pay",
        action="error",
        scope_merchantId=str(faulty["merchantId"]),
        endpoint="/v2/order",
        code="400000",
        message="injected from the console",
        count="1",
    )
    assert page.inner_text("#done").startswith(f"Rule {rule_id} added")
    row = page.locator(f"#rules tr.rule[data-id='{rule_id}']")
    assert row.locator(".action").inner_text() == (
        "error · code 400000 · message injected from the console"
    )
    assert row.locator(".count").inner_text() == "1"
    assert f"merchantId={faulty['merchantId']}" in row.inner_text()
    listed = box.admin.get("/sandbox/v1/faults").json()
    assert [(r["id"], r["family"], r["endpoint"], r["count"]) for r in listed] == [
        (rule_id, "pay", "/v2/order", 1)
    ]
    shoot(page, "faults", tmp_path)

    with pay_client(box, other) as pay:  # out of scope: answered as usual
        assert pay.query_order(create_order(pay)).status == "INITIAL"
    with pay_client(box, faulty) as pay:
        with pytest.raises(UnknownError) as caught:
            create_order(pay)
        # 400000 is in the result-code table: its text comes first (pay-create-order-v2.txt).
        assert (caught.value.code, caught.value.message) == (
            "400000",
            "An unknown error occurred while processing the request. injected from the console",
        )
        # Used up: the next call is created, and the rule is gone from the console.
        prepay_id = create_order(pay)
        assert pay.query_order(prepay_id).status == "INITIAL"
    page.goto(box.url + "/console/faults")
    assert page.locator(f"#rules tr.rule[data-id='{rule_id}']").count() == 0
    box.audit()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"family": "pay", "action": "status", "status": "PENDING"},
            "action.type must be one of error, http504, latency, ratelimit for family pay.",
        ),
        (
            {"family": "connect", "action": "latency", "ms": "soon"},
            "action.ms must be an integer from 0 to 10000.",
        ),
        (
            {"family": "pay", "action": "error", "code": "oops"},
            "action.code must be the family's numeric error code.",
        ),
        (
            {"family": "pay", "action": "ratelimit", "count": "many"},
            "count: Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            {"family": "wallet", "action": "ratelimit", "share": "2"},
            "share: Input should be less than or equal to 1",
        ),
    ],
)
def test_a_bad_fault_form_is_a_page_in_words(
    page: Page, box: Sandbox, fields: dict[str, str], expected: str
) -> None:
    before = box.admin.get("/sandbox/v1/faults").json()
    sign_in(page, box, "/console/faults")
    page.select_option("#family", fields.pop("family"))
    page.select_option("#action", fields.pop("action"))
    for name, value in fields.items():
        if name == "status":
            page.select_option("#status", value)
        else:
            page.fill(f"#{name}", value)
    with page.expect_navigation() as navigation:
        page.click("#add-fault")
    response = navigation.value
    assert response is not None and response.status == 400
    assert message(page) == expected
    assert box.admin.get("/sandbox/v1/faults").json() == before


def test_delete_a_fault_rule_from_the_console(page: Page, box: Sandbox) -> None:
    user = box.create_user()
    sign_in(page, box, "/console/faults")
    rule_id = add_rule_in_console(
        page, box, family="wallet", action="ratelimit", scope_userId=user, share="0.5"
    )
    row = page.locator(f"#rules tr.rule[data-id='{rule_id}']")
    assert "0.5" in row.inner_text() and "no limit" in row.inner_text()
    page.click(f"#delete-{rule_id}")
    page.wait_for_url(re.compile(r".*deleted=F\d+$"))
    assert page.inner_text("#done") == f"Rule {rule_id} deleted."
    assert page.locator(f"#rules tr.rule[data-id='{rule_id}']").count() == 0
    assert rule_id not in {r["id"] for r in box.admin.get("/sandbox/v1/faults").json()}
    # Deleting it again (a stale page) is refused in words.
    answer = page.request.post(box.url + f"/console/faults/{rule_id}/delete")
    assert answer.status == 404
    assert f"No fault rule {rule_id}." in answer.text()


# --- scenarios and reset --------------------------------------------------------------------


def test_run_a_scenario_follow_its_link_and_reset_its_partner(
    page: Page, box: Sandbox, tmp_path: Path
) -> None:
    sign_in(page, box, "/console/scenarios")
    page.click("#run-buy-fiat-never-arrives")
    page.wait_for_selector("#made")
    assert page.inner_text("#made-name") == "buy-fiat-never-arrives"
    assert "stays PROCESSING" in page.inner_text("#expect")
    client_id = page.inner_text("a.made-link[data-key='clientId']")
    fault_id = page.inner_text("a.made-link[data-key='faultId']")
    order_id = page.inner_text("a.made-link[data-key='orderId']")
    assert '"privateKeyPem"' in (page.text_content("#made-json") or "")
    shoot(page, "scenarios", tmp_path)

    page.click("a.made-link[data-key='orderId']")
    page.wait_for_url(box.url + f"/console/prime/orders/{order_id}")
    assert page.inner_text("#status") == "PROCESSING"
    assert box.order(order_id)["partnerClientId"] == client_id
    page.goto(box.url + "/console/faults")
    assert "status · status PENDING" in page.inner_text(f"#rules tr[data-id='{fault_id}']")

    page.goto(box.url + "/console/scenarios")
    page.select_option("#reset-partner", client_id)
    page.click("#reset-partner-button")
    page.wait_for_selector("#done")
    assert page.inner_text("#done").startswith(
        f"Partner {client_id} reset. Deleted: Prime orders 1, deposit sessions 0,"
    )
    assert box.admin.get(f"/sandbox/v1/prime/orders/{order_id}").status_code == 404
    assert fault_id not in {r["id"] for r in box.admin.get("/sandbox/v1/faults").json()}
    users = box.admin.get("/sandbox/v1/users", params={"partnerClientId": client_id}).json()
    assert users == []
    assert box.admin.get(f"/sandbox/v1/partners/{client_id}").status_code == 200
    # Its page now says so in words.
    response = page.goto(box.url + f"/console/prime/orders/{order_id}")
    assert response is not None and response.status == 404
    box.audit()


def test_a_pay_scenario_links_to_its_order_and_payer(page: Page, box: Sandbox) -> None:
    sign_in(page, box, "/console/scenarios")
    page.click("#run-partial-refunds-until-full")
    page.wait_for_selector("#made")
    prepay_id = page.inner_text("a.made-link[data-key='prepayId']")
    payer = page.inner_text("a.made-link[data-key='payerUserId']")
    payer_page = page.get_attribute("a.made-link[data-key='payerUserId']", "href")
    assert payer_page == f"/console/users/{payer}"
    page.click("a.made-link[data-key='prepayId']")
    page.wait_for_url(box.url + f"/console/pay/orders/{prepay_id}")
    assert page.locator("#refunds tr").count() == 4  # header and three refunds
    # The refunds finish on the worker; the page follows without a reload.
    page.wait_for_function("document.getElementById('status').textContent === 'FULL_REFUNDED'")
    response = page.goto(box.url + payer_page)
    assert response is not None and response.status == 200
    assert payer in page.inner_text("h1")
    box.audit()


def test_reset_forms_refuse_what_is_not_meant(page: Page, box: Sandbox) -> None:
    sign_in(page, box, "/console/scenarios")
    partners = len(box.admin.get("/sandbox/v1/partners").json())
    for form, expected in (
        ({"what": "all"}, "tick the box to confirm it."),
        ({"what": "partner"}, "Choose the partner to reset."),
        ({"what": "everything"}, "Reset what: one partner, or the whole sandbox?"),
        ({"what": "partner", "partnerClientId": "nobody"}, "No partner nobody."),
    ):
        answer = page.request.post(box.url + "/console/reset", form=form)
        assert answer.status in (400, 404), answer.text()
        assert expected in answer.text()
    answer = page.request.post(box.url + "/console/scenarios/no-such-thing")
    assert answer.status == 404 and "No scenario no-such-thing" in answer.text()
    assert len(box.admin.get("/sandbox/v1/partners").json()) == partners


def test_a_whole_reset_from_the_console(page: Page, make_sandbox: Callable[..., Sandbox]) -> None:
    other = make_sandbox("console-reset-all")
    partner = other.create_partner()
    user = other.create_user(partner)
    other.credit(user, "USDT", "10")
    create_merchant(other)
    sign_in(page, other, "/console/scenarios")
    page.check("#reset-confirm")
    page.click("#reset-all")
    page.wait_for_selector("#done")
    assert page.inner_text("#done").startswith("The whole sandbox was reset")
    assert other.admin.get("/sandbox/v1/partners").json() == []
    assert other.admin.get("/sandbox/v1/merchants").json() == []
    assert other.admin.get("/sandbox/v1/users").json() == []
    other.audit()
    # Still signed in: the console's cookie belongs to the admin token, which stays.
    response = page.goto(other.url + "/console/faults")
    assert response is not None and response.status == 200


# --- live updates ---------------------------------------------------------------------------


def test_the_pay_order_page_updates_live_as_the_order_is_paid_and_refunded(
    page: Page, box: Sandbox, receiver: Receiver
) -> None:
    receiver.ok = True
    merchant = create_merchant(box, webhookUrl=receiver.url)
    payer = box.create_user()
    box.credit(payer, "USDT", "50")
    with pay_client(box, merchant) as pay:
        prepay_id = create_order(pay, "20")
        sign_in(page, box, f"/console/pay/orders/{prepay_id}")
        assert page.inner_text("#status") == "INITIAL"
        assert page.locator("#pay").count() == 1
        page.evaluate("window.stillTheSamePage = true")
        # While nothing changes, polls leave the page's elements alone.
        page.evaluate("document.getElementById('summary').untouched = true")
        page.wait_for_function("document.getElementById('live').textContent.includes('checked')")
        assert page.evaluate("document.getElementById('summary').untouched") is True

        r = box.admin.post(f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": payer})
        assert r.status_code == 200, r.text
        page.wait_for_function("document.getElementById('status').textContent === 'PAID'")
        assert page.get_attribute("#status", "class") == "status PAID"
        assert page.locator("#pay").count() == 0 and page.locator("#paid").count() == 1
        page.wait_for_function(
            "[...document.querySelectorAll('#deliveries tr.delivery')]"
            ".some(r => r.textContent.includes('done'))"
        )

        pay.refund(f"{prepay_id}-r1", prepay_id, Decimal("5"))
        page.wait_for_function("document.getElementById('status').textContent === 'REFUNDED'")
        assert pay.query_order(prepay_id).status == "REFUNDED"
        assert page.locator("#refunds tr").nth(1).inner_text().startswith(f"{prepay_id}-r1")
        assert page.evaluate("window.stillTheSamePage") is True
        assert "live · checked" in page.inner_text("#live")

    # The polling is not in the request log; the page loads are.
    page.goto(box.url + "/console/webhooks?status=done")
    assert any(
        e["path"] == "/console/webhooks"
        for e in box.admin.get("/sandbox/v1/requests", params={"family": "console"}).json()
    )
    logged = box.admin.get("/sandbox/v1/requests", params={"limit": 1000}).json()
    assert not [e for e in logged if e["path"].startswith("/console/api/")]
    box.audit()


def test_a_webhook_delivery_page_follows_its_retries_live(
    page: Page, box: Sandbox, receiver: Receiver
) -> None:
    receiver.ok = False
    merchant = create_merchant(box, webhookUrl=receiver.url)
    payer = box.create_user()
    box.credit(payer, "USDT", "5")
    with pay_client(box, merchant) as pay:
        prepay_id = create_order(pay, "5")
    sign_in(page, box, "/console/webhooks?status=pending")
    page.evaluate("window.stillTheSamePage = true")
    box.admin.post(f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": payer})
    box.settle()
    [delivery] = box.webhooks(ref=prepay_id)
    assert (delivery["status"], delivery["attempts"]) == ("pending", 1)  # a failed first attempt
    # The list shows the new pending delivery without a reload.
    page.wait_for_selector(f"#deliveries tr.delivery[data-id='{delivery['id']}']")
    assert page.evaluate("window.stillTheSamePage") is True

    page.click(f"#deliveries tr.delivery[data-id='{delivery['id']}'] a")
    page.wait_for_url(box.url + f"/console/webhooks/{delivery['id']}")
    assert page.inner_text("#status") == "pending"
    assert page.locator(".attempt").count() == 1
    page.evaluate("window.stillTheSamePage = true")
    receiver.ok = True
    box.advance(5_000)  # past the first backoff: the worker tries again and it is taken
    page.wait_for_function("document.getElementById('status').textContent === 'done'")
    assert page.locator(".attempt").count() == 2
    assert page.locator(".attempt .attempt-status").nth(1).inner_text() == "200"
    assert page.evaluate("window.stillTheSamePage") is True


# --- acting as the end user -----------------------------------------------------------------


def test_act_as_the_user_with_the_effect_seen_through_the_api(page: Page, box: Sandbox) -> None:
    merchant = create_merchant(box)
    payer = box.create_user()
    box.credit(payer, "USDT", "50")
    partner = box.create_partner()
    user = box.create_user(partner)
    key = box.admin.post("/sandbox/v1/api-keys", json={"userId": user}).json()
    creds = (box.url, partner.client_id, partner.access_token, partner.private_key)
    with (
        pay_client(box, merchant) as pay,
        ConnectDepositClient(*creds) as deposit,
        WalletClient(box.url, key["apiKey"], key["secretKey"]) as wallet,
    ):
        # Pay an order, from the link the Pay order list would give.
        prepay_id = create_order(pay, "20")
        sign_in(page, box, f"/console/act?prepayId={prepay_id}")
        assert page.input_value("#prepayId") == prepay_id
        page.fill("#payerUserId", payer)
        page.click("#act-pay")
        assert page.inner_text("#done") == f"User {payer} paid Pay order {prepay_id}: PAID."
        assert pay.query_order(prepay_id).status == "PAID"

        # Authorize one deposit session and reject another.
        for external_order_id in ("act-yes", "act-no"):
            deposit.initiate_deposit(
                external_order_id, user_id=user, crypto_currency="USDT", networks=["ETH"]
            )
        for external_order_id, button, status in (
            ("act-yes", "#act-authorize", "AUTHORIZED"),
            ("act-no", "#act-reject", "REJECTED"),
        ):
            page.goto(box.url + "/console/act")
            page.fill("#partnerClientId", partner.client_id)
            page.fill("#externalOrderId", external_order_id)
            page.click(button)
            assert page.inner_text("#done") == (
                f"Deposit session {external_order_id} of {partner.client_id} is now {status}."
            )
        authorized = deposit.authorization("act-yes")
        assert authorized.status == DepositStatus.AUTHORIZED
        [address] = authorized.deposit_addresses
        rejected = deposit.authorization("act-no")
        assert (rejected.status, rejected.deposit_addresses) == (DepositStatus.REJECTED, [])

        # Send to the disclosed address: wapi shows the deposit, credited after confirmations.
        page.goto(box.url + "/console/act")
        page.fill("#network", "ETH")
        page.fill("#address", address.deposit_address)
        page.fill("#asset", "USDT")
        page.fill("#amount", "12.5")
        page.click("#act-transfer")
        match = re.search(r"txHash (\S+)\.$", page.inner_text("#done"))
        assert match, page.inner_text("#done")
        [pending] = wallet.deposit_history()
        assert (pending.tx_id, pending.amount, pending.status) == (
            match.group(1),
            Decimal("12.5"),
            0,
        )
        box.advance(12 * 12_000)
        assert wallet.deposit_history()[0].status == 1  # credited
    assert box.balance(user, "USDT") == Decimal("12.5")
    box.audit()
