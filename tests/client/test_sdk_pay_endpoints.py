"""One call per endpoint: what it sends, and the contract's sample `data` read into typed,
exact results (docs/binance-pay.md, "Endpoints")."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sdk_connect_fakes import FakeClock, FakeSleep
from sdk_pay_fakes import (
    BALANCE,
    BALANCE_V2,
    ORDER,
    ORDER_CREATED,
    PAYOUT_BATCH,
    REFUND,
    REFUND_RESULT,
    SUB_MERCHANT,
    WALLET_TRANSFER,
    WALLET_TRANSFER_QUERY,
    FakePay,
    make_client,
    ok,
    ok_raw,
)

from binance_sandbox.client import (
    AssetBalance,
    CreateOrderResult,
    CreateOrderV3Request,
    PayBalance,
    PayCertificate,
    PayClient,
    PaymentInfo,
    PaymentInstruction,
    PayOrderStatus,
    PayoutBatchStatus,
    PayoutDetailStatus,
    PayoutResult,
    ReceiveType,
    RefundResult,
    RefundStatus,
    SubMerchant,
    WalletBalance,
    WalletTransfer,
    WalletTransferStatus,
    WalletTransferType,
)

PREPAY_ID = "383729303729303042"


@pytest.fixture
def pay() -> FakePay:
    return FakePay()


@pytest.fixture
def pay_client(pay: FakePay, clock: FakeClock, sleep: FakeSleep) -> Iterator[PayClient]:
    with make_client(pay, clock, sleep) as client:
        yield client


def test_create_order_v2(pay_client: PayClient, pay: FakePay) -> None:
    pay.script("v2/order", ok_raw(ORDER_CREATED))

    created = pay_client.create_order(
        merchant_trade_no="9825382937292",
        env={"terminalType": "APP"},
        order_amount=Decimal("25.17"),
        currency="USDT",
        goods={
            "goodsType": "01",
            "goodsCategory": "D000",
            "referenceGoodsId": "7876763A3B",
            "goodsName": "Ice Cream",
            "goodsDetail": "Greentea ice cream cone",
        },
    )

    assert pay.paths() == ["v2/order"]
    assert created == CreateOrderResult(
        prepay_id=PREPAY_ID,
        terminal_type="APP",
        expire_time=1700003600000,
        qrcode_link=f"https://sandbox.example/pay/qr/{PREPAY_ID}.png",
        qr_content=f"https://sandbox.example/pay/checkout/{PREPAY_ID}",
        checkout_url=f"https://sandbox.example/pay/checkout/{PREPAY_ID}",
        deeplink=f"bnc://app.binance.com/payment/secpay?tempToken={PREPAY_ID}",
        universal_url=f"https://sandbox.example/pay/checkout/{PREPAY_ID}",
        currency="USDT",
        total_fee=Decimal("25.17"),
    )
    assert created.fiat_amount is None


def test_a_fiat_order_reads_the_fiat_fields(pay_client: PayClient, pay: FakePay) -> None:
    pay.script(
        "v2/order",
        ok_raw(
            ORDER_CREATED.replace(
                '"totalFee": "25.17"',
                '"totalFee": "12.77377391", "fiatCurrency": "HKD", "fiatAmount": "100"',
            )
        ),
    )

    created = pay_client.create_order(
        merchant_trade_no="F1",
        env={"terminalType": "WEB"},
        fiat_amount=100,
        fiat_currency="HKD",
        goods={
            "goodsType": "02",
            "goodsCategory": "6000",
            "referenceGoodsId": "sku1",
            "goodsName": "Game credit",
        },
    )

    assert pay.received[0].json["fiatAmount"] == 100
    assert created.total_fee == Decimal("12.77377391")
    assert (created.fiat_currency, created.fiat_amount) == ("HKD", Decimal("100"))


def test_create_order_v3(pay_client: PayClient, pay: FakePay) -> None:
    pay.script("v3/order", ok_raw(ORDER_CREATED))
    request = CreateOrderV3Request(
        env={"terminalType": "WEB"},
        merchant_trade_no="A100",
        order_amount="10",
        currency="USDT",
        description="Order A100",
        goods_details=[
            {
                "goodsType": "02",
                "goodsCategory": "6000",
                "referenceGoodsId": "sku1",
                "goodsName": "Game credit",
            }
        ],
    )

    created = pay_client.create_order_v3(request)

    assert pay.received[0].content == (
        b'{"merchantTradeNo":"A100","env":{"terminalType":"WEB"},"orderAmount":10,'
        b'"currency":"USDT","description":"Order A100","goodsDetails":[{"goodsType":"02",'
        b'"goodsCategory":"6000","referenceGoodsId":"sku1","goodsName":"Game credit"}]}'
    )
    assert created.prepay_id == PREPAY_ID


def test_create_order_openapi_sends_total_fee_as_a_string(
    pay_client: PayClient, pay: FakePay
) -> None:
    pay.script("v3/order/create", ok_raw(ORDER_CREATED))

    created = pay_client.create_order_openapi(
        merchant_trade_no="B7", total_fee=Decimal("25.170"), currency="USDT", product_name="Tea"
    )

    assert pay.paths() == ["v3/order/create"]
    assert pay.received[0].content == (
        b'{"merchantTradeNo":"B7","totalFee":"25.170","currency":"USDT","productName":"Tea"}'
    )
    assert created.total_fee == Decimal("25.17")


def test_query_order(pay_client: PayClient, pay: FakePay) -> None:
    pay.script("v2/order/query", ok_raw(ORDER))

    order = pay_client.query_order(PREPAY_ID)

    assert pay.received[0].json == {"prepayId": PREPAY_ID}
    assert order.merchant_id == 98765432
    assert order.prepay_id == PREPAY_ID
    assert order.transaction_id == "M_P_71505104267788288"
    assert order.merchant_trade_no == "9825382937292"
    assert order.status is PayOrderStatus.PAID
    assert order.currency == "USDT"
    assert order.order_amount == Decimal("25.17")
    assert order.open_user_id == "1e9e2e3c0a4b4f2a9d4d2c1b0a9f8e7d"
    assert order.pass_through_info is None
    assert order.commission == Decimal(0)
    assert (order.transact_time, order.create_time) == (1700000123000, 1700000000000)
    assert order.payment_info == PaymentInfo(
        pay_method="FUNDING",
        payment_instructions=[
            PaymentInstruction(currency="USDT", amount=Decimal("25.17"), price=Decimal(1))
        ],
    )
    assert order.payer_info is None


def test_query_order_by_merchant_trade_no_and_the_openapi_names(
    pay_client: PayClient, pay: FakePay
) -> None:
    # An answer with only the openapi spec's names (`orderStatus`, `totalFee`).
    pay.script(
        "v2/order/query",
        ok(
            {
                "prepayId": 383729303729303042,
                "merchantTradeNo": "9825382937292",
                "orderStatus": "INITIAL",
                "currency": "USDT",
                "totalFee": "25.17",
            }
        ),
    )

    order = pay_client.query_order(merchant_trade_no="9825382937292")

    assert pay.received[0].json == {"merchantTradeNo": "9825382937292"}
    assert order.prepay_id == PREPAY_ID
    assert order.status is PayOrderStatus.INITIAL
    assert order.order_amount == Decimal("25.17")
    with pytest.raises(ValueError, match="prepay_id or merchant_trade_no"):
        pay_client.query_order()


def test_close_order(pay_client: PayClient, pay: FakePay) -> None:
    pay.script("order/close", ok(True))

    assert pay_client.close_order(PREPAY_ID) is True
    assert pay_client.close_order(merchant_trade_no="9825382937292") is True

    assert [r.json for r in pay.received] == [
        {"prepayId": PREPAY_ID},
        {"merchantTradeNo": "9825382937292"},
    ]


def test_refund(pay_client: PayClient, pay: FakePay) -> None:
    pay.script("order/refund", ok_raw(REFUND_RESULT))

    result = pay_client.refund(
        "68711039982968832",
        PREPAY_ID,
        Decimal("5.0"),
        refund_reason="",
        webhook_url="https://merchant.example/hooks/pay",
    )

    assert pay.received[0].content == (
        b'{"refundRequestId":"68711039982968832","prepayId":"383729303729303042",'
        b'"refundAmount":5,"refundReason":"","webhookUrl":"https://merchant.example/hooks/pay"}'
    )
    assert result == RefundResult(
        refund_request_id="68711039982968832",
        prepay_id=PREPAY_ID,
        order_amount=Decimal("25.17"),
        refunded_amount=Decimal(5),
        refund_amount=Decimal(5),
        remaining_attempts=9,
        payer_open_id="dde730c2e0ea1f1780cf26343b98fd3b",
        duplicate_request=False,
    )


def test_a_duplicate_refund_reads_y_as_true(pay_client: PayClient, pay: FakePay) -> None:
    pay.script(
        "order/refund",
        ok_raw(REFUND_RESULT.replace('"duplicateRequest": false', '"duplicateRequest": "Y"')),
    )

    assert pay_client.refund("68711039982968832", PREPAY_ID, 5).duplicate_request is True


def test_query_refund(pay_client: PayClient, pay: FakePay) -> None:
    pay.script("order/refund/query", ok_raw(REFUND))

    refund = pay_client.query_refund("68711039982968832")

    assert pay.received[0].json == {"refundRequestId": "68711039982968832"}
    assert refund.refund_status is RefundStatus.REFUND_SUCCESS
    assert refund.refunded_commission == Decimal(0)
    assert refund.refund_commission == Decimal(0)
    assert refund.order_amount == Decimal("25.17")
    assert refund.remaining_attempts == 9


def test_payout(pay_client: PayClient, pay: FakePay) -> None:
    pay.script("payout/transfer", ok({"requestId": "samplerequest1234", "status": "ACCEPTED"}))

    result = pay_client.payout(
        "samplerequest1234",
        "sample batch",
        "USDT",
        Decimal("200.4"),
        2,
        [
            {
                "merchantSendId": "22231313131",
                "transferAmount": Decimal("110.3"),
                "receiveType": "PAY_ID",
                "transferMethod": "SPOT_WALLET",
                "receiver": "354205155",
                "remark": "test1",
            },
            {
                "merchant_send_id": "21231313132",
                "transfer_amount": "90.1",
                "receive_type": ReceiveType.EMAIL,
                "receiver": "a@example.com",
            },
        ],
        biz_scene="SETTLEMENT",
        webhook_url="https://merchant.example/hooks/payout",
    )

    assert result == PayoutResult(request_id="samplerequest1234", status="ACCEPTED")
    sent = pay.received[0].json
    assert sent["totalAmount"] == Decimal("200.4")
    assert sent["webhookUrl"] == "https://merchant.example/hooks/payout"
    assert sent["transferDetailList"][1] == {
        "merchantSendId": "21231313132",
        "receiveType": "EMAIL",
        "receiver": "a@example.com",
        "transferAmount": Decimal("90.1"),
    }


def test_query_payout(pay_client: PayClient, pay: FakePay) -> None:
    pay.script("payout/query", ok_raw(PAYOUT_BATCH))

    batch = pay_client.query_payout("samplerequest1234", detail_status=["SUCCESS", "PROCESSING"])
    pay_client.query_payout("samplerequest1234", detail_status="FAIL")
    pay_client.query_payout("samplerequest1234")

    assert [r.json for r in pay.received] == [
        {"requestId": "samplerequest1234", "detailStatus": ["SUCCESS", "PROCESSING"]},
        {"requestId": "samplerequest1234", "detailStatus": ["FAIL"]},
        {"requestId": "samplerequest1234"},
    ]
    assert batch.batch_status is PayoutBatchStatus.PART_SUCCESS
    assert batch.merchant_id == 98765432
    assert batch.total_amount == Decimal("200.4")
    assert batch.total_paid_amount == Decimal("110.3")
    assert batch.total_payout_fee == Decimal(0)
    assert batch.total_number == 2
    first, second = batch.transfer_detail_list
    assert first.order_id == 118073402258677760
    assert first.amount == Decimal("110.3")
    assert first.receive_type is ReceiveType.PAY_ID
    assert first.payee_id == 354205155
    assert first.status is PayoutDetailStatus.SUCCESS
    assert second.payee_id is None
    assert second.status is PayoutDetailStatus.AWAITING_RECEIPT
    assert second.remark is None
    assert sum((d.amount for d in batch.transfer_detail_list), Decimal(0)) == batch.total_amount


def test_balance_v1(pay_client: PayClient, pay: FakePay) -> None:
    pay.script("balance", ok_raw(BALANCE))

    balance = pay_client.balance("SPOT_WALLET", "USDT")

    assert pay.received[0].content == b'{"wallet":"SPOT_WALLET","currency":"USDT"}'
    assert balance == PayBalance(
        balance=Decimal(990000),
        asset="USDT",
        fiat="USD",
        available_fiat_valuation=Decimal("989991.905166"),
        available_btc_valuation=Decimal("22.9878"),
    )


def test_balance_v2(pay_client: PayClient, pay: FakePay) -> None:
    pay.script("v2/balance", ok_raw(BALANCE_V2))

    wallet = pay_client.balance_v2("FUNDING_WALLET")
    pay_client.balance_v2("FUNDING_WALLET", currency="USDT")

    assert [r.json for r in pay.received] == [
        {"wallet": "FUNDING_WALLET"},
        {"wallet": "FUNDING_WALLET", "currency": "USDT"},
    ]
    assert wallet == WalletBalance(
        balance=[
            AssetBalance(
                asset="USDT",
                available=Decimal("1250.5"),
                freeze=Decimal(0),
                available_fiat_valuation=Decimal("1250.4"),
                available_btc_valuation=Decimal("0.01291"),
            )
        ],
        wallet="FUNDING_WALLET",
        update_time=1700000000000,
        fiat="USD",
    )


def test_wallet_transfer_and_its_query(pay_client: PayClient, pay: FakePay) -> None:
    pay.script("wallet/transfer", ok_raw(WALLET_TRANSFER))
    pay.script("wallet/transfer/query", ok_raw(WALLET_TRANSFER_QUERY))

    transfer = pay_client.wallet_transfer(
        "100002021071407140001", "BNB", "0.01", WalletTransferType.TO_MAIN
    )
    queried = pay_client.query_wallet_transfer("100002021071407140001")

    assert transfer == WalletTransfer(
        tran_id="100002021071407140001",
        status=WalletTransferStatus.SUCCESS,
        currency="BNB",
        amount=Decimal("0.01"),
        transfer_type=WalletTransferType.TO_MAIN,
    )
    assert pay.received[1].json == {"tranId": "100002021071407140001"}
    assert queried == WalletTransfer(
        tran_id="100002021071407140001", status=WalletTransferStatus.SUCCESS
    )


def test_add_sub_merchant(pay_client: PayClient, pay: FakePay) -> None:
    pay.script("submerchant/add", ok_raw(SUB_MERCHANT))

    sub = pay_client.add_sub_merchant(
        "Coffee Corner",
        4,
        "5812",
        "SG,MY",
        company_name="Coffee Corner Pte Ltd",
        registration_number="201912345A",
        registrationCountry="SG",
        registration_address="1 Raffles Place",
        incorporation_date=1577836800000,
        site_type=1,
        site_url="https://coffee.example",
        site_name="Coffee Corner",
    )

    assert sub == SubMerchant(sub_merchant_id=2107268400000001)
    assert pay.received[0].content == (
        b'{"merchantName":"Coffee Corner","merchantType":4,"merchantMcc":"5812","country":"SG,MY",'
        b'"companyName":"Coffee Corner Pte Ltd","registrationNumber":"201912345A",'
        b'"registrationCountry":"SG","registrationAddress":"1 Raffles Place",'
        b'"incorporationDate":1577836800000,"siteType":1,"siteUrl":"https://coffee.example",'
        b'"siteName":"Coffee Corner"}'
    )
    with pytest.raises(ValueError, match="brand_logoo"):
        pay_client.add_sub_merchant("X", 1, "5812", "GO", brand_logoo="https://x.example/a.png")


def test_certificates(pay_client: PayClient, pay: FakePay) -> None:
    pem = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n"
    pay.script("certificates", ok([{"certSerial": "6C5E1F0A9B", "certPublic": pem}]))

    assert pay_client.certificates() == [PayCertificate(cert_serial="6C5E1F0A9B", cert_public=pem)]
    assert pay.received[0].content == b"{}"
