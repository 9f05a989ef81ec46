"""The pytest plugin for integrators (`binance_sandbox.testing`, docs/integration-testing.md), as
this suite has it: installed in the project's environment and loaded through its `pytest11`
entry point. Its fixtures are used here as an integrator's tests use them."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from binance_sandbox.client import PayOrderStatus
from binance_sandbox.testing import (
    BinanceSandbox,
    ControlApiError,
    Merchant,
    MerchantFactory,
    PartnerFactory,
    TestClock,
    UserFactory,
    Webhooks,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "tests" / "plugin" / "examples").glob("test_*.py"))
ONE_HOUR = 3_600_000


def order(merchant: Merchant, merchant_trade_no: str) -> str:
    return merchant.pay.create_order(
        env={"terminalType": "WEB"},
        merchant_trade_no=merchant_trade_no,
        order_amount=Decimal("5"),
        currency="USDT",
        goods={
            "goodsType": "02",
            "goodsCategory": "Z000",
            "referenceGoodsId": "g1",
            "goodsName": "Tea",
        },
        order_expire_time=ONE_HOUR,
    ).prepay_id


def test_the_plugin_is_loaded_from_its_entry_point(pytestconfig: pytest.Config) -> None:
    plugin = pytestconfig.pluginmanager.get_plugin("binance_sandbox")
    assert plugin is not None and plugin.__name__ == "binance_sandbox.testing.plugin"


def test_loading_the_plugin_does_not_start_or_import_the_server() -> None:
    """A test run that uses none of the fixtures pays nothing for them."""
    code = (
        "import sys, binance_sandbox.testing.plugin; "
        "print(sorted(m for m in sys.modules if m.startswith('binance_sandbox')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == str(
        ["binance_sandbox", "binance_sandbox.testing", "binance_sandbox.testing.plugin"]
    )


def test_the_server_answers_with_its_admin_token(binance_sandbox: BinanceSandbox) -> None:
    assert binance_sandbox.url.startswith("http://127.0.0.1:")
    r = httpx.get(
        f"{binance_sandbox.url}/sandbox/v1/clock",
        headers={"Authorization": f"Bearer {binance_sandbox.admin_token}"},
    )
    assert r.status_code == 200, r.text
    assert httpx.get(f"{binance_sandbox.url}/sandbox/v1/clock").status_code == 401
    assert binance_sandbox.database_url.startswith("sqlite")
    assert binance_sandbox.settle() >= 0


def test_the_factories_put_their_tenants_on_the_tests_clock_and_inbox(
    binance_sandbox: BinanceSandbox,
    binance_partner: PartnerFactory,
    binance_merchant: MerchantFactory,
    binance_user: UserFactory,
    binance_clock: TestClock,
    binance_webhooks: Webhooks,
) -> None:
    partner = binance_partner()
    merchant = binance_merchant()
    user = binance_user(balances={"BTC": Decimal("0.5"), "ETH": "2", "USDT": 10})
    customer = binance_user(partner=partner)

    assert partner.raw["testClockId"] == merchant.raw["testClockId"] == binance_clock.id
    assert user.raw["testClockId"] == customer.raw["testClockId"] == binance_clock.id
    assert customer.raw["partnerClientId"] == partner.client_id
    assert partner.raw["webhookUrl"].startswith(binance_webhooks.url + "/")
    assert merchant.raw["webhookUrl"].startswith(binance_webhooks.url + "/")
    # The credentials are the ones the clients sign with, and the platform takes them.
    assert partner.prime.user_assets(customer.user_id) == []
    assert partner.deposit.crypto_networks()
    assert merchant.pay.balance_v2("FUNDING_WALLET").balance == []
    assert user.wallet.account_status() is not None
    r = binance_sandbox.admin.get("/sandbox/v1/balances", params={"userId": user.user_id})
    balances = {b["asset"]: Decimal(b["amount"]) for b in r.json()["balances"]}
    assert balances == {"BTC": Decimal("0.5"), "ETH": Decimal(2), "USDT": Decimal(10)}
    assert "BEGIN PRIVATE KEY" in partner.private_key_pem
    assert user.secret_key not in repr(user) and merchant.api_secret not in repr(merchant)


def test_advancing_the_tests_clock_moves_its_tenants_only(
    binance_sandbox: BinanceSandbox,
    binance_merchant: MerchantFactory,
    binance_clock: TestClock,
    binance_webhooks: Webhooks,
) -> None:
    mine = binance_merchant()
    theirs = binance_merchant(testClockId=None)  # on the sandbox's global clock
    my_order, their_order = order(mine, "mine001"), order(theirs, "theirs001")
    start = binance_clock.now_ms()

    binance_clock.advance(2 * ONE_HOUR)

    assert binance_clock.now_ms() == start + 2 * ONE_HOUR
    assert mine.pay.query_order(my_order).status == PayOrderStatus.EXPIRED
    assert theirs.pay.query_order(their_order).status == PayOrderStatus.INITIAL
    [closed] = binance_webhooks.find(event_type="PAY")
    assert (closed.object_id, closed.status) == (my_order, "PAY_CLOSED")
    assert closed.path == "/pay" and closed.headers["content-type"] == "application/json"
    global_now = binance_sandbox.admin.get("/sandbox/v1/clock").json()["nowMs"]
    assert global_now < start + ONE_HOUR


def test_one_webhook_says_what_did_arrive(binance_webhooks: Webhooks) -> None:
    assert binance_webhooks.all() == [] and len(binance_webhooks) == 0
    with pytest.raises(AssertionError, match=r"0 webhooks match .*'status': 'FILLED'.*: \[\]"):
        binance_webhooks.one("prime_order_event", status="FILLED")


def test_a_refused_setup_says_why(binance_partner: PartnerFactory) -> None:
    with pytest.raises(ControlApiError, match="POST /sandbox/v1/partners answered 400") as info:
        binance_partner(customSpreadMax="lots")
    assert info.value.status_code == 400 and "customSpreadMax" in info.value.body


def test_balances_are_never_floats(binance_user: UserFactory) -> None:
    with pytest.raises(TypeError, match="never float"):
        binance_user(balances={"ETH": 0.1})


def test_the_docs_show_the_examples_as_they_run() -> None:
    """docs/integration-testing.md shows each example file whole, as this suite runs it."""
    page = (ROOT / "docs" / "integration-testing.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", page, flags=re.DOTALL)
    assert len(EXAMPLES) == 4
    for example in EXAMPLES:
        assert example.read_text(encoding="utf-8") in blocks, f"{example.name} differs"
        assert f"tests/plugin/examples/{example.name}" in page
