"""The merchant's own account through the real server (docs/binance-pay.md "balance (v1)",
"v2/balance", "wallet/transfer", "wallet/transfer/query", "submerchant/add", "certificates"):
exact balances of the Pay (FUNDING) and main (SPOT) wallets, transfers between them,
sub-merchants and the webhook certificate."""

from __future__ import annotations

import hashlib
import itertools
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pay_support import (
    PayReceiver,
    PaySigned,
    create_merchant,
    envelope,
    order_body,
)

V1_FIELDS = {"balance", "asset", "fiat", "availableFiatValuation", "availableBtcValuation"}
V2_ENTRY_FIELDS = {
    "asset",
    "available",
    "freeze",
    "availableFiatValuation",
    "availableBtcValuation",
}
BAD_WALLET = "wallet: Input should be 'FUNDING_WALLET' or 'SPOT_WALLET'"
LOWER_CURRENCY = "currency must be upper case letters or digits."
NO_SUB_MERCHANT = "The sub merchant does not exist or is in an unavailable state."

_seq = itertools.count(1)


def next_id(prefix: str) -> str:
    return f"{prefix}{next(_seq)}"


@pytest.fixture
def shop(sandbox: Any, pay: PaySigned, receiver: PayReceiver) -> PaySigned:
    """A merchant of its own, so that its balances are exactly what the test put there."""
    own = create_merchant(
        sandbox, name=next_id("Wallet Shop "), webhookUrl=f"{receiver.url}/webhook"
    )
    return PaySigned(pay.http, own)


def credit(sandbox: Any, user_id: str, asset: str, amount: str, wallet: str) -> None:
    r = sandbox.admin.post(
        "/sandbox/v1/balances/credit",
        json={"userId": user_id, "asset": asset, "amount": amount, "wallet": wallet},
    )
    assert r.status_code == 200, r.text


def wallets(sandbox: Any, user_id: str, asset: str = "USDT") -> tuple[Decimal, Decimal]:
    """(FUNDING, SPOT) of one asset."""
    return sandbox.balance(user_id, asset, "FUNDING"), sandbox.balance(user_id, asset, "SPOT")


def assert_valuation(entry: dict[str, Any], amount: Decimal) -> None:
    """USDT is valued near 1 USD on the sandbox market; 8 decimals at most, rounded down."""
    fiat, btc = Decimal(entry["availableFiatValuation"]), Decimal(entry["availableBtcValuation"])
    assert amount * Decimal("0.95") <= fiat <= amount * Decimal("1.05"), entry
    assert 0 < btc < fiat, entry
    for value in (fiat, btc):
        assert value == value.quantize(Decimal("0.00000001")), entry


# -- balance (v1) -------------------------------------------------------------------------


def test_balance_v1_of_each_wallet(sandbox: Any, shop: PaySigned) -> None:
    mid = shop.merchant.merchant_id
    credit(sandbox, mid, "USDT", "1250.5", "FUNDING")
    credit(sandbox, mid, "USDT", "990000", "SPOT")

    funding = shop.ok("/balance", {"wallet": "FUNDING_WALLET", "currency": "USDT"})
    spot = shop.ok("/balance", {"wallet": "SPOT_WALLET", "currency": "USDT"})

    assert set(funding) == V1_FIELDS and set(spot) == V1_FIELDS
    assert (funding["balance"], funding["asset"], funding["fiat"]) == (
        Decimal("1250.5"),
        "USDT",
        "USD",
    )
    assert (spot["balance"], spot["asset"], spot["fiat"]) == (990000, "USDT", "USD")
    assert_valuation(funding, Decimal("1250.5"))
    assert_valuation(spot, Decimal("990000"))
    sandbox.audit()


def test_balance_v1_of_nothing_held_and_of_an_unpriced_asset(sandbox: Any, shop: PaySigned) -> None:
    credit(sandbox, shop.merchant.merchant_id, "MBOX", "5", "FUNDING")
    assert shop.ok("/balance", {"wallet": "SPOT_WALLET", "currency": "BNB"}) == {
        "balance": 0,
        "asset": "BNB",
        "fiat": "USD",
        "availableFiatValuation": 0,
        "availableBtcValuation": 0,
    }
    # MBOX has no sandbox market price: valued at 0 (sandbox).
    assert shop.ok("/balance", {"wallet": "FUNDING_WALLET", "currency": "MBOX"}) == {
        "balance": 5,
        "asset": "MBOX",
        "fiat": "USD",
        "availableFiatValuation": 0,
        "availableBtcValuation": 0,
    }


@pytest.mark.parametrize("path", ["/balance", "/v2/balance"])
def test_balance_rejects_lower_case_currency(pay: PaySigned, path: str) -> None:
    body = {"wallet": "FUNDING_WALLET", "currency": "usdt"}
    assert pay.fail(path, body, "400102") == LOWER_CURRENCY


@pytest.mark.parametrize("path", ["/balance", "/v2/balance"])
@pytest.mark.parametrize("wallet", ["FUNDING", "funding_wallet", "MAIN_WALLET"])
def test_balance_rejects_unknown_wallet(pay: PaySigned, path: str, wallet: str) -> None:
    assert pay.fail(path, {"wallet": wallet, "currency": "USDT"}, "400102") == BAD_WALLET


def test_balance_v1_requires_wallet_and_currency(pay: PaySigned) -> None:
    assert pay.fail("/balance", {"wallet": "SPOT_WALLET"}, "400100") == "currency: Field required"
    assert pay.fail("/balance", {"currency": "USDT"}, "400100") == "wallet: Field required"


# -- v2/balance ---------------------------------------------------------------------------


def test_balance_v2_all_assets_and_one(sandbox: Any, shop: PaySigned) -> None:
    mid = shop.merchant.merchant_id
    credit(sandbox, mid, "USDT", "3.25", "FUNDING")
    credit(sandbox, mid, "BNB", "0.5", "FUNDING")
    credit(sandbox, mid, "USDT", "7", "SPOT")
    now = sandbox.now()

    funding = shop.ok("/v2/balance", {"wallet": "FUNDING_WALLET"})
    assert set(funding) == {"balance", "wallet", "updateTime", "fiat"}
    assert (funding["wallet"], funding["updateTime"], funding["fiat"]) == (
        "FUNDING_WALLET",
        str(now),
        "USD",
    )
    assert [(e["asset"], e["available"], e["freeze"]) for e in funding["balance"]] == [
        ("BNB", Decimal("0.5"), 0),
        ("USDT", Decimal("3.25"), 0),
    ]
    for entry in funding["balance"]:
        assert set(entry) == V2_ENTRY_FIELDS
    assert_valuation(funding["balance"][1], Decimal("3.25"))

    spot = shop.ok("/v2/balance", {"wallet": "SPOT_WALLET"})
    assert [(e["asset"], e["available"]) for e in spot["balance"]] == [("USDT", 7)]
    assert spot["wallet"] == "SPOT_WALLET"

    one = shop.ok("/v2/balance", {"wallet": "FUNDING_WALLET", "currency": "USDT"})
    assert one["balance"] == [funding["balance"][1]]
    # A currency given but not held: that one asset, at zero.
    none_held = shop.ok("/v2/balance", {"wallet": "SPOT_WALLET", "currency": "ETH"})
    assert none_held["balance"] == [
        {
            "asset": "ETH",
            "available": 0,
            "freeze": 0,
            "availableFiatValuation": 0,
            "availableBtcValuation": 0,
        }
    ]
    sandbox.audit()


def test_balance_v2_of_an_empty_wallet_is_an_empty_list(shop: PaySigned) -> None:
    data = shop.ok("/v2/balance", {"wallet": "SPOT_WALLET"})
    assert data["balance"] == []


def test_balance_v2_freeze_shows_an_awaiting_payout(sandbox: Any, shop: PaySigned) -> None:
    mid = shop.merchant.merchant_id
    credit(sandbox, mid, "USDT", "10", "FUNDING")
    rid = next_id("freeze")
    shop.ok(
        "/payout/transfer",
        {
            "requestId": rid,
            "batchName": "freeze",
            "currency": "USDT",
            "totalAmount": "4",
            "totalNumber": 1,
            "transferDetailList": [
                {
                    "merchantSendId": "w1",
                    "receiveType": "EMAIL",
                    "receiver": f"{rid}@nobody.test",
                    "transferAmount": "4",
                }
            ],
        },
    )
    sandbox.settle()
    [detail] = shop.ok("/payout/query", {"requestId": rid})["transferDetailList"]
    assert detail["status"] == "AWAITING_RECEIPT"
    (entry,) = shop.ok("/v2/balance", {"wallet": "FUNDING_WALLET", "currency": "USDT"})["balance"]
    assert (entry["available"], entry["freeze"]) == (6, 4)


# -- wallet/transfer ----------------------------------------------------------------------


def test_transfer_to_main_and_to_pay(sandbox: Any, shop: PaySigned) -> None:
    mid = shop.merchant.merchant_id
    credit(sandbox, mid, "USDT", "100", "FUNDING")
    to_main, to_pay = next_id("tm"), next_id("tp")

    answer = shop.ok(
        "/wallet/transfer",
        {"requestId": to_main, "currency": "USDT", "amount": "30.5", "transferType": "TO_MAIN"},
    )
    assert answer == {
        "tranId": to_main,
        "status": "SUCCESS",
        "currency": "USDT",
        "amount": "30.5",
        "transferType": "TO_MAIN",
    }
    assert wallets(sandbox, mid) == (Decimal("69.5"), Decimal("30.5"))

    # The amount as a JSON number is accepted too.
    answer = shop.ok(
        "/wallet/transfer",
        {
            "requestId": to_pay,
            "currency": "USDT",
            "amount": Decimal("10.00000001"),
            "transferType": "TO_PAY",
        },
    )
    assert answer == {
        "tranId": to_pay,
        "status": "SUCCESS",
        "currency": "USDT",
        "amount": "10.00000001",
        "transferType": "TO_PAY",
    }
    assert wallets(sandbox, mid) == (Decimal("79.50000001"), Decimal("20.49999999"))

    assert shop.ok("/wallet/transfer/query", {"tranId": to_main}) == {
        "tranId": to_main,
        "status": "SUCCESS",
    }
    assert shop.ok("/wallet/transfer/query", {"tranId": to_pay}) == {
        "tranId": to_pay,
        "status": "SUCCESS",
    }
    sandbox.audit()


def test_transfer_retry_answers_again_and_moves_nothing(sandbox: Any, shop: PaySigned) -> None:
    mid = shop.merchant.merchant_id
    credit(sandbox, mid, "USDT", "50", "SPOT")
    rid = next_id("retry")
    body = {"requestId": rid, "currency": "USDT", "amount": "20", "transferType": "TO_PAY"}
    first = shop.ok("/wallet/transfer", body)
    assert wallets(sandbox, mid) == (20, 30)

    assert shop.ok("/wallet/transfer", body) == first
    assert wallets(sandbox, mid) == (20, 30)

    for other in ({"amount": "21"}, {"transferType": "TO_MAIN"}, {"currency": "BNB"}):
        message = shop.fail("/wallet/transfer", {**body, **other}, "400102")
        assert message == f"requestId {rid} was used for another transfer."
    assert wallets(sandbox, mid) == (20, 30)
    sandbox.audit()


@pytest.mark.parametrize(("transfer_type", "source"), [("TO_MAIN", "FUNDING"), ("TO_PAY", "SPOT")])
def test_transfer_of_too_much_is_refused_and_not_recorded(
    sandbox: Any, shop: PaySigned, transfer_type: str, source: str
) -> None:
    mid = shop.merchant.merchant_id
    credit(sandbox, mid, "USDT", "5", source)
    before = wallets(sandbox, mid)
    rid = next_id("poor")
    body = {"requestId": rid, "currency": "USDT", "amount": "5.1", "transferType": transfer_type}

    message = shop.fail("/wallet/transfer", body, "400304")

    assert message == f"The {source} wallet holds too little USDT."
    assert wallets(sandbox, mid) == before
    assert shop.fail("/wallet/transfer/query", {"tranId": rid}, "400202") == f"No transfer {rid}."
    sandbox.audit()
    # Nothing was recorded: the same requestId works once the money is there.
    credit(sandbox, mid, "USDT", "0.1", source)
    assert shop.ok("/wallet/transfer", body)["status"] == "SUCCESS"
    sandbox.audit()


@pytest.mark.parametrize(
    ("currency", "message"),
    [("usdt", LOWER_CURRENCY), ("DOGE", "currency DOGE is not supported.")],
)
def test_transfer_currency_must_be_known_upper_case(
    sandbox: Any, shop: PaySigned, currency: str, message: str
) -> None:
    body = {
        "requestId": next_id("cur"),
        "currency": currency,
        "amount": "1",
        "transferType": "TO_MAIN",
    }
    assert shop.fail("/wallet/transfer", body, "400102") == message
    sandbox.audit()


def test_transfer_query_of_unknown_id(pay: PaySigned) -> None:
    assert pay.fail("/wallet/transfer/query", {"tranId": "noSuchTran1"}, "400202") == (
        "No transfer noSuchTran1."
    )


def test_transfers_are_per_merchant(sandbox: Any, shop: PaySigned, pay: PaySigned) -> None:
    credit(sandbox, shop.merchant.merchant_id, "USDT", "1", "FUNDING")
    rid = next_id("mine")
    shop.ok(
        "/wallet/transfer",
        {"requestId": rid, "currency": "USDT", "amount": "1", "transferType": "TO_MAIN"},
    )
    assert pay.fail("/wallet/transfer/query", {"tranId": rid}, "400202") == f"No transfer {rid}."


# -- submerchant/add ----------------------------------------------------------------------

INDIVIDUAL = {
    "merchantType": 1,
    "merchantMcc": "5812",
    "country": "GB,FR",
    "certificateType": 2,
    "certificateCountry": "GB",
    "certificateNumber": "P1234567",
    "certificateValidDate": 1_893_456_000_000,
}
COMPANY = {
    "merchantType": 4,
    "merchantMcc": "5734",
    "country": "GO",
    "companyName": "Sub Shop Ltd",
    "registrationNumber": "12345678",
    "registrationCountry": "GB",
    "registrationAddress": "1 High Street, London",
    "incorporationDate": 1_577_836_800_000,
    "siteType": 1,
    "siteUrl": "https://sub.example",
    "siteName": "Sub Shop",
}


def add_sub_merchant(signed: PaySigned, **fields: Any) -> int:
    data = signed.ok("/submerchant/add", {"merchantName": next_id("Sub "), **COMPANY, **fields})
    assert set(data) == {"subMerchantId"}
    sub_id = data["subMerchantId"]
    assert isinstance(sub_id, int) and 0 < sub_id < 10**19
    return int(sub_id)


def test_sub_merchant_add(sandbox: Any, shop: PaySigned) -> None:
    company = add_sub_merchant(shop)
    individual = add_sub_merchant(shop, **INDIVIDUAL)
    assert company != individual
    sandbox.audit()


def test_sub_merchant_name_is_unique_per_merchant(shop: PaySigned, pay: PaySigned) -> None:
    name = next_id("Twice ")
    shop.ok("/submerchant/add", {"merchantName": name, **COMPANY})
    message = shop.fail("/submerchant/add", {"merchantName": name, **INDIVIDUAL}, "400205")
    assert message == f"A sub merchant named {name} exists."
    # Another merchant may use the same name.
    assert isinstance(
        pay.ok("/submerchant/add", {"merchantName": name, **COMPANY})["subMerchantId"], int
    )


@pytest.mark.parametrize(
    ("base", "drop", "missing"),
    [
        (
            INDIVIDUAL,
            ("certificateType", "certificateCountry", "certificateNumber", "certificateValidDate"),
            "certificateType, certificateCountry, certificateNumber, certificateValidDate",
        ),
        (INDIVIDUAL, ("certificateNumber",), "certificateNumber"),
        (
            COMPANY,
            (
                "companyName",
                "registrationNumber",
                "registrationCountry",
                "registrationAddress",
                "incorporationDate",
            ),
            "companyName, registrationNumber, registrationCountry, registrationAddress, "
            "incorporationDate",
        ),
        (
            COMPANY,
            ("registrationAddress", "incorporationDate"),
            "registrationAddress, incorporationDate",
        ),
    ],
)
def test_sub_merchant_conditional_fields(
    pay: PaySigned, base: dict[str, Any], drop: tuple[str, ...], missing: str
) -> None:
    body = {"merchantName": next_id("Cond "), **base}
    for name in drop:
        del body[name]
    message = pay.fail("/submerchant/add", body, "400100")
    assert message == f"{missing} required for merchantType {base['merchantType']}."


def test_sub_merchant_empty_conditional_field_counts_as_missing(pay: PaySigned) -> None:
    body = {"merchantName": next_id("Empty "), **COMPANY, "companyName": ""}
    message = pay.fail("/submerchant/add", body, "400100")
    assert message == "companyName required for merchantType 4."


@pytest.mark.parametrize("mcc", ["581", "58122", "58a2", "ABCD"])
def test_sub_merchant_mcc_must_be_four_digits(pay: PaySigned, mcc: str) -> None:
    body = {"merchantName": next_id("Mcc "), **COMPANY, "merchantMcc": mcc}
    assert pay.fail("/submerchant/add", body, "400102") == "merchantMcc must be four digits."


@pytest.mark.parametrize(
    ("fields", "drop", "required"),
    [
        ({"merchantMcc": "9999"}, None, "payIndustryDescription"),
        ({}, "siteUrl", "siteUrl"),
        ({"siteType": 2}, "siteName", "siteName"),
    ],
)
def test_sub_merchant_site_and_industry_conditions(
    pay: PaySigned, fields: dict[str, Any], drop: str | None, required: str
) -> None:
    body = {"merchantName": next_id("Site "), **COMPANY, **fields}
    if drop is not None:
        del body[drop]
    message = pay.fail("/submerchant/add", body, "400100")
    assert required in message


def test_order_for_a_sub_merchant(sandbox: Any, shop: PaySigned, pay: PaySigned) -> None:
    sub_id = add_sub_merchant(shop)
    # subMerchantId may be a JSON number or a string.
    for value in (sub_id, str(sub_id)):
        data = shop.ok("/v2/order", order_body(next_id("sub"), merchant={"subMerchantId": value}))
        assert data["prepayId"].isdigit() and len(data["prepayId"]) == 18
        r = sandbox.admin.get(f"/sandbox/v1/pay/orders/{data['prepayId']}")
        assert r.status_code == 200, r.text
    # Unknown, and another merchant's sub-merchant.
    for merchant_of_order, value in ((shop, 1234567890123456), (pay, sub_id)):
        body = order_body(next_id("nosub"), merchant={"subMerchantId": value})
        assert merchant_of_order.fail("/v2/order", body, "400206") == NO_SUB_MERCHANT
    v3 = {
        "env": {"terminalType": "WEB"},
        "merchantTradeNo": next_id("subv3"),
        "orderAmount": "10",
        "currency": "USDT",
        "description": "Order",
        "goodsDetails": [
            {
                "goodsType": "02",
                "goodsCategory": "6000",
                "referenceGoodsId": "sku1",
                "goodsName": "Credit",
            }
        ],
    }
    assert shop.ok("/v3/order", {**v3, "merchant": {"subMerchantId": sub_id}})["prepayId"]
    body = {**v3, "merchantTradeNo": next_id("subv3"), "merchant": {"subMerchantId": "42"}}
    assert shop.fail("/v3/order", body, "400206") == NO_SUB_MERCHANT
    sandbox.audit()


# -- certificates -------------------------------------------------------------------------


def test_certificates(pay: PaySigned, shop: PaySigned) -> None:
    data = pay.ok("/certificates", {})
    assert isinstance(data, list) and len(data) == 1
    (cert,) = data
    assert set(cert) == {"certSerial", "certPublic"}
    pem = cert["certPublic"]
    assert (
        cert["certSerial"] == hashlib.md5(pem.encode(), usedforsecurity=False).hexdigest().upper()
    )
    assert pem.startswith("-----BEGIN PUBLIC KEY-----\n")
    assert pem.endswith("-----END PUBLIC KEY-----\n")
    key = serialization.load_pem_public_key(pem.encode())
    assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048
    # One key for the whole sandbox, the same for every merchant.
    assert shop.ok("/certificates", {}) == data


def test_certificates_accept_an_empty_body_and_an_empty_object(pay: PaySigned) -> None:
    empty = envelope(pay.post("/certificates", raw=b""))
    braces = envelope(pay.post("/certificates", {}))
    for body in (empty, braces):
        assert (body["status"], body["code"], body["errorMessage"]) == ("SUCCESS", "000000", "")
    assert empty["data"] == braces["data"]
    assert len(empty["data"]) == 1


def test_certificates_reject_a_body_that_is_not_an_object(pay: PaySigned) -> None:
    message = pay.fail("/certificates", [], "400008")
    assert message == "Request body is not a valid json object."
