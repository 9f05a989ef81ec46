"""The order lifecycle end to end (guide §6–§9): the sandbox calls the merchant kit's Check
Transaction, Refund and Transfer APIs, fills or fails orders on the ledger, and delivers
signed `prime_order_event` webhooks that the kit verifies and de-duplicates."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from binance_sandbox import wire
from binance_sandbox.client import ConnectPrimeClient, ConnectWebhookVerifier
from binance_sandbox.client.models import OrderStatus
from binance_sandbox.merchant.app import create_merchant_app
from binance_sandbox.merchant.settings import MerchantSettings
from sandbox_harness import ServerThread, create_database

MERCHANT_TOKEN = "merchant-callback-token"


class Merchant:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30)

    def credit(self, user_id: str, currency: str, amount: str) -> None:
        r = self.http.post(
            f"/merchant/v1/users/{user_id}/fiat/credit",
            json={"currency": currency, "amount": amount},
        )
        assert r.status_code == 200 and r.json()["success"], r.text

    def fiat(self, user_id: str, currency: str) -> Decimal:
        r = self.http.get(f"/merchant/v1/users/{user_id}/fiat")
        return Decimal(r.json()["data"]["balances"].get(currency, "0"))

    def pay_binance(
        self, client_order_id: str, user_id: str, currency: str, amount: Decimal
    ) -> None:
        """Guide §6 step 5: move the user's fiat to Binance's account before execute."""
        r = self.http.post(
            "/merchant/v1/fiat-transfers",
            json={
                "clientOrderId": client_order_id,
                "userId": user_id,
                "fiatCurrency": currency,
                "amount": str(amount),
            },
        )
        assert r.status_code == 200 and r.json()["success"], r.text

    def webhooks(self) -> list[dict[str, Any]]:
        return list(self.http.get("/merchant/v1/webhooks").json()["data"])

    def webhook_for(self, order_id: str, status: str) -> dict[str, Any] | None:
        for event in self.webhooks():
            if event["orderId"] == order_id and event["status"] == status:
                return event
        return None


@pytest.fixture(scope="module")
def setup(
    sandbox: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, Merchant, Any]]:
    partner = sandbox.create_partner(customSpreadMin="0", customSpreadMax="0.02")
    url, drop = create_database(tmp_path_factory.mktemp("merchant"), "merchant")
    settings = MerchantSettings(
        database_url=url,
        api_token=MERCHANT_TOKEN,
        webhook_public_key=partner.webhook_public_key,
        client_id=partner.client_id,
        id_seed=3,
    )
    server = ServerThread(create_merchant_app(settings)).start()
    sandbox.update_partner(
        partner.client_id,
        webhookUrl=f"{server.url}/webhooks/binance-connect",
        merchantApiBaseUrl=server.url,
        merchantApiToken=MERCHANT_TOKEN,
    )
    merchant = Merchant(server.url)
    with ConnectPrimeClient(
        sandbox.url, partner.client_id, partner.access_token, partner.private_key
    ) as client:
        yield partner, merchant, client
    merchant.http.close()
    server.stop()
    drop()


def ref() -> str:
    return f"ord-{uuid.uuid4().hex[:16]}"


def buy_quote(client: ConnectPrimeClient, user: str, amount: str = "100") -> Any:
    return client.quote(
        user,
        fiat_currency="EUR",
        crypto_currency="BTC",
        direction="BUY",
        amount=Decimal(amount),
        amount_type=1,
        custom_spread=Decimal("0.01"),
    )


def test_buy_end_to_end(sandbox: Any, setup: Any) -> None:
    partner, merchant, client = setup
    user = sandbox.create_user(partner)
    merchant.credit(user, "EUR", "500")
    quote = buy_quote(client, user)
    order_ref = ref()
    merchant.pay_binance(order_ref, user, "EUR", Decimal(100))
    executed = client.execute_quote(quote.quote_id, order_ref)
    sandbox.settle()  # the Check Transaction execute made due, the fill, its webhook
    order = client.transaction(executed.order_id)

    assert order.status == OrderStatus.FILLED and order.status_code == 20
    assert order.crypto_amount == quote.total_amount and order.fiat_amount == Decimal("100.00")
    assert order.spread_amount == quote.spread_amount == Decimal("0.99")
    assert order.price == quote.quote_price and order.settle_time is not None
    assert sandbox.balance(user, "BTC") == quote.total_amount
    assert merchant.fiat(user, "EUR") == Decimal(400)
    assert [a.asset for a in client.user_assets(user)] == ["BTC"]

    event = merchant.webhook_for(order.order_id, "FILLED")
    assert event is not None
    body = event["body"]
    assert body["webhookEventType"] == "prime_order_event" and body["clientOrderId"] == order_ref
    assert Decimal(str(body["cryptoAmount"])) == quote.total_amount
    assert body["createTime"] == order.create_time // 1000  # seconds, as guide §8 shows

    detail = sandbox.order(order.order_id)
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds[:4] == ["created", "check_transaction", "filled", "webhook_queued"]
    assert detail["checkStatus"] == "COMPLETED" and detail["transactionId"]
    sandbox.audit()


def test_the_webhook_is_signed_as_guide_section_8_says(sandbox: Any, setup: Any) -> None:
    partner, merchant, client = setup
    user = sandbox.create_user(partner)
    merchant.credit(user, "EUR", "100")
    quote = buy_quote(client, user)
    order_ref = ref()
    merchant.pay_binance(order_ref, user, "EUR", Decimal(100))
    order_id = client.execute_quote(quote.quote_id, order_ref).order_id
    sandbox.settle()
    [delivery] = sandbox.webhooks(ref=order_id)
    assert delivery["status"] == "done"
    attempt = delivery["attemptLog"][-1]
    assert (
        attempt["statusCode"] == 200
        and wire.loads(attempt["responseBody"])["returnCode"] == "SUCCESS"
    )
    headers = attempt["requestHeaders"]
    assert headers["X-BN-Connect-For"] == partner.client_id
    verifier = ConnectWebhookVerifier(partner.webhook_public_key, client_id=partner.client_id)
    event = verifier.verify(delivery["body"].encode(), headers)
    assert event.order_id == order_id and event.status == OrderStatus.FILLED
    tampered = delivery["body"].replace('"FILLED"', '"FAILED"').encode()
    with pytest.raises(Exception, match="signature"):
        verifier.verify(tampered, headers)


def test_buy_where_the_fiat_never_arrives_fails_at_the_deadline(sandbox: Any, setup: Any) -> None:
    partner, merchant, client = setup
    user = sandbox.create_user(partner)
    order_id = client.execute_quote(buy_quote(client, user).quote_id, ref()).order_id
    sandbox.settle()
    assert sandbox.order(order_id)["checkStatus"] == "PENDING"  # the first check
    assert client.transaction(order_id).status == OrderStatus.PROCESSING
    sandbox.advance(300_000)  # check_deadline_ms
    order = client.transaction(order_id)
    assert (order.status, order.fail_reason) == (OrderStatus.FAILED, "FIAT_NOT_RECEIVED")
    assert sandbox.balance(user, "BTC") == 0
    assert merchant.webhook_for(order_id, "FAILED")
    assert sandbox.order(order_id)["refundStatus"] is None  # nothing arrived, nothing to refund
    sandbox.audit()


def test_buy_where_the_merchant_reports_the_fiat_transfer_failed(sandbox: Any, setup: Any) -> None:
    partner, merchant, client = setup
    user = sandbox.create_user(partner)
    merchant.credit(user, "EUR", "100")
    order_ref = ref()
    merchant.pay_binance(order_ref, user, "EUR", Decimal(100))
    assert merchant.http.post(f"/merchant/v1/fiat-transfers/{order_ref}/fail").json()["success"]
    order_id = client.execute_quote(buy_quote(client, user).quote_id, order_ref).order_id
    sandbox.settle()
    order = client.transaction(order_id)
    assert (order.status, order.fail_reason) == (OrderStatus.FAILED, "FIAT_TRANSFER_FAILED")
    sandbox.audit()


def test_fiat_arriving_after_the_quote_expired_is_refunded(sandbox: Any, setup: Any) -> None:
    partner, merchant, client = setup
    user = sandbox.create_user(partner)
    merchant.credit(user, "EUR", "100")
    order_ref = ref()
    order_id = client.execute_quote(buy_quote(client, user).quote_id, order_ref).order_id
    sandbox.settle()
    assert sandbox.order(order_id)["checkStatus"] == "PENDING"  # the first check
    sandbox.advance(61_000)  # past the quote's expiredAt
    merchant.pay_binance(order_ref, user, "EUR", Decimal(100))
    assert merchant.fiat(user, "EUR") == 0
    sandbox.advance(3_000)  # the next check
    order = client.transaction(order_id)
    assert (order.status, order.fail_reason) == (OrderStatus.FAILED, "QUOTE_EXPIRED_AFTER_FIAT")
    detail = sandbox.order(order_id)
    assert detail["refundStatus"] == "SUCCESS" and detail["refundReference"]
    assert merchant.fiat(user, "EUR") == Decimal(100)  # the user has the fiat back
    assert sandbox.balance(user, "BTC") == 0
    sandbox.audit()


def test_sell_end_to_end_calls_transfer(sandbox: Any, setup: Any) -> None:
    partner, merchant, client = setup
    user = sandbox.create_user(partner)
    sandbox.credit(user, "ETH", "2")
    quote = client.quote(
        user,
        fiat_currency="EUR",
        crypto_currency="ETH",
        direction="SELL",
        amount=Decimal("0.5"),
        amount_type=2,
        custom_spread=Decimal("0.01"),
    )
    order_id = client.execute_quote(quote.quote_id, ref()).order_id
    sandbox.settle()
    order = client.transaction(order_id)
    assert order.status == OrderStatus.FILLED and order.fiat_amount == quote.total_amount
    assert sandbox.balance(user, "ETH") == Decimal("1.5")
    detail = sandbox.order(order_id)
    assert detail["transferStatus"] == "SUCCESS" and detail["transferReference"]
    assert merchant.fiat(user, "EUR") == quote.total_amount  # the partner paid the user
    assert merchant.webhook_for(order_id, "FILLED")
    assert [(a.asset, a.free, a.locked) for a in client.user_assets(user, asset="ETH")] == [
        ("ETH", Decimal("1.5"), Decimal(0))
    ]
    sandbox.audit()


def test_operator_fill_and_fail_and_invalid_order_status(sandbox: Any, setup: Any) -> None:
    partner, _merchant, client = setup
    user = sandbox.create_user(partner)
    order_id = client.execute_quote(buy_quote(client, user).quote_id, ref()).order_id
    r = sandbox.admin.post(
        f"/sandbox/v1/prime/orders/{order_id}/fail", json={"reason": "MANUAL_REVIEW"}
    )
    assert (
        r.status_code == 200
        and r.json()["status"] == "FAILED"
        and r.json()["failReason"] == "MANUAL_REVIEW"
    )
    r = sandbox.admin.post(f"/sandbox/v1/prime/orders/{order_id}/fill")
    assert r.status_code == 409
    assert r.json() == {
        "error": {"code": "1230314", "message": f"Order {order_id} is FAILED, not PROCESSING."}
    }
    sandbox.audit()


def test_failed_deliveries_retry_on_the_sandbox_clock_and_can_be_redelivered(
    sandbox: Any, setup: Any
) -> None:
    partner, merchant, client = setup
    sandbox.update_partner(partner.client_id, webhookUrl=f"{merchant.url}/no-such-receiver")
    try:
        user = sandbox.create_user(partner)
        sandbox.credit(user, "BTC", "1")
        quote = client.quote(
            user,
            fiat_currency="USD",
            crypto_currency="BTC",
            direction="SELL",
            amount=Decimal("0.01"),
            amount_type=2,
        )
        order_id = client.execute_quote(quote.quote_id, ref()).order_id
        sandbox.settle()
        [first] = sandbox.webhooks(ref=order_id)
        assert first["attempts"] == 1
        assert first["status"] == "pending" and first["attemptLog"][0]["statusCode"] == 404
        # Backoff 1 s, 2 s, …: each attempt waits for the sandbox clock, not for real time.
        sandbox.advance(999)
        assert sandbox.webhooks(ref=order_id)[0]["attempts"] == 1
        sandbox.advance(1)
        assert sandbox.webhooks(ref=order_id)[0]["attempts"] == 2
        sandbox.advance(2_000)
        third = sandbox.webhooks(ref=order_id)[0]
        assert [a["outcome"] for a in third["attemptLog"]] == ["retry", "retry", "retry"]
        assert third["nextAttemptAt"] == sandbox.now() + 4_000
        assert merchant.webhook_for(order_id, "FILLED") is None
    finally:
        sandbox.update_partner(
            partner.client_id, webhookUrl=f"{merchant.url}/webhooks/binance-connect"
        )
    r = sandbox.admin.post(f"/sandbox/v1/webhooks/{first['id']}/redeliver")
    assert r.status_code == 200 and r.json()["redeliveryOf"] == first["id"]
    assert r.json()["url"] == f"{merchant.url}/webhooks/binance-connect"
    sandbox.settle()
    assert merchant.webhook_for(order_id, "FILLED")  # redelivered
    # Redelivering again is a duplicate the receiver de-duplicates by orderId and status.
    sandbox.admin.post(f"/sandbox/v1/webhooks/{first['id']}/redeliver")
    sandbox.settle()
    event = merchant.webhook_for(order_id, "FILLED")
    assert event is not None and event["duplicates"] == 1
