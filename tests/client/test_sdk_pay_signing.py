"""Pay requests as they leave the SDK: paths, bodies, headers and HMAC signatures
(docs/binance-pay.md, "Request authentication")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from sdk_connect_fakes import FakeClock, FakeSleep
from sdk_pay_fakes import (
    API_KEY,
    API_SECRET,
    BASE_URL,
    ORDER_CREATED,
    REFUND_RESULT,
    WALLET_TRANSFER,
    FakePay,
    Nonces,
    expected_signature,
    make_client,
    ok,
    ok_raw,
)

from binance_sandbox.client import (
    CreateOrderRequest,
    Goods,
    OrderEnv,
    PayClient,
    PayoutTransferDetail,
    pay_signature,
)

GOODS = {
    "goodsType": "01",
    "goodsCategory": "D000",
    "referenceGoodsId": "7876763A3B",
    "goodsName": "Ice Cream",
    "goodsDetail": "Greentea ice cream cone",
}


@pytest.fixture
def pay() -> FakePay:
    return FakePay()


@pytest.fixture
def pay_client(pay: FakePay, clock: FakeClock, sleep: FakeSleep) -> Iterator[PayClient]:
    with make_client(pay, clock, sleep) as client:
        yield client


def test_the_known_answer_vector_of_the_notes() -> None:
    assert pay_signature("abcd1234", "1636876819", "abcd", b"akarshjain") == (
        "0FEE450C836654F95CA8AC5B99DB385B96CAE1EDC46456A5BEA005BFA020FC11"
        "3AD61D9B8595BA951A3A562BBB8556B6D063D6BA8AEF488097642E50ACC27ACA"
    )
    assert pay_signature("abcd1234", "1636876819", "abcd", "akarshjain") == pay_signature(
        "abcd1234", "1636876819", "abcd", b"akarshjain"
    )


def test_headers_are_the_four_of_the_contract_and_the_signature_verifies(
    pay_client: PayClient, pay: FakePay, clock: FakeClock
) -> None:
    pay.script("certificates", ok([]))

    pay_client.certificates()

    [request] = pay.received
    assert request.path == "certificates"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["BinancePay-Timestamp"] == str(clock.now_ms)
    assert request.headers["BinancePay-Nonce"] == "n" + "0" * 31
    assert request.headers["BinancePay-Certificate-SN"] == API_KEY
    assert request.headers["BinancePay-Signature"] == expected_signature(
        API_SECRET,
        str(clock.now_ms),
        "n" + "0" * 31,
        request.content,
    )
    assert request.signature_ok
    assert request.content == b"{}"


def test_the_signature_covers_exactly_the_body_bytes_sent(
    pay_client: PayClient, pay: FakePay
) -> None:
    pay.script("v2/order", ok_raw(ORDER_CREATED))

    pay_client.create_order(
        merchant_trade_no="9825382937292",
        env={"terminalType": "APP"},
        order_amount=Decimal("25.17"),
        currency="USDT",
        goods=GOODS,
    )

    [request] = pay.received
    assert request.signature_ok
    assert request.content == (
        b'{"merchantTradeNo":"9825382937292","env":{"terminalType":"APP"},'
        b'"orderAmount":25.17,"currency":"USDT","goods":{"goodsType":"01",'
        b'"goodsCategory":"D000","referenceGoodsId":"7876763A3B","goodsName":"Ice Cream",'
        b'"goodsDetail":"Greentea ice cream cone"}}'
    )
    # Unicode goes out as UTF-8 and is signed as such.
    pay.received.clear()
    pay_client.create_order(
        merchant_trade_no="A2",
        env={"terminalType": "WEB"},
        order_amount=1,
        currency="USDT",
        goods={**GOODS, "goodsName": "Crème brûlée"},
    )
    assert pay.received[0].signature_ok
    assert "Crème brûlée".encode() in pay.received[0].content


def test_a_default_nonce_is_32_lower_case_hex_and_new_for_every_request(
    pay: FakePay, clock: FakeClock
) -> None:
    pay.script("certificates", ok([]))
    with PayClient(
        BASE_URL, API_KEY, API_SECRET, transport=httpx.MockTransport(pay.handle), clock=clock
    ) as client:
        client.certificates()
        client.certificates()

    first, second = (request.headers["BinancePay-Nonce"] for request in pay.received)
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second
    assert all(request.signature_ok for request in pay.received)


def test_an_injected_nonce_must_be_32_letters_or_digits(
    pay: FakePay, clock: FakeClock, sleep: FakeSleep
) -> None:
    pay.script("certificates", ok([]))
    with make_client(pay, clock, sleep, nonce=lambda: "abcd") as client, pytest.raises(ValueError):
        client.certificates()
    assert pay.received == []


def test_a_wrong_secret_gives_a_signature_the_platform_refuses(
    clock: FakeClock, sleep: FakeSleep
) -> None:
    pay = FakePay(secret="another-secret")
    pay.script("certificates", ok([]))
    with make_client(pay, clock, sleep) as client:
        client.certificates()
    assert not pay.received[0].signature_ok


def test_a_request_model_and_keyword_fields_send_the_same_bytes(
    pay_client: PayClient, pay: FakePay
) -> None:
    pay.script("v2/order", ok_raw(ORDER_CREATED))
    fields = {
        "merchant_trade_no": "9825382937292",
        "env": {"terminal_type": "APP", "os_type": "IOS"},
        "order_amount": Decimal("25.17"),
        "currency": "USDT",
        "goods": GOODS,
        "shipping": {
            "shippingName": {"firstName": "Ada", "lastName": "Lovelace"},
            "shippingAddress": {"region": "GB", "city": "London", "shippingAddressType": "02"},
        },
        "buyer": {"referenceBuyerId": "354205155", "buyerRegistrationTime": 1700000000000},
        "merchant": {"subMerchantId": 2107268400000001},
        "order_expire_time": 3_600_000,
    }

    pay_client.create_order(**fields)
    pay_client.create_order(CreateOrderRequest(**fields))
    pay_client.create_order(
        CreateOrderRequest.model_validate(
            {**fields, "env": OrderEnv(terminal_type="APP", os_type="IOS"), "goods": Goods(**GOODS)}
        )
    )

    first, second, third = (request.content for request in pay.received)
    assert first == second == third
    sent = pay.received[0].json
    assert sent["merchant"] == {"subMerchantId": "2107268400000001"}
    assert sent["shipping"]["shippingName"] == {"firstName": "Ada", "lastName": "Lovelace"}
    assert sent["buyer"]["buyerRegistrationTime"] == 1700000000000
    assert sent["orderExpireTime"] == 3600000
    assert "fiatAmount" not in sent


def test_floats_are_refused_with_type_error_before_anything_is_sent(
    pay_client: PayClient, pay: FakePay
) -> None:
    with pytest.raises(TypeError):
        pay_client.create_order(
            merchant_trade_no="A1",
            env={"terminalType": "APP"},
            order_amount=25.17,
            currency="USDT",
            goods=GOODS,
        )
    with pytest.raises(TypeError):
        pay_client.create_order(
            merchant_trade_no="A1",
            env={"terminalType": "APP"},
            fiat_amount=Decimal(1),
            fiat_currency="HKD",
            goods={**GOODS, "goodsUnitAmount": {"currency": "USDT", "amount": 0.1}},
        )
    with pytest.raises(TypeError):
        pay_client.refund("r1", "383729303729303042", 5.0)
    with pytest.raises(TypeError):
        pay_client.payout(
            "b1",
            "batch",
            "USDT",
            Decimal(1),
            1,
            [
                {
                    "merchantSendId": "s1",
                    "receiveType": "PAY_ID",
                    "receiver": "1",
                    "transferAmount": 1.0,
                }
            ],
        )
    with pytest.raises(TypeError):
        pay_client.wallet_transfer("t1", "USDT", 0.5, "TO_MAIN")
    assert pay.received == []


def test_a_misspelt_field_is_refused_rather_than_dropped(pay_client: PayClient) -> None:
    with pytest.raises(ValueError, match="order_amont"):
        pay_client.create_order(
            merchant_trade_no="A1", env={"terminalType": "APP"}, order_amont=Decimal(1), goods=GOODS
        )
    with pytest.raises(TypeError):
        pay_client.create_order(
            CreateOrderRequest(merchant_trade_no="A1", env={"terminalType": "APP"}, goods=GOODS),
            currency="USDT",
        )


def test_amounts_are_sent_as_exact_json_numbers(pay_client: PayClient, pay: FakePay) -> None:
    pay.script("order/refund", ok_raw(REFUND_RESULT))
    pay.script("payout/transfer", ok({"requestId": "b1", "status": "ACCEPTED"}))

    pay_client.refund("r1", 383729303729303042, Decimal("0.00000001"))
    pay_client.payout(
        "b1",
        "batch",
        "USDT",
        "999999999999999.99999999",
        2,
        [
            PayoutTransferDetail(
                merchant_send_id="s1",
                receive_type="PAY_ID",
                receiver="354205155",
                transfer_amount=Decimal("999999999999999.99999998"),
            ),
            {
                "merchantSendId": "s2",
                "receiveType": "EMAIL",
                "receiver": "a@example.com",
                "transferAmount": "1E-8",
                "transferMethod": "SPOT_WALLET",
            },
        ],
        biz_scene="SETTLEMENT",
    )

    refund, payout = pay.received
    assert refund.content == (
        b'{"refundRequestId":"r1","prepayId":"383729303729303042","refundAmount":0.00000001}'
    )
    assert payout.content == (
        b'{"requestId":"b1","bizScene":"SETTLEMENT","batchName":"batch","currency":"USDT",'
        b'"totalAmount":999999999999999.99999999,"totalNumber":2,"transferDetailList":['
        b'{"merchantSendId":"s1","receiveType":"PAY_ID","receiver":"354205155",'
        b'"transferAmount":999999999999999.99999998},'
        b'{"merchantSendId":"s2","receiveType":"EMAIL","receiver":"a@example.com",'
        b'"transferAmount":0.00000001,"transferMethod":"SPOT_WALLET"}]}'
    )
    assert payout.json["totalAmount"] == Decimal("999999999999999.99999999")


def test_the_wallet_transfer_amount_is_a_decimal_string_as_the_contract_types_it(
    pay_client: PayClient, pay: FakePay
) -> None:
    pay.script("wallet/transfer", ok_raw(WALLET_TRANSFER))

    pay_client.wallet_transfer("100002021071407140001", "BNB", Decimal("1E-2"), "TO_MAIN")

    assert pay.received[0].content == (
        b'{"requestId":"100002021071407140001","currency":"BNB","amount":"0.01",'
        b'"transferType":"TO_MAIN"}'
    )


def test_timestamp_follows_the_clock_and_each_request_is_signed_with_its_own_nonce(
    pay: FakePay, clock: FakeClock, sleep: FakeSleep
) -> None:
    nonces = Nonces()
    pay.script("certificates", ok([]))
    with make_client(pay, clock, sleep, nonce=nonces) as client:
        client.certificates()
        clock.now_ms += 1234
        client.certificates()

    assert [r.headers["BinancePay-Timestamp"] for r in pay.received] == [
        str(clock.now_ms - 1234),
        str(clock.now_ms),
    ]
    assert [r.headers["BinancePay-Nonce"] for r in pay.received] == nonces.issued
    assert all(r.signature_ok for r in pay.received)
