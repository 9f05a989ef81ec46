"""Named scenarios: each sets up its situation, and the situation shows through the API."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from binance_sandbox.cli import app
from binance_sandbox.client import ConnectPrimeClient, PayClient, WalletClient
from binance_sandbox.client.errors import QuoteExpired
from binance_sandbox.client.pay_models import PayOrderStatus
from binance_sandbox.client.wallet_models import WithdrawStatus
from binance_sandbox.signing import load_private_key
from sandbox_harness import Sandbox

NAMES = {
    "buy-fiat-never-arrives",
    "quote-expires-before-execute",
    "partial-refunds-until-full",
    "deposit-link-expires",
    "sell-transfer-fails-then-succeeds",
    "webhook-receiver-down",
    "withdrawal-rejected",
    "pay-order-expires",
}


@pytest.fixture(scope="module")
def scenario_box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox("scenarios")  # scenarios move the clock


def run(box: Sandbox, name: str) -> dict[str, Any]:
    r = box.admin.post(f"/sandbox/v1/scenarios/{name}")
    assert r.status_code == 201, r.text
    return dict(r.json())


def client(box: Sandbox, made: dict[str, Any]) -> ConnectPrimeClient:
    p = made["partner"]
    return ConnectPrimeClient(
        box.url, p["clientId"], p["signAccessToken"], load_private_key(p["privateKeyPem"])
    )


def test_the_catalogue_and_the_cli_list_every_scenario(scenario_box: Sandbox) -> None:
    listed = scenario_box.admin.get("/sandbox/v1/scenarios").json()
    assert {s["name"] for s in listed} == NAMES
    assert all(s["description"] for s in listed)
    out = CliRunner().invoke(app, ["scenarios"])
    assert out.exit_code == 0
    for name in NAMES:
        assert name in out.output
    r = scenario_box.admin.post("/sandbox/v1/scenarios/no-such-thing")
    assert r.status_code == 404


def test_buy_fiat_never_arrives(scenario_box: Sandbox) -> None:
    box = scenario_box
    made = run(box, "buy-fiat-never-arrives")
    with client(box, made) as prime:
        order_id = made["orderId"]
        box.settle()
        assert any(e["kind"] == "check_transaction" for e in box.order(order_id)["timeline"])
        assert prime.transaction(order_id=order_id).status.value == "PROCESSING"
        box.advance(made["checkDeadlineAt"] - box.now() + 1)
        assert prime.transaction(order_id=order_id).status.value == "FAILED"
    box.audit()


def test_quote_expires_before_execute(scenario_box: Sandbox) -> None:
    made = run(scenario_box, "quote-expires-before-execute")
    assert made["nowMs"] > made["quoteExpiredAt"]
    with client(scenario_box, made) as prime, pytest.raises(QuoteExpired):
        prime.execute_quote(made["quoteId"], "too-late")


def test_partial_refunds_until_full(scenario_box: Sandbox) -> None:
    made = run(scenario_box, "partial-refunds-until-full")
    assert len(made["refunds"]) == 3
    order = scenario_box.admin.get(f"/sandbox/v1/pay/orders/{made['prepayId']}").json()
    assert [r["refundAmount"] for r in order["refunds"]] == ["10", "10", "10"], order
    merchant = made["merchant"]
    with PayClient(scenario_box.url, merchant["apiKey"], merchant["apiSecret"]) as pay:
        scenario_box.settle()
        assert pay.query_order(made["prepayId"]).status == PayOrderStatus.FULL_REFUNDED
        last = pay.query_refund(made["refunds"][-1]["refundRequestId"])
        assert last.refunded_amount == Decimal("30") and last.order_amount == Decimal("30")
    assert scenario_box.balance(made["payerUserId"], "USDT") == Decimal("100")
    scenario_box.audit()


def test_deposit_link_expires(scenario_box: Sandbox) -> None:
    made = run(scenario_box, "deposit-link-expires")
    r = scenario_box.admin.get(
        f"/sandbox/v1/deposits/{made['externalOrderId']}",
        params={"partnerClientId": made["partner"]["clientId"]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "EXPIRED", r.json()
    scenario_box.audit()


def test_sell_transfer_fails_then_succeeds(scenario_box: Sandbox) -> None:
    box = scenario_box
    made = run(box, "sell-transfer-fails-then-succeeds")
    order_id = made["orderId"]
    with client(box, made) as prime:
        box.settle()
        assert prime.transaction(order_id=order_id).status.value == "FILLED"
        # The first Transfer, answered HTTP 500, used the fault up.
        faults = box.admin.get("/sandbox/v1/faults").json()
        assert made["faultIds"][0] not in [f["id"] for f in faults]
        assert box.order(order_id)["transferStatus"] is None
        box.advance(made["retryAfterMs"])
        assert box.order(order_id)["transferStatus"] == "SUCCESS"
        assert prime.transaction(order_id=order_id).status.value == "FILLED"
        assert [a.free for a in prime.user_assets(made["userId"], asset="ETH")] == [Decimal("0.5")]
    box.audit()


def test_webhook_receiver_down(scenario_box: Sandbox) -> None:
    box = scenario_box
    made = run(box, "webhook-receiver-down")
    order_id = made["orderId"]
    box.settle()
    [first] = box.webhooks(ref=order_id)
    assert first["attempts"] == 1
    assert first["status"] == "pending" and first["attemptLog"][0]["statusCode"] is None
    assert first["attemptLog"][0]["error"]  # connection refused
    box.advance(1_000)
    assert box.webhooks(ref=order_id)[0]["attempts"] == 2  # the retry after 1 s
    with client(box, made) as prime:
        assert prime.transaction(order_id=order_id).status.value == "FILLED"
    box.audit()


def test_withdrawal_rejected(scenario_box: Sandbox) -> None:
    made = run(scenario_box, "withdrawal-rejected")
    with WalletClient(scenario_box.url, made["apiKey"], made["secretKey"]) as wallet:
        [withdrawal] = wallet.withdraw_history(asset="ETH")
        assert withdrawal.id == made["withdrawalId"]
        assert withdrawal.status == WithdrawStatus.REJECTED
    assert scenario_box.balance(made["userId"], "ETH") == 1
    scenario_box.audit()


def test_pay_order_expires(scenario_box: Sandbox) -> None:
    made = run(scenario_box, "pay-order-expires")
    merchant = made["merchant"]
    with PayClient(scenario_box.url, merchant["apiKey"], merchant["apiSecret"]) as pay:
        assert pay.query_order(made["prepayId"]).status == PayOrderStatus.EXPIRED
    scenario_box.audit()
