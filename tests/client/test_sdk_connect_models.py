"""Results read from the wire, with exact decimals and never a float."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pydantic
import pytest
from sdk_connect_fakes import ORDER, FakePrime, ok, order

from binance_sandbox.client import (
    AmountLimits,
    ConnectPrimeClient,
    Direction,
    Kline,
    Order,
    OrderStatus,
    Quote,
)


def _no_floats(value: Any) -> None:
    if isinstance(value, pydantic.BaseModel):
        for item in value.__dict__.values():
            _no_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _no_floats(item)
    else:
        assert not isinstance(value, float), value


def test_decimal_amounts_round_trip_exactly(client: ConnectPrimeClient, prime: FakePrime) -> None:
    prime.script(
        "fiat-crypto-amount-limit",
        ok(
            {
                "fiatMinLimit": "0.1",
                "fiatMaxLimit": "0.2",
                "cryptoMinLimit": "0.00000001",
                "cryptoMaxLimit": "4488.87147336",
            }
        ),
    )

    limits = client.amount_limits(
        "u1",
        fiat_currency="EUR",
        crypto_currency="BTC",
        direction="BUY",
        amount=Decimal("0.1") + Decimal("0.2"),
        amount_type=1,
        custom_spread=Decimal("0.0100"),
    )

    assert b'"amount":0.3,' in prime.received[0].content
    assert b'"customSpread":0.01}' in prime.received[0].content
    assert limits.fiat_min_limit + limits.fiat_max_limit == Decimal("0.3")
    assert limits.crypto_min_limit == Decimal("1E-8")
    assert str(limits.crypto_max_limit) == "4488.87147336"
    _no_floats(limits)


def test_amounts_sent_keep_every_digit(client: ConnectPrimeClient, prime: FakePrime) -> None:
    prime.script(
        "quote",
        ok(
            {
                "quoteId": "q1",
                "totalAmount": "123456789012345678.123456789012345678",
                "quotePrice": "0.865734",
                "expiredAt": 1756179222140,
                "spreadAmount": "0.99",
            }
        ),
    )

    quote = client.quote(
        "u1",
        fiat_currency="EUR",
        crypto_currency="BTC",
        direction="SELL",
        amount="0.000000000000000001",
        amount_type=2,
    )

    assert b'"amount":0.000000000000000001,' in prime.received[0].content
    assert quote.total_amount == Decimal("123456789012345678.123456789012345678")
    _no_floats(quote)


def test_an_order_reads_every_field_of_the_contract(
    client: ConnectPrimeClient, prime: FakePrime
) -> None:
    prime.script("transaction", ok(order(transferStatus="SUCCESS", direction="SELL")))

    result = client.transaction("lhJ0uBwFPcCkbxnypoqNzUvri1e8jatT")

    assert result == Order(
        order_id="lhJ0uBwFPcCkbxnypoqNzUvri1e8jatT",
        client_order_id="myOrder001",
        user_id="54321123456",
        direction=Direction.SELL,
        fiat_currency="EUR",
        crypto_currency="BTC",
        fiat_amount=Decimal("100.00"),
        crypto_amount=Decimal("0.00102181"),
        price=Decimal("97849.27"),
        spread_amount=Decimal("0.99"),
        status=OrderStatus.FILLED,
        status_code=20,
        create_time=1756179222140,
        settle_time=1756179225140,
        fail_reason=None,
        transfer_status="SUCCESS",
    )
    assert str(result.fiat_amount) == "100.00"
    _no_floats(result)


def test_a_transaction_page(client: ConnectPrimeClient, prime: FakePrime) -> None:
    processing = order(orderId="o2", status="PROCESSING", statusCode=1, settleTime=None)
    prime.script(
        "transactions", ok({"total": 2, "page": 1, "rows": 20, "list": [processing, ORDER]})
    )

    page = client.transactions(start_time=1756000000000, end_time=1756200000000)

    assert (page.total, page.page, page.rows) == (2, 1, 20)
    assert [(o.order_id, o.status) for o in page.list] == [
        ("o2", OrderStatus.PROCESSING),
        (ORDER["orderId"], OrderStatus.FILLED),
    ]
    assert page.list[0].settle_time is None


def test_lists_are_unwrapped(client: ConnectPrimeClient, prime: FakePrime) -> None:
    prime.script(
        "buy/fiat-list",
        ok(
            {
                "fiatCurrencies": [
                    {"currency": "USD", "precision": 2},
                    {"currency": "EUR", "precision": 2},
                ]
            }
        ),
    )
    prime.script(
        "sell/crypto-list", ok({"cryptoCurrencies": [{"cryptoCurrency": "BTC", "precision": 8}]})
    )
    prime.script(
        "wallet/asset/user-assets",
        ok([{"asset": "BTC", "free": "0.50000000", "locked": "0.00102181"}]),
    )

    assert [(f.currency, f.precision) for f in client.fiat_list("u1")] == [("USD", 2), ("EUR", 2)]
    assert [(c.crypto_currency, c.precision) for c in client.crypto_list("u1")] == [("BTC", 8)]
    [btc] = client.user_assets("u1")
    assert (btc.asset, btc.free, btc.locked) == ("BTC", Decimal("0.5"), Decimal("0.00102181"))


def test_market_data(client: ConnectPrimeClient, prime: FakePrime) -> None:
    prime.script(
        "info/symbol-detail",
        ok(
            {
                "cryptoCurrency": "BTC",
                "name": "Bitcoin",
                "fiatCurrency": "USD",
                "price": "97849.27",
                "rank": 1,
                "marketCap": "1938000000000.12",
                "circulatingSupply": "19800000",
                "maxSupply": "21000000",
                "volume24h": "35000000000.5",
                "priceChangePercent24h": "-1.25",
                "description": "The first cryptocurrency.",
            }
        ),
    )
    prime.script(
        "info/klines",
        ok(
            [
                [
                    1756179000000,
                    "97000.01",
                    "98000.00",
                    "96500.5",
                    "97849.27",
                    "12.34567890",
                    1756182599999,
                    "1207890.12",
                    321,
                    "6.1",
                    "596000.01",
                    "0",
                ]
            ]
        ),
    )
    prime.script(
        "info/discover",
        ok(
            [
                {
                    "cryptoCurrency": "BTC",
                    "fiatCurrency": "AED",
                    "price": "359400.10",
                    "priceChangePercent24h": "2.5",
                    "high24h": "360000",
                    "low24h": "350000.5",
                    "volume24h": "1000.25",
                }
            ]
        ),
    )

    detail = client.symbol_detail("BTC")
    [kline] = client.klines("BTC", "1h")
    [price] = client.discover()

    assert detail.rank == 1
    assert detail.volume24h == Decimal("35000000000.5")
    assert detail.price_change_percent24h == Decimal("-1.25")
    assert kline == Kline(
        open_time=1756179000000,
        open=Decimal("97000.01"),
        high=Decimal("98000.00"),
        low=Decimal("96500.5"),
        close=Decimal("97849.27"),
        volume=Decimal("12.34567890"),
        close_time=1756182599999,
        quote_volume=Decimal("1207890.12"),
        trades=321,
        taker_buy_base=Decimal("6.1"),
        taker_buy_quote=Decimal("596000.01"),
    )
    assert (price.high24h, price.low24h) == (Decimal("360000"), Decimal("350000.5"))
    for result in (detail, kline, price):
        _no_floats(result)


def test_a_short_kline_array_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        Kline.model_validate([1, "1", "1"])


def test_models_refuse_floats() -> None:
    with pytest.raises(pydantic.ValidationError, match="float"):
        AmountLimits.model_validate(
            {"fiatMinLimit": 0.1, "fiatMaxLimit": "1", "cryptoMinLimit": "1", "cryptoMaxLimit": "1"}
        )


def test_models_are_frozen() -> None:
    quote = Quote(
        quote_id="q1",
        total_amount=Decimal(1),
        quote_price=Decimal(1),
        expired_at=1,
        spread_amount=Decimal(0),
    )
    with pytest.raises(pydantic.ValidationError):
        quote.quote_id = "q2"  # type: ignore[misc]
