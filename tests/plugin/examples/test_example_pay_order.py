"""Binance Pay: an order that is paid, and one that is not and expires; the merchant is told
of each by a signed webhook (`PAY_SUCCESS`, `PAY_CLOSED`)."""

from decimal import Decimal

from binance_sandbox.client import CreateOrderResult, PayOrderStatus, PayWebhookVerifier
from binance_sandbox.testing import (
    BinanceSandbox,
    Merchant,
    MerchantFactory,
    TestClock,
    UserFactory,
    Webhooks,
)

ONE_HOUR = 60 * 60 * 1000


def order_tea(merchant: Merchant, merchant_trade_no: str) -> CreateOrderResult:
    return merchant.pay.create_order(
        env={"terminalType": "WEB"},
        merchant_trade_no=merchant_trade_no,
        order_amount=Decimal("12.50"),
        currency="USDT",
        goods={
            "goodsType": "02",
            "goodsCategory": "Z000",
            "referenceGoodsId": "tea-1",
            "goodsName": "Green tea",
        },
        order_expire_time=ONE_HOUR,
    )


def test_a_paid_order_is_announced(
    binance_sandbox: BinanceSandbox,
    binance_merchant: MerchantFactory,
    binance_user: UserFactory,
    binance_clock: TestClock,
    binance_webhooks: Webhooks,
) -> None:
    merchant = binance_merchant()
    payer = binance_user(balances={"USDT": "100"})
    order = order_tea(merchant, "teaorder001")

    # The payer pays in the Binance app: the control API acts as the user.
    paid = binance_sandbox.admin.post(
        f"/sandbox/v1/pay/orders/{order.prepay_id}/pay", json={"payerUserId": payer.user_id}
    )
    assert paid.status_code == 200, paid.text
    binance_clock.settle()  # the webhook the payment made due has been delivered

    assert merchant.pay.query_order(order.prepay_id).status == PayOrderStatus.PAID
    webhook = binance_webhooks.one("PAY", order.prepay_id, "PAY_SUCCESS")
    event = PayWebhookVerifier(merchant.pay).verify(webhook.body, webhook.headers)
    assert event.data.merchant_trade_no == "teaorder001"
    assert event.data.total_fee == Decimal("12.50")


def test_an_unpaid_order_expires_and_is_closed(
    binance_merchant: MerchantFactory,
    binance_clock: TestClock,
    binance_webhooks: Webhooks,
) -> None:
    merchant = binance_merchant()
    order = order_tea(merchant, "teaorder002")

    binance_clock.advance(ONE_HOUR)

    assert merchant.pay.query_order(order.prepay_id).status == PayOrderStatus.EXPIRED
    webhook = binance_webhooks.one("PAY", order.prepay_id, "PAY_CLOSED")
    event = PayWebhookVerifier(merchant.pay).verify(webhook.body, webhook.headers)
    assert event.data.merchant_trade_no == "teaorder002"
