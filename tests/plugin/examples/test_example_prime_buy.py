"""Connect Prime: a buy whose fiat takes a while to arrive is filled, and the partner is told
by a signed `prime_order_event` webhook."""

from decimal import Decimal

from binance_sandbox.client import ConnectWebhookVerifier, OrderStatus
from binance_sandbox.testing import (
    BinanceSandbox,
    PartnerFactory,
    TestClock,
    UserFactory,
    Webhooks,
)


def test_a_buy_is_filled_once_the_fiat_arrives(
    binance_sandbox: BinanceSandbox,
    binance_partner: PartnerFactory,
    binance_user: UserFactory,
    binance_clock: TestClock,
    binance_webhooks: Webhooks,
) -> None:
    partner = binance_partner()
    user = binance_user(partner=partner)
    # The partner's Check Transaction answers PENDING twice (the fiat is on its way), then
    # COMPLETED: this partner has no merchant API, so the sandbox takes the fiat as received.
    fault = {
        "family": "merchant",
        "scope": {"partnerClientId": partner.client_id},
        "endpoint": "/check-transaction",
        "action": {"type": "status", "status": "PENDING"},
        "count": 2,
    }
    assert binance_sandbox.admin.post("/sandbox/v1/faults", json=fault).status_code == 201

    quote = partner.prime.quote(
        user.user_id,
        fiat_currency="EUR",
        crypto_currency="BTC",
        direction="BUY",
        amount=Decimal("100"),
        amount_type=1,
    )
    order_id = partner.prime.execute_quote(quote.quote_id, "my-order-1").order_id
    assert partner.prime.transaction(order_id).status == OrderStatus.PROCESSING

    # The platform checks every 3 s: ten seconds on the test's clock settle the order.
    binance_clock.advance(10_000)

    order = partner.prime.transaction(order_id)
    assert order.status == OrderStatus.FILLED
    assert order.crypto_amount == quote.total_amount
    webhook = binance_webhooks.one("prime_order_event", order_id, "FILLED")
    verifier = ConnectWebhookVerifier(partner.webhook_public_key, client_id=partner.client_id)
    event = verifier.verify(webhook.body, webhook.headers)
    assert event.client_order_id == "my-order-1"
    assert event.crypto_amount == quote.total_amount
