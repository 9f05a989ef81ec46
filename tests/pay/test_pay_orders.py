"""Pay orders (pay-create-order-v2.txt, NOTES.md, docs/binance-pay.md): create v2/v3,
every validation rule, query, close, expiry on the sandbox clock, paying, webhooks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pay_support import PayReceiver, PaySigned, envelope, order_body, trade_no


def test_create_v2_answers_links_and_amounts(sandbox: Any, pay: PaySigned) -> None:
    now = sandbox.now()
    data = pay.ok("/v2/order", order_body(trade_no(), "25.17"))
    assert (
        data["terminalType"] == "APP" and data["currency"] == "USDT" and data["totalFee"] == "25.17"
    )
    assert data["expireTime"] == now + 3_600_000  # default 1 h
    assert len(data["prepayId"]) == 18 and data["prepayId"].isdigit()
    assert (
        data["checkoutUrl"] == data["qrContent"] == f"{sandbox.url}/pay/checkout/{data['prepayId']}"
    )
    assert data["qrcodeLink"].endswith(f"/pay/qr/{data['prepayId']}.svg")
    assert "fiatCurrency" not in data


def test_create_in_fiat_converts_at_the_market_rate(pay: PaySigned) -> None:
    body = order_body(trade_no())
    del body["orderAmount"], body["currency"]
    data = pay.ok("/v2/order", {**body, "fiatAmount": 100, "fiatCurrency": "EUR"})
    assert (data["currency"], data["fiatCurrency"], data["fiatAmount"]) == ("USDT", "EUR", "100")
    assert (
        Decimal("90") < Decimal(data["totalFee"]) < Decimal("125")
    )  # EUR is worth more than a USDT
    assert pay.fail(
        "/v2/order",
        {**body, "merchantTradeNo": trade_no(), "fiatAmount": 100, "fiatCurrency": "JPY"},
        "400102",
    ).startswith("fiatCurrency JPY is not supported")


# pay-create-order-v2, "Create Order in Fiat": the request exactly as the document prints it.
SPEC_FIAT_ORDER = (
    b'{  "env": {    "terminalType": "APP"  },  "orderTags": {    "ifProfitSharing": true  },'
    b'  "merchantTradeNo": "9825382937292",  "fiatAmount": 100,  "fiatCurrency": "HKD",'
    b'  "goods": {    "goodsType": "01",    "goodsCategory": "D000",'
    b'    "referenceGoodsId": "7876763A3B",    "goodsName": "Ice Cream",'
    b'    "goodsDetail": "Greentea ice cream cone"  }}'
)


def test_the_specs_create_in_fiat_example_succeeds_with_its_answers_shape(
    pay: PaySigned,
) -> None:
    body = envelope(pay.post("/v2/order", raw=SPEC_FIAT_ORDER))
    assert (body["status"], body["code"]) == ("SUCCESS", "000000"), body
    data = body["data"]
    # The document's answer: {"currency": "USDT", "totalFee": "12.77377391",
    # "fiatCurrency": "HKD", "fiatAmount": "100", "prepayId", "terminalType", "expireTime",
    # "qrcodeLink", "qrContent", "checkoutUrl", "deeplink", "universalUrl"}.
    assert set(data) == {
        "currency",
        "totalFee",
        "fiatCurrency",
        "fiatAmount",
        "prepayId",
        "terminalType",
        "expireTime",
        "qrcodeLink",
        "qrContent",
        "checkoutUrl",
        "deeplink",
        "universalUrl",
    }
    assert (data["currency"], data["fiatCurrency"], data["fiatAmount"]) == ("USDT", "HKD", "100")
    assert data["terminalType"] == "APP"
    # 100 HKD in USDT at the market's rate (about 7.8 HKD to the dollar), to 8 places.
    fee = Decimal(data["totalFee"])
    assert Decimal("11") < fee < Decimal("15") and -fee.as_tuple().exponent <= 8
    queried = pay.ok("/v2/order/query", {"prepayId": data["prepayId"]})
    assert Decimal(str(queried["totalFee"])) == fee


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"merchantTradeNo": "has-dash"}, "400103", "merchantTradeNo: contains illegal characters"),
        (
            {"merchantTradeNo": "a" * 33},
            "400101",
            "merchantTradeNo: String should have at most 32 characters",
        ),
        ({"orderAmount": "0"}, "400102", "orderAmount: Value error, must be at least 0.00000001"),
        (
            {"orderAmount": "1.123456789"},
            "400102",
            "orderAmount: Value error, must have at most 8 decimal places",
        ),
        ({"orderAmount": "abc"}, "400100", "orderAmount: Input should be a valid decimal"),
        (
            {"currency": "BTC"},
            "400102",
            "currency BTC is not accepted; only USDT, BUSD, MBOX (fiat NOT supported).",
        ),
        ({"currency": None}, "400100", "currency and fiatCurrency cannot be both null."),
        ({"orderAmount": None}, "400100", "orderAmount is required with currency."),
        ({"env": {}}, "400100", "env.terminalType: Field required"),
        ({"env": {"terminalType": "TV"}}, "400102", None),
        (
            {"env": {"terminalType": "MINI_PROGRAM"}},
            "400100",
            "appId is required when terminalType is MINI_PROGRAM.",
        ),
        ({"goods": None}, "400100", None),
        ({"returnUrl": "ftp://x.example/ok"}, "400102", "returnUrl must begin with http or https."),
        (
            {"cancelUrl": "https://x.example/c?a=1&b=2"},
            "400102",
            "cancelUrl may carry at most one parameter.",
        ),
        ({"webhookUrl": "x" * 257}, "400101", None),
        (
            {"orderExpireTime": 16 * 86_400_000},
            "400102",
            "orderExpireTime must be in the future and at most 15 days.",
        ),
        ({"passThroughInfo": "p" * 513}, "400101", None),
        (
            {"supportPayCurrency": "USDT,DOGE"},
            "400102",
            "supportPayCurrency has unknown currencies: DOGE.",
        ),
        (
            {"merchant": {"subMerchantId": "12345"}},
            "400206",
            "The sub merchant does not exist or is in an unavailable state.",
        ),
        ({"shipping": {"shippingAddress": {"region": "USA"}}}, "400101", None),
    ],
)
def test_create_v2_validation(
    pay: PaySigned, change: dict[str, Any], code: str, message: str | None
) -> None:
    body = order_body(trade_no())
    for key, value in change.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    got = pay.fail("/v2/order", body, code)
    if message:
        assert got == message


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ('Ice "Cream"', "400103"),
        ("Back\\slash", "400103"),
        ("Ice 🍦", "400103"),
        ("", "400101"),
        ("x" * 257, "400101"),
    ],
)
def test_goods_name_characters(pay: PaySigned, name: str, code: str) -> None:
    body = order_body(trade_no())
    body["goods"]["goodsName"] = name
    pay.fail("/v2/order", body, code)


def test_goods_enums(pay: PaySigned) -> None:
    body = order_body(trade_no())
    body["goods"]["goodsType"] = "03"
    assert pay.fail("/v2/order", body, "400102") == "goods.goodsType: Input should be '01' or '02'"
    body["goods"]["goodsType"], body["goods"]["goodsCategory"] = "02", "X000"
    pay.fail("/v2/order", body, "400102")


def test_duplicate_merchant_trade_no(pay: PaySigned) -> None:
    number = trade_no()
    pay.ok("/v2/order", order_body(number))
    assert (
        pay.fail("/v2/order", order_body(number), "400201")
        == f"merchantTradeNo {number} is duplicated."
    )


def test_expire_time_as_duration_or_moment(sandbox: Any, pay: PaySigned) -> None:
    now = sandbox.now()
    assert (
        pay.ok("/v2/order", order_body(trade_no(), orderExpireTime=600_000))["expireTime"]
        == now + 600_000
    )
    at = now + 2 * 86_400_000
    assert pay.ok("/v2/order", order_body(trade_no(), orderExpireTime=at))["expireTime"] == at


def test_direct_debit_only_for_whitelisted_merchants(sandbox: Any, pay: PaySigned) -> None:
    contract = {
        "merchantContractCode": "C1",
        "serviceName": "Gym",
        "scenarioCode": "Membership",
        "singleUpperLimit": 50,
        "periodic": False,
    }
    assert pay.fail(
        "/v2/order", order_body(trade_no(), directDebitContract=contract), "400203"
    ) == ("Direct debit is only available for whitelisted merchants.")
    sandbox.admin.patch(
        f"/sandbox/v1/merchants/{pay.merchant.merchant_id}", json={"directDebitWhitelisted": True}
    )
    try:
        pay.ok(
            "/v2/order",
            order_body(
                trade_no(), directDebitContract=contract, orderTags={"ifProfitSharing": True}
            ),
        )
        periodic = {**contract, "periodic": True}
        assert pay.fail(
            "/v2/order", order_body(trade_no(), directDebitContract=periodic), "400100"
        ) == ("directDebitContract.cycleDebitFixed is mandatory when periodic.")
        pay.fail(
            "/v2/order",
            order_body(trade_no(), currency="MBOX", directDebitContract=contract),
            "400102",
        )
    finally:
        sandbox.admin.patch(
            f"/sandbox/v1/merchants/{pay.merchant.merchant_id}",
            json={"directDebitWhitelisted": False},
        )


def test_v3_and_the_openapi_shape(pay: PaySigned) -> None:
    body = order_body(trade_no())
    goods = body.pop("goods")
    data = pay.ok(
        "/v3/order",
        {
            **body,
            "description": "Order with two goods",
            "goodsDetails": [goods, {**goods, "goodsName": "Cone"}],
        },
    )
    assert data["totalFee"] == "25.17"
    assert (
        pay.fail(
            "/v3/order", {**body, "merchantTradeNo": trade_no(), "goodsDetails": [goods]}, "400100"
        )
        == "description: Field required"
    )
    pay.fail(
        "/v3/order",
        {**body, "merchantTradeNo": trade_no(), "description": "d", "goodsDetails": []},
        "400101",
    )
    short = pay.ok(
        "/v3/order/create",
        {
            "merchantTradeNo": trade_no(),
            "totalFee": "3.5",
            "currency": "USDT",
            "productName": "Book",
            "tradeType": "WEB",
        },
    )
    assert (short["terminalType"], short["totalFee"]) == ("WEB", "3.5")


def test_query_by_either_id_and_prepay_id_wins(pay: PaySigned) -> None:
    number = trade_no()
    created = pay.ok("/v2/order", order_body(number, passThroughInfo="cart-7"))
    other = pay.ok("/v2/order", order_body(trade_no()))
    by_trade_no = pay.ok("/v2/order/query", {"merchantTradeNo": number})
    assert by_trade_no["prepayId"] == created["prepayId"] and by_trade_no["status"] == "INITIAL"
    assert by_trade_no["passThroughInfo"] == "cart-7" and by_trade_no["merchantId"] == int(
        pay.merchant.merchant_id
    )
    both = pay.ok("/v2/order/query", {"prepayId": other["prepayId"], "merchantTradeNo": number})
    assert both["prepayId"] == other["prepayId"]
    assert pay.fail("/v2/order/query", {}, "400100") == "prepayId or merchantTradeNo is required."
    assert pay.fail("/v2/order/query", {"prepayId": "1"}, "400202") == "Order not found."


def test_another_merchants_order_is_invisible(sandbox: Any, pay: PaySigned) -> None:
    import httpx
    from pay_support import create_merchant

    created = pay.ok("/v2/order", order_body(trade_no()))
    with httpx.Client(base_url=sandbox.url) as http:
        stranger = PaySigned(http, create_merchant(sandbox, name="Stranger"))
        stranger.fail("/v2/order/query", {"prepayId": created["prepayId"]}, "400202")
        stranger.fail("/order/close", {"prepayId": created["prepayId"]}, "400202")


def test_pay_end_to_end_with_webhook(
    sandbox: Any, pay: PaySigned, receiver: PayReceiver, payer: str
) -> None:
    number = trade_no()
    created = pay.ok("/v2/order", order_body(number, "25.17", passThroughInfo="pt-1"))
    prepay_id = created["prepayId"]
    r = sandbox.admin.post(f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": payer})
    assert r.status_code == 200 and r.json()["status"] == "PAID"
    order = pay.ok("/v2/order/query", {"prepayId": prepay_id})
    assert (
        order["status"] == "PAID"
        and order["transactionId"].startswith("M_P_")
        and order["transactTime"]
    )
    assert sandbox.balance(payer, "USDT") == Decimal("974.83")
    assert sandbox.balance(pay.merchant.merchant_id, "USDT", "FUNDING") >= Decimal("25.17")
    sandbox.settle()
    [event] = receiver.find("PAY", "PAY_SUCCESS", prepay_id)
    assert event["bizId"] == int(prepay_id) and event["bizIdStr"] == prepay_id
    data = event["data"]
    assert (data["merchantTradeNo"], data["currency"], data["passThroughInfo"]) == (
        number,
        "USDT",
        "pt-1",
    )
    assert (
        Decimal(str(data["totalFee"])) == Decimal("25.17")
        and data["transactionId"] == order["transactionId"]
    )
    assert data["openUserId"] == order["openUserId"]
    timeline = [
        e["kind"]
        for e in sandbox.admin.get(f"/sandbox/v1/pay/orders/{prepay_id}").json()["timeline"]
    ]
    assert timeline[:3] == ["created", "pending", "paid"]
    sandbox.audit()


def test_paying_needs_funds_and_a_payable_order(sandbox: Any, pay: PaySigned) -> None:
    poor = sandbox.create_user()
    sandbox.credit(poor, "USDT", "1")
    prepay_id = pay.ok("/v2/order", order_body(trade_no(), "25.17"))["prepayId"]
    r = sandbox.admin.post(f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": poor})
    assert (
        r.status_code == 409
        and r.json()["error"]["message"] == "Insufficient USDT balance to pay 25.17 USDT."
    )
    # A payment that fails changes nothing, not even INITIAL → PENDING.
    assert pay.ok("/v2/order/query", {"prepayId": prepay_id})["status"] == "INITIAL"
    assert sandbox.balance(poor, "USDT") == 1
    # Funding wallet first, then spot.
    sandbox.admin.post(
        "/sandbox/v1/balances/credit",
        json={"userId": poor, "asset": "USDT", "amount": "30", "wallet": "FUNDING"},
    )
    assert (
        sandbox.admin.post(
            f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": poor}
        ).json()["paymentInfo"]["payMethod"]
        == "FUNDING"
    )
    again = sandbox.admin.post(
        f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": poor}
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "400204"
    sandbox.audit()


def test_close_sends_pay_closed_and_paid_orders_cannot_close(
    sandbox: Any, pay: PaySigned, receiver: PayReceiver, payer: str
) -> None:
    prepay_id = pay.ok("/v2/order", order_body(trade_no()))["prepayId"]
    assert pay.ok("/order/close", {"prepayId": prepay_id}) is True
    assert (
        pay.fail("/order/close", {"prepayId": prepay_id}, "400204")
        == "Order is CANCELED; only an unpaid order can be closed."
    )
    assert pay.ok("/v2/order/query", {"prepayId": prepay_id})["status"] == "CANCELED"
    sandbox.settle()
    assert len(receiver.find("PAY", "PAY_CLOSED", prepay_id)) == 1
    r = sandbox.admin.post(f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": payer})
    assert (
        r.status_code == 409
        and r.json()["error"]["message"] == "The order is CANCELED and cannot be paid."
    )
    paid = pay.ok("/v2/order", order_body(trade_no()))["prepayId"]
    sandbox.admin.post(f"/sandbox/v1/pay/orders/{paid}/pay", json={"payerUserId": payer})
    assert (
        pay.fail("/order/close", {"prepayId": paid}, "400204")
        == "Order is PAID; only an unpaid order can be closed."
    )
    pay.fail("/order/close", {}, "400100")


def test_unpaid_orders_expire_on_the_sandbox_clock(
    sandbox: Any, pay: PaySigned, receiver: PayReceiver, payer: str
) -> None:
    prepay_id = pay.ok("/v2/order", order_body(trade_no(), orderExpireTime=120_000))["prepayId"]
    sandbox.advance(119_000)
    assert pay.ok("/v2/order/query", {"prepayId": prepay_id})["status"] == "INITIAL"
    sandbox.advance(1_000)
    assert pay.ok("/v2/order/query", {"prepayId": prepay_id})["status"] == "EXPIRED"
    assert len(receiver.find("PAY", "PAY_CLOSED", prepay_id)) == 1
    r = sandbox.admin.post(f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": payer})
    assert r.status_code == 409 and r.json()["error"]["code"] == "400204"
    pay.fail("/order/close", {"prepayId": prepay_id}, "400204")


def test_order_webhook_url_overrides_the_merchants(
    sandbox: Any, pay: PaySigned, receiver: PayReceiver, payer: str
) -> None:
    prepay_id = pay.ok("/v2/order", order_body(trade_no(), webhookUrl=f"{receiver.url}/per-order"))[
        "prepayId"
    ]
    sandbox.admin.post(f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": payer})
    sandbox.settle()
    [event] = receiver.find("PAY", "PAY_SUCCESS", prepay_id)
    assert event["path"] == "/per-order"


def test_webhooks_retry_up_to_six_times(
    sandbox: Any, pay: PaySigned, receiver: PayReceiver, payer: str
) -> None:
    receiver.failing = True
    try:
        prepay_id = pay.ok("/v2/order", order_body(trade_no()))["prepayId"]
        sandbox.admin.post(f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": payer})
        paid_at = sandbox.now()
        sandbox.settle()
        assert sandbox.webhooks(ref=prepay_id)[0]["attempts"] == 1
        # One move of an hour: every retry runs at its own time on the clock (backoff 1 s,
        # 2 s, 4 s, …) until the delivery gives up.
        sandbox.advance(3_600_000)
        [delivery] = sandbox.webhooks(ref=prepay_id)
        assert (delivery["status"], delivery["attempts"], delivery["maxAttempts"]) == (
            "failed",
            7,
            7,
        )
        assert [a["at"] - paid_at for a in delivery["attemptLog"]] == [
            0,
            1_000,
            3_000,
            7_000,
            15_000,
            31_000,
            63_000,
        ]
        assert delivery["attemptLog"][-1]["outcome"] == "gave_up"
    finally:
        receiver.failing = False
    sandbox.admin.post(f"/sandbox/v1/webhooks/{delivery['id']}/redeliver")
    sandbox.settle()
    assert receiver.find("PAY", "PAY_SUCCESS", prepay_id)  # redelivered


def test_payment_takes_funding_first_then_spot(sandbox: Any, pay: PaySigned) -> None:
    split = sandbox.create_user()
    sandbox.admin.post(
        "/sandbox/v1/balances/credit",
        json={"userId": split, "asset": "USDT", "amount": "20", "wallet": "FUNDING"},
    )
    sandbox.credit(split, "USDT", "10")
    prepay_id = pay.ok("/v2/order", order_body(trade_no(), "25"))["prepayId"]
    paid = sandbox.admin.post(
        f"/sandbox/v1/pay/orders/{prepay_id}/pay", json={"payerUserId": split}
    ).json()
    assert paid["status"] == "PAID" and paid["paymentInfo"]["payMethod"] == "FUNDING"
    assert (sandbox.balance(split, "USDT", "FUNDING"), sandbox.balance(split, "USDT")) == (0, 5)
    sandbox.audit()
