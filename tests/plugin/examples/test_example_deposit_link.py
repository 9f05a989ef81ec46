"""Connect Deposit: a deposit link the user never answers expires, and the partner is told by
a signed `deposit_status_event` webhook."""

from binance_sandbox.client import (
    ConnectWebhookVerifier,
    DepositStatus,
    verify_deposit_status_event,
)
from binance_sandbox.testing import PartnerFactory, TestClock, UserFactory, Webhooks

FIFTEEN_MINUTES = 15 * 60 * 1000  # how long a link may be used


def test_a_deposit_link_nobody_answers_expires(
    binance_partner: PartnerFactory,
    binance_user: UserFactory,
    binance_clock: TestClock,
    binance_webhooks: Webhooks,
) -> None:
    partner = binance_partner()
    user = binance_user(partner=partner)

    link = partner.deposit.initiate_deposit(
        "deposit-1", user_id=user.user_id, crypto_currency="USDT", networks=["ETH"]
    )
    assert link.link_expire_time == binance_clock.now_ms() + FIFTEEN_MINUTES
    assert partner.deposit.authorization("deposit-1").status == DepositStatus.INIT

    binance_clock.advance(FIFTEEN_MINUTES)

    assert partner.deposit.authorization("deposit-1").status == DepositStatus.EXPIRED
    webhook = binance_webhooks.one("deposit_status_event", "deposit-1", "EXPIRED")
    verifier = ConnectWebhookVerifier(partner.webhook_public_key, client_id=partner.client_id)
    event = verify_deposit_status_event(verifier, webhook.body, webhook.headers)
    assert event.status == DepositStatus.EXPIRED
