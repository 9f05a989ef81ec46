"""Connect Deposit sessions, chain deposits, Wallet withdrawals and Pay payouts in the console,
in headless Chromium against a real server: lists filtered, each one's timeline, webhook
deliveries and journal entries, the links between them, a withdrawal cancelled from its page,
and the request log's chart of volume and error rate."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from console_support import kinds, shoot, sign_in
from playwright.sync_api import Page

from binance_sandbox.client import ConnectDepositClient, PayClient, WalletClient
from binance_sandbox.client.wallet_models import WithdrawStatus
from sandbox_harness import Sandbox


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """A server of its own: these tests move its clock."""
    return make_sandbox("console-orders")


def deposit_address(box: Sandbox, user: str, coin: str) -> dict[str, Any]:
    r = box.admin.get(f"/sandbox/v1/users/{user}/deposit-address", params={"coin": coin})
    assert r.status_code == 200, r.text
    return dict(r.json())


def send_on_chain(box: Sandbox, **body: Any) -> dict[str, Any]:
    r = box.admin.post("/sandbox/v1/chain/transfers", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_a_deposit_session_and_the_chain_deposit_it_reported(
    page: Page, box: Sandbox, hook_url: str
) -> None:
    partner = box.create_partner(name="Deposit Bank", webhookUrl=hook_url)
    other = box.create_partner(name="Other Bank")
    user = box.create_user(partner)
    creds = (box.url, partner.client_id, partner.access_token, partner.private_key)
    with ConnectDepositClient(*creds) as deposit:
        deposit.initiate_deposit("dep-1", user_id=user, crypto_currency="ETH", networks=["ETH"])
        deposit.initiate_deposit("dep-2", user_id=user, crypto_currency="ETH", networks=["ETH"])

        sign_in(page, box, "/console/deposits")
        assert page.locator("#sessions tr.session").count() == 2
        page.select_option("#partner", other.client_id)
        page.click("#filter")
        assert page.locator("#sessions tr.session").count() == 0
        page.select_option("#partner", partner.client_id)
        page.select_option("#status", "AUTHORIZED")
        page.click("#filter")
        assert page.locator("#sessions tr.session").count() == 0

        # Answer the session as the user, from its page.
        page.goto(f"{box.url}/console/deposits?user={user}&status=INIT")
        assert page.locator("#sessions tr.session").count() == 2
        page.locator("#sessions a", has_text="dep-1").click()
        page.wait_for_url("**/console/deposits/*")
        assert page.inner_text("#status") == "INIT"
        page.click("#answer")
        page.click("#act-authorize")
        assert (
            page.inner_text("#done")
            == f"Deposit session dep-1 of {partner.client_id} is now AUTHORIZED."
        )
        page.go_back()
        page.go_back()
        page.reload()
        assert page.inner_text("#status") == "AUTHORIZED"
        assert kinds(page) == ["created", "authorized", "webhook_queued"]
        box.settle()  # the deposit webhook is delivered
        page.reload()
        [delivery] = page.locator("#deliveries tr.delivery").all()
        assert "deposit_status_event" in delivery.inner_text() and "done" in delivery.inner_text()

        # The user sends to the disclosed address; the partner reports the transaction.
        [address] = deposit.authorization("dep-1").deposit_addresses
        sent = send_on_chain(
            box, network="ETH", address=address.deposit_address, asset="ETH", amount="0.8"
        )
        deposit.report("dep-1", sent["txHash"], amount=Decimal("0.8"), crypto_currency="ETH")
    stray = send_on_chain(box, network="ETH", address="0x" + "c" * 40, asset="ETH", amount="1")
    box.advance(12 * 12_000)
    assert box.balance(user, "ETH") == Decimal("0.8")

    page.goto(f"{box.url}/console/chain/deposits?status=CREDITED&network=ETH")
    assert page.locator("#transfers tr.transfer").evaluate_all(
        "rows => rows.map(r => r.dataset.txHash)"
    ) == [sent["txHash"]]
    page.goto(f"{box.url}/console/chain/deposits?status=UNCLAIMED")
    assert page.locator("#transfers tr.transfer").evaluate_all(
        "rows => rows.map(r => r.dataset.txHash)"
    ) == [stray["txHash"]]
    page.goto(f"{box.url}/console/chain/deposits?user={user}")
    page.locator("#transfers a").first.click()
    page.wait_for_url(f"**/console/chain/deposits/{sent['txHash']}")
    assert page.inner_text("#status") == "CREDITED"
    assert kinds(page) == ["seen_on_chain", "credited"]
    [entry] = page.locator("#entries tr.entry").all()
    assert "chain_deposit" in entry.inner_text()
    # The entry's credit side is the user's account: its journal links back here.
    entry.locator("a", has_text=f"user:{user} ETH").click()
    page.wait_for_url("**/console/ledger/accounts/*")
    page.locator("#journal a.source").first.click()
    page.wait_for_url(f"**/console/chain/deposits/{sent['txHash']}")
    page.click("a.session")
    page.wait_for_url("**/console/deposits/*")
    assert page.inner_text("#reported-tx") == sent["txHash"]
    assert kinds(page)[-1] == "reported"
    box.audit()


def test_a_withdrawal_step_by_step_and_one_cancelled(
    page: Page, box: Sandbox, tmp_path: Path
) -> None:
    user = box.create_user()
    box.credit(user, "BTC", "1")
    key = box.admin.post("/sandbox/v1/api-keys", json={"userId": user}).json()
    friend = box.create_user()
    to = deposit_address(box, friend, "BTC")
    with WalletClient(box.url, key["apiKey"], key["secretKey"]) as wallet:
        done = wallet.withdraw("BTC", to["address"], Decimal("0.01"), name="to a friend").id

        def status(withdrawal_id: str) -> WithdrawStatus:
            return next(w.status for w in wallet.withdraw_history() if w.id == withdrawal_id)

        for step_ms, reached in (
            (5_000, WithdrawStatus.AWAITING_APPROVAL),
            (5_000, WithdrawStatus.PROCESSING),
            (2 * 600_000, WithdrawStatus.COMPLETED),
        ):
            box.advance(step_ms)
            assert status(done) == reached
        cancelled = wallet.withdraw("BTC", to["address"], Decimal("0.02")).id
    assert box.balance(user, "BTC") == Decimal("1") - Decimal("0.0102") - Decimal("0.0202")

    sign_in(page, box, "/console/withdrawals?status=6")
    assert page.locator("#withdrawals tr.withdrawal").evaluate_all(
        "rows => rows.map(r => r.dataset.id)"
    ) == [done]
    page.goto(f"{box.url}/console/withdrawals?user={user}")
    assert page.locator("#withdrawals tr.withdrawal").count() == 2
    page.locator("#withdrawals a", has_text=done).click()
    page.wait_for_url(f"**/console/withdrawals/{done}")
    assert page.inner_text("#status") == "6 Completed"
    assert kinds(page) == ["applied", "awaiting_approval", "processing", "completed"]
    details = page.locator("#timeline tr.event td.mono").all_inner_texts()
    assert [json.loads(d)["status"] for d in details] == [0, 2, 4, 6]
    [entry] = page.locator("#entries tr.entry").all()
    postings = entry.inner_text()
    assert f"user:{user} BTC" in postings and "-0.0102" in postings
    assert "world:chain:BTC BTC" in postings and "platform:withdraw-fees BTC" in postings
    assert page.locator("#operator").count() == 0  # it has gone out
    shoot(page, "withdrawal", tmp_path)
    # It went to a sandbox user: it arrived there as a chain deposit, and that links back.
    page.click("#arrived")
    page.wait_for_url("**/console/chain/deposits/*")
    assert page.inner_text("#status") == "CREDITED"
    page.click("#sent-by")
    page.wait_for_url(f"**/console/withdrawals/{done}")

    # Cancel the other from its page: amount and fee go back.
    page.goto(f"{box.url}/console/withdrawals/{cancelled}")
    assert page.inner_text("#status") == "0 Email Sent"
    page.click("#cancel")
    page.wait_for_url(f"**/console/withdrawals/{cancelled}")
    assert page.inner_text("#status") == "1 Cancelled"
    assert kinds(page) == ["applied", "cancelled"]
    assert page.locator("#entries tr.entry").count() == 2
    assert box.balance(user, "BTC") == Decimal("1") - Decimal("0.0102")
    # Once more is refused in words.
    response = page.request.post(f"{box.url}/console/withdrawals/{cancelled}/cancel")
    assert response.status == 409
    assert "has status 1; cannot cancel it." in response.text()
    box.audit()


def test_a_payout_with_its_transfers_webhooks_and_entries(
    page: Page, box: Sandbox, hook_url: str
) -> None:
    shop = box.admin.post(
        "/sandbox/v1/merchants", json={"name": "Payout Shop", "webhookUrl": hook_url}
    ).json()
    r = box.admin.post(
        "/sandbox/v1/balances/credit",
        json={"userId": shop["merchantId"], "asset": "USDT", "amount": "50", "wallet": "FUNDING"},
    )
    assert r.status_code == 200, r.text
    payee = box.create_user()
    with PayClient(box.url, shop["apiKey"], shop["apiSecret"]) as pay:
        pay.payout(
            "ordpayout1",
            "salaries",
            "USDT",
            Decimal("7"),
            2,
            [
                {
                    "merchantSendId": "s1",
                    "receiveType": "BINANCE_ID",
                    "receiver": payee,
                    "transferAmount": "5",
                    "transferMethod": "FUNDING_WALLET",
                },
                {
                    "merchantSendId": "s2",
                    "receiveType": "BINANCE_ID",
                    "receiver": "nobody-here",
                    "transferAmount": "2",
                    "transferMethod": "FUNDING_WALLET",
                },
            ],
        )
        box.settle()
        assert pay.query_payout("ordpayout1").batch_status == "PART_SUCCESS"
    delivered = box.webhooks(owner=shop["merchantId"])
    assert [d["status"] for d in delivered] == ["done", "done"]  # both payout webhooks

    sign_in(page, box, "/console/pay/payouts?status=SUCCESS")
    assert page.locator("#payouts tr.payout").count() == 0
    page.select_option("#merchant", shop["merchantId"])
    page.select_option("#status", "PART_SUCCESS")
    page.click("#filter")
    page.locator("#payouts tr.payout a").click()
    page.wait_for_url("**/console/pay/payouts/*")
    assert page.inner_text("#status") == "PART_SUCCESS"
    rows = page.locator("#details tr.detail").all_inner_texts()
    assert "SUCCESS" in rows[0] and payee in rows[0]
    assert "FAIL" in rows[1] and "receiver not found" in rows[1]
    assert kinds(page) == ["accepted", "webhook_queued", "batch", "webhook_queued"]
    assert page.locator("#deliveries tr.delivery").count() == 2
    entry_kinds = [
        row.locator("td").nth(2).inner_text() for row in page.locator("#entries tr.entry").all()
    ]
    assert entry_kinds == ["pay_payout_hold", "pay_payout", "pay_payout_return"]
    # The payee's Funding USDT journal names the payout.
    page.goto(f"{box.url}/console/users/{payee}")
    page.locator("#balances tr.balance", has_text="FUNDING").locator("a.journal").click()
    page.wait_for_url("**/console/ledger/accounts/*")
    source = page.locator("#journal a.source").first
    assert source.inner_text().startswith("Pay payout ")
    source.click()
    page.wait_for_url("**/console/pay/payouts/*")
    box.audit()


def test_bad_filters_and_unknown_ids_are_pages_in_words(page: Page, box: Sandbox) -> None:
    sign_in(page, box)
    for path, status, message in (
        ("/console/withdrawals?status=9", 400, "status must be a withdrawal status from 0 to 6."),
        ("/console/withdrawals/nope", 404, "No withdrawal nope."),
        ("/console/chain/deposits?status=LOST", 400, "status must be one of PENDING, CREDITED, DUST, UNCLAIMED."),
        ("/console/chain/deposits/0xnope", 404, "No chain transfer 0xnope."),
        ("/console/deposits?status=DONE", 400, "status must be INIT, AUTHORIZED, REJECTED or EXPIRED."),
        ("/console/deposits/nope", 404, "No deposit session nope."),
        ("/console/pay/payouts/nope", 404, "No Pay payout nope."),
        ("/console/requests?span=2h", 400, "span must be 1h, 6h, 24h."),
    ):  # fmt: skip
        response = page.goto(box.url + path)
        assert response is not None and response.status == status, path
        assert page.inner_text("#message") == message


def test_the_request_log_charts_volume_and_error_rate(
    page: Page, make_sandbox: Callable[..., Sandbox]
) -> None:
    box = make_sandbox("console-traffic")
    with httpx.Client(base_url=box.url, timeout=30) as http:
        # This minute: 4 answered, 1 refused (no API key); the next: 2 answered, 2 refused.
        for answered, refused in ((4, 1), (2, 2)):
            for _ in range(answered):
                assert http.get("/wapi/v3/systemStatus.html").status_code == 200
            for _ in range(refused):
                assert http.get("/wapi/v3/accountStatus.html").json()["success"] is False
            box.advance(60_000)
    sign_in(page, box, "/console/requests?family=wapi")
    chart = page.locator("#request-chart")
    assert chart.locator("rect.bar").count() == 2
    assert chart.locator("rect.error-bar").count() == 2
    assert page.text_content("#chart-totals") == "9 requests, 3 errors"
    rates = chart.locator("circle.rate-point title").all_text_contents()
    assert rates == ["20.0% errors", "50.0% errors"]
    heights = [Decimal(h) for h in chart.locator("rect.bar").evaluate_all(
        "bars => bars.map(b => b.getAttribute('height'))"
    )]  # fmt: skip
    assert heights[0] > heights[1] > 0  # 5 requests, then 4
    assert chart.locator("path.error-rate").count() == 1
    # Every family: the console's own and the control API's requests are counted too.
    page.select_option("#family", "")
    page.select_option("#span", "6h")
    page.click("#filter")
    total = int((page.text_content("#chart-totals") or "").split()[0])
    assert total > 9
    assert page.locator("#request-chart rect.bar").count() >= 1
