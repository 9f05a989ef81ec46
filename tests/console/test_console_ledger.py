"""The ledger in the console, in headless Chromium against a real server: a user's balance
opens its account's journal, each entry links to what made it (a Connect Prime buy, a Pay
payment and its refund, a faucet credit), the running balance is right across pages, the
platform's and the world's accounts are listed, and bad addresses are pages in words."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from console_support import shoot, sign_in
from playwright.sync_api import Page

from binance_sandbox.client import ConnectPrimeClient, PayClient
from sandbox_harness import Sandbox

GOODS = {"goodsType": "01", "goodsCategory": "D000", "referenceGoodsId": "g1", "goodsName": "Tea"}


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox("console-ledger")


def credit(box: Sandbox, user: str, asset: str, amount: str, wallet: str = "SPOT") -> None:
    r = box.admin.post(
        "/sandbox/v1/balances/credit",
        json={"userId": user, "asset": asset, "amount": amount, "wallet": wallet},
    )
    assert r.status_code == 200, r.text


def open_journal(page: Page, asset: str, wallet: str) -> None:
    """From a user's page, the journal of one of the user's balances."""
    row = page.locator("#balances tr.balance").filter(has_text=asset).filter(has_text=wallet)
    row.locator("a.journal").click()
    page.wait_for_url("**/console/ledger/accounts/*")


def journal(page: Page) -> list[tuple[str, str, str, str]]:
    """(kind, made by, amount, balance after) of each row, newest first."""
    return [
        (
            row.locator(".kind").inner_text(),
            row.locator(".source").inner_text(),
            row.locator(".amount").inner_text(),
            row.locator(".running").inner_text(),
        )
        for row in page.locator("#journal tr.posting").all()
    ]


def test_each_journal_entry_links_to_what_made_it(page: Page, box: Sandbox, tmp_path: Path) -> None:
    partner = box.create_partner(name="Ledger Bank")
    buyer = box.create_user(partner)
    with ConnectPrimeClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    ) as prime:
        quote = prime.quote(
            buyer,
            fiat_currency="EUR",
            crypto_currency="BTC",
            direction="BUY",
            amount=Decimal("100"),
            amount_type=1,
        )
        order_id = prime.execute_quote(quote.quote_id, "ledger-buy-1").order_id
        box.settle()
        order = prime.transaction(order_id)
    assert order.status == "FILLED"

    shop = box.admin.post("/sandbox/v1/merchants", json={"name": "Ledger Shop"}).json()
    payer = box.create_user()
    credit(box, payer, "USDT", "100", "FUNDING")
    with PayClient(box.url, shop["apiKey"], shop["apiSecret"]) as pay:
        created = pay.create_order(
            env={"terminalType": "APP"},
            merchant_trade_no="ledgerorder1",
            order_amount=Decimal("25"),
            currency="USDT",
            goods=GOODS,
        )
        prepay_id = str(created.prepay_id)
        r = box.admin.post(f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": payer})
        assert r.status_code == 200, r.text
        pay.refund("ledger-refund-1", prepay_id, Decimal("10"))
        box.settle()
        assert pay.query_refund("ledger-refund-1").refund_status == "REFUND_SUCCESS"

    # The buyer's BTC: one entry, the buy, linked to its order page.
    sign_in(page, box, f"/console/users/{buyer}")
    open_journal(page, "BTC", "SPOT")
    assert page.inner_text("#balance") == f"{order.crypto_amount} BTC"
    [(kind, source, amount, running)] = journal(page)
    assert (kind, source) == ("prime_buy", f"Connect Prime order {order.order_id}")
    assert amount == f"+{order.crypto_amount}" and running == str(order.crypto_amount)
    page.locator("#journal a.source").click()
    page.wait_for_url(f"**/console/prime/orders/{order.order_id}")
    assert page.inner_text("#status") == "FILLED"

    # The payer's Funding USDT: faucet, payment, refund; newest first, each with its balance.
    page.goto(f"{box.url}/console/users/{payer}")
    open_journal(page, "USDT", "FUNDING")
    assert journal(page) == [
        ("pay_refund", f"refund ledger-refund-1 of Pay order {prepay_id}", "+10", "85"),
        ("pay_payment", f"Pay order {prepay_id}", "-25", "75"),
        ("faucet", f"faucet credit to user {payer}", "+100", "100"),
    ]
    # The other side of the payment is the merchant's Pay wallet.
    payment = page.locator("#journal tr.posting").nth(1)
    assert f"user:{shop['merchantId']} USDT FUNDING" in payment.inner_text()
    shoot(page, "journal", tmp_path)
    page.locator("#journal tr.posting").first.locator("a.source").click()
    page.wait_for_url(f"**/console/pay/orders/{prepay_id}")
    assert "ledger-refund-1" in page.inner_text("#refunds")

    # One entry: its postings balance, and it names what made it.
    page.go_back()
    page.locator("#journal tr.posting").nth(1).locator("a[href*='/ledger/entries/']").click()
    page.wait_for_url("**/console/ledger/entries/*")
    amounts = [Decimal(t.split()[0]) for t in page.locator("#postings td.num").all_inner_texts()]
    assert sorted(amounts) == [Decimal(-25), Decimal(25)]
    assert page.inner_text(".source") == f"Pay order {prepay_id}"

    # The platform's and the outside world's accounts, with their balances.
    page.goto(f"{box.url}/console/ledger")
    owners = set(page.locator("#accounts tr.account").evaluate_all(
        "rows => rows.map(r => r.dataset.owner)"
    ))  # fmt: skip
    assert {"platform", "world", "world:faucet", "world:fiat-rails", "pay:refunds"} <= owners
    assert not any(o.startswith("user:") for o in owners)
    assert page.inner_text("#audit") == "balanced"
    page.fill("#owner", "faucet")
    page.fill("#asset", "USDT")
    page.click("#filter")
    [faucet] = page.locator("#accounts tr.account").all()
    assert faucet.locator(".balance").inner_text() == "-100"
    faucet.locator("a").first.click()
    page.wait_for_url("**/console/ledger/accounts/*")
    [(kind, source, amount, running)] = journal(page)
    assert (kind, amount, running) == ("faucet", "-100", "-100")
    page.goto(f"{box.url}/console/ledger?kind=user&owner={payer}")
    assert page.locator("#accounts tr.account").count() == 1
    box.audit()


def test_the_running_balance_is_right_on_every_page(page: Page, box: Sandbox) -> None:
    user = box.create_user()
    for _ in range(55):
        credit(box, user, "ETH", "0.1")
    sign_in(page, box, f"/console/users/{user}")
    open_journal(page, "ETH", "SPOT")
    rows = journal(page)
    assert len(rows) == 50 and page.inner_text("#pager").count("page 1 of 2") == 1
    assert (rows[0][3], rows[-1][3]) == ("5.5", "0.6")
    assert {r[2] for r in rows} == {"+0.1"}
    page.click("#older")
    rows = journal(page)
    assert [r[3] for r in rows] == ["0.5", "0.4", "0.3", "0.2", "0.1"]
    page.click("#newer")
    assert journal(page)[0][3] == "5.5"


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/console/ledger/accounts/99999999999", 404, "No ledger account 99999999999."),
        ("/console/ledger/accounts/0", 404, "No ledger account 0."),
        ("/console/ledger/entries/99999999999", 404, "No journal entry 99999999999."),
        ("/console/ledger/accounts/1?page=0", 400, "page must be from 1 to 100000."),
        ("/console/ledger?kind=everyone", 400, "kind must be system, external, user or all."),
        (
            "/console/ledger/account?owner=user:nobody&asset=BTC&wallet=SPOT",
            404,
            "No BTC SPOT account of user:nobody.",
        ),
    ],
)
def test_bad_addresses_are_pages_in_words(
    page: Page, box: Sandbox, path: str, status: int, message: str
) -> None:
    sign_in(page, box)
    response = page.goto(box.url + path)
    assert response is not None and response.status == status
    assert page.inner_text("#message") == message


def test_a_malformed_id_is_a_bad_request_page(page: Page, box: Sandbox) -> None:
    sign_in(page, box)
    for path in ("/console/ledger/accounts/abc", "/console/ledger/account?owner=platform"):
        response = page.goto(box.url + path)
        assert response is not None and response.status == 400, path
        assert page.inner_text("#title") == "Bad request"
        assert "Illegal parameter" in page.inner_text("#message")
