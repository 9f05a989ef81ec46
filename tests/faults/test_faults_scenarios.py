"""Named scenarios: each sets up its situation, and the situation shows through the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner

from binance_sandbox.cli import app
from binance_sandbox.client import ConnectPrimeClient
from binance_sandbox.client.errors import QuoteExpired
from binance_sandbox.signing import load_private_key
from sandbox_harness import Sandbox

NAMES = {
    "buy-fiat-never-arrives",
    "quote-expires-before-execute",
    "partial-refunds-until-full",
    "deposit-link-expires",
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
        box.wait_for(
            lambda: any(e["kind"] == "check_transaction" for e in box.order(order_id)["timeline"]),
            what="a Check Transaction",
        )
        assert prime.transaction(order_id=order_id).status.value == "PROCESSING"
        box.advance(made["checkDeadlineAt"] - box.now() + 1)
        box.wait_for(
            lambda: prime.transaction(order_id=order_id).status.value == "FAILED",
            what="the order to fail at the deadline",
        )
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
