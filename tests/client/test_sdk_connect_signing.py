"""Requests as they leave the SDK: paths, bodies, headers and signatures (guide §3, §4)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sdk_connect_fakes import (
    ACCESS_TOKEN,
    BASE_URL,
    CLIENT_ID,
    ORDER,
    FakeClock,
    FakePrime,
    ok,
)

from binance_sandbox.client import AmountType, ConnectPrimeClient, Direction, OrderStatus
from binance_sandbox.signing import private_key_to_pem
from binance_sandbox.signing.connect import verify_connect

QUOTE = {
    "quoteId": "e064b9eacded478192c45110117926aa",
    "totalAmount": "0.00102181",
    "quotePrice": "97849.27",
    "expiredAt": 1756179222140,
    "spreadAmount": "0.99",
}


def test_headers_are_the_five_of_the_guide_and_the_signature_verifies(
    client: ConnectPrimeClient, prime: FakePrime, partner_key: rsa.RSAPrivateKey
) -> None:
    prime.script("buy/fiat-list", ok({"fiatCurrencies": [{"currency": "EUR", "precision": 2}]}))

    client.fiat_list("54321123456")

    [request] = prime.received
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Tesla-ClientId"] == CLIENT_ID
    assert request.headers["X-Tesla-SignAccessToken"] == ACCESS_TOKEN
    assert request.headers["X-Tesla-Timestamp"] == "1756179000000"
    assert verify_connect(
        partner_key.public_key(),
        request.content,
        request.headers["X-Tesla-Timestamp"],
        request.headers["X-Tesla-Signature"],
    )


def test_the_signature_covers_exactly_the_body_bytes_sent_then_the_timestamp(
    client: ConnectPrimeClient, prime: FakePrime, partner_key: rsa.RSAPrivateKey
) -> None:
    prime.script("quote", ok(QUOTE))

    client.quote(
        "54321123456",
        fiat_currency="EUR",
        crypto_currency="BTC",
        direction=Direction.BUY,
        amount=Decimal("100"),
        amount_type=AmountType.FIAT,
        custom_spread=Decimal("0.01"),
    )

    [request] = prime.received
    assert request.content == (
        b'{"userId":"54321123456","fiatCurrency":"EUR","cryptoCurrency":"BTC",'
        b'"direction":"BUY","amount":100,"amountType":1,"customSpread":0.01}'
    )
    signature = base64.b64decode(request.headers["X-Tesla-Signature"])
    assert len(signature) == 128  # a 1024-bit key, the guide's default
    public = partner_key.public_key()
    assert verify_connect(
        public, request.content, request.timestamp, base64.b64encode(signature).decode()
    )
    # One changed byte, or another timestamp, and it no longer verifies.
    changed = request.content.replace(b"100", b"101")
    assert not verify_connect(
        public, changed, request.timestamp, request.headers["X-Tesla-Signature"]
    )
    assert not verify_connect(
        public,
        request.content,
        str(int(request.timestamp) + 1),
        request.headers["X-Tesla-Signature"],
    )


def test_non_ascii_is_sent_as_utf8_and_signed_as_sent(
    client: ConnectPrimeClient, prime: FakePrime
) -> None:
    prime.script("transaction", ok(ORDER))

    client.transaction(client_order_id="заказ-001")

    [request] = prime.received
    assert request.content == '{"clientOrderId":"заказ-001"}'.encode()
    assert request.signature_ok


@pytest.mark.parametrize("form", ["pem", "base64-pkcs8-der"])
def test_the_private_key_can_be_given_as_text(
    prime: FakePrime, partner_key: rsa.RSAPrivateKey, clock: FakeClock, form: str
) -> None:
    if form == "pem":
        text = private_key_to_pem(partner_key)
    else:
        der = partner_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        text = base64.b64encode(der).decode()
    prime.script("sell/crypto-list", ok({"cryptoCurrencies": []}))
    with ConnectPrimeClient(
        BASE_URL,
        CLIENT_ID,
        ACCESS_TOKEN,
        text,
        transport=httpx.MockTransport(prime.handle),
        clock=clock,
    ) as connect:
        assert connect.crypto_list("u1") == []
    assert prime.received[0].signature_ok


def test_a_base_url_with_a_path_prefix_is_kept(
    prime: FakePrime, partner_key: rsa.RSAPrivateKey
) -> None:
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return ok([])

    with ConnectPrimeClient(
        "https://gw.test/binance/",
        CLIENT_ID,
        ACCESS_TOKEN,
        partner_key,
        transport=httpx.MockTransport(handle),
    ) as connect:
        connect.discover()
    assert seen == ["/binance/papi/v1/ramp/connect/prime/info/discover"]


Invoke = Callable[[ConnectPrimeClient], Any]

CALLS: list[tuple[str, Invoke, str, dict[str, Any], Any]] = [
    (
        "fiat_list",
        lambda c: c.fiat_list("u1"),
        "buy/fiat-list",
        {"userId": "u1"},
        {"fiatCurrencies": []},
    ),
    (
        "crypto_list",
        lambda c: c.crypto_list("u1"),
        "sell/crypto-list",
        {"userId": "u1"},
        {"cryptoCurrencies": []},
    ),
    (
        "trading_pairs BUY",
        lambda c: c.trading_pairs("u1", "BUY", fiat_currency="EUR"),
        "trading-pair",
        {"userId": "u1", "direction": "BUY", "fiatCurrency": "EUR"},
        [],
    ),
    (
        "trading_pairs SELL",
        lambda c: c.trading_pairs("u1", Direction.SELL, crypto_currency="BTC"),
        "trading-pair",
        {"userId": "u1", "direction": "SELL", "cryptoCurrency": "BTC"},
        [],
    ),
    (
        "amount_limits without the optional fields",
        lambda c: c.amount_limits(
            "u1", fiat_currency="EUR", crypto_currency="BTC", direction="BUY"
        ),
        "fiat-crypto-amount-limit",
        {"userId": "u1", "fiatCurrency": "EUR", "cryptoCurrency": "BTC", "direction": "BUY"},
        {"fiatMinLimit": "10", "fiatMaxLimit": "1", "cryptoMinLimit": "1", "cryptoMaxLimit": "1"},
    ),
    (
        "amount_limits with them",
        lambda c: c.amount_limits(
            "u1",
            fiat_currency="EUR",
            crypto_currency="BTC",
            direction="SELL",
            amount="0.5",
            amount_type=2,
            custom_spread=Decimal("0.015"),
        ),
        "fiat-crypto-amount-limit",
        {
            "userId": "u1",
            "fiatCurrency": "EUR",
            "cryptoCurrency": "BTC",
            "direction": "SELL",
            "amount": Decimal("0.5"),
            "amountType": 2,
            "customSpread": Decimal("0.015"),
        },
        {"fiatMinLimit": "10", "fiatMaxLimit": "1", "cryptoMinLimit": "1", "cryptoMaxLimit": "1"},
    ),
    (
        "quote without custom spread",
        lambda c: c.quote(
            "u1",
            fiat_currency="EUR",
            crypto_currency="BTC",
            direction="BUY",
            amount=100,
            amount_type=1,
        ),
        "quote",
        {
            "userId": "u1",
            "fiatCurrency": "EUR",
            "cryptoCurrency": "BTC",
            "direction": "BUY",
            "amount": 100,
            "amountType": 1,
        },
        QUOTE,
    ),
    (
        "execute_quote",
        lambda c: c.execute_quote("q1", "myOrder001"),
        "quote/execute",
        {"quoteId": "q1", "clientOrderId": "myOrder001"},
        {"orderId": "o1", "status": "PROCESSING"},
    ),
    (
        "transaction by orderId",
        lambda c: c.transaction("o1"),
        "transaction",
        {"orderId": "o1"},
        ORDER,
    ),
    (
        "transactions with defaults",
        lambda c: c.transactions(start_time=1, end_time=2),
        "transactions",
        {"startTime": 1, "endTime": 2, "page": 1, "rows": 20},
        {"total": 0, "page": 1, "rows": 20, "list": []},
    ),
    (
        "transactions filtered",
        lambda c: c.transactions(
            start_time=1,
            end_time=2,
            page=3,
            rows=100,
            user_id="u1",
            status=OrderStatus.FILLED,
            direction=Direction.SELL,
        ),
        "transactions",
        {
            "startTime": 1,
            "endTime": 2,
            "page": 3,
            "rows": 100,
            "userId": "u1",
            "status": "FILLED",
            "direction": "SELL",
        },
        {"total": 0, "page": 3, "rows": 100, "list": []},
    ),
    (
        "user_assets",
        lambda c: c.user_assets("u1", asset="BTC"),
        "wallet/asset/user-assets",
        {"userId": "u1", "asset": "BTC"},
        [],
    ),
    (
        "symbol_detail",
        lambda c: c.symbol_detail("BTC", fiat_currency="USD"),
        "info/symbol-detail",
        {"cryptoCurrency": "BTC", "fiatCurrency": "USD"},
        {"cryptoCurrency": "BTC", "name": "Bitcoin", "fiatCurrency": "USD", "price": "1"},
    ),
    (
        "klines",
        lambda c: c.klines("BTC", "1h", start_time=1, end_time=2, fiat_currency="EUR", limit=10),
        "info/klines",
        {
            "cryptoCurrency": "BTC",
            "interval": "1h",
            "startTime": 1,
            "endTime": 2,
            "fiatCurrency": "EUR",
            "limit": 10,
        },
        [],
    ),
    (
        "discover",
        lambda c: c.discover(),
        "info/discover",
        {"fiatCurrency": "AED"},
        [],
    ),
]


@pytest.mark.parametrize(
    ("invoke", "path", "payload", "data"),
    [call[1:] for call in CALLS],
    ids=[call[0] for call in CALLS],
)
def test_each_call_posts_its_fields_to_its_path(
    client: ConnectPrimeClient,
    prime: FakePrime,
    invoke: Invoke,
    path: str,
    payload: dict[str, Any],
    data: Any,
) -> None:
    prime.script(path, ok(data))

    invoke(client)

    [request] = prime.received
    assert request.path == path
    assert request.json == payload
    # The exact order of the keys is kept, and no absent field is sent as null.
    assert list(request.json) == list(payload)
    assert request.signature_ok


def test_transaction_needs_exactly_one_identifier(
    client: ConnectPrimeClient, prime: FakePrime
) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        client.transaction()
    with pytest.raises(ValueError, match="exactly one"):
        client.transaction("o1", client_order_id="c1")
    assert prime.received == []


@pytest.mark.parametrize("bad", [0.1, float("nan")])
def test_a_float_amount_is_refused_before_anything_is_sent(
    client: ConnectPrimeClient, prime: FakePrime, bad: float
) -> None:
    with pytest.raises(TypeError, match="float"):
        client.quote(
            "u1",
            fiat_currency="EUR",
            crypto_currency="BTC",
            direction="BUY",
            amount=bad,  # type: ignore[arg-type]
            amount_type=1,
        )
    assert prime.received == []


@pytest.mark.parametrize("bad", ["ten", "NaN", "Infinity"])
def test_an_amount_that_is_not_a_finite_decimal_is_refused(
    client: ConnectPrimeClient, prime: FakePrime, bad: str
) -> None:
    with pytest.raises(ValueError, match="amount"):
        client.amount_limits(
            "u1", fiat_currency="EUR", crypto_currency="BTC", direction="BUY", amount=bad
        )
    assert prime.received == []


def test_direction_and_amount_type_pass_through_unchecked_for_the_platform_to_judge(
    client: ConnectPrimeClient, prime: FakePrime
) -> None:
    prime.script("quote", ok(QUOTE))

    client.quote(
        "u1", fiat_currency="EUR", crypto_currency="BTC", direction="HOLD", amount=1, amount_type=3
    )

    assert prime.received[0].json["direction"] == "HOLD"
    assert prime.received[0].json["amountType"] == 3
