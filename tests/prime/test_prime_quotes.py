"""Reference data, limits, quotes and execute (guide §6, §7, §11), through the SDK against
the real server, and each error code where its situation arises."""

from __future__ import annotations

import threading
import uuid
from decimal import Decimal
from typing import Any

import pytest
from prime_support import Signed, envelope

from binance_sandbox.client import ConnectPrimeClient, errors
from binance_sandbox.client.models import OrderStatus
from binance_sandbox.market import CRYPTOS, FIATS


def cid() -> str:
    return f"test-{uuid.uuid4().hex[:20]}"


def test_fiat_and_crypto_lists(client: ConnectPrimeClient, user: str) -> None:
    fiats = {f.currency: f.precision for f in client.fiat_list(user)}
    assert fiats == {"USD": 2, "EUR": 2, "GBP": 2, "AED": 2, "BRL": 2}
    cryptos = {c.crypto_currency: c.precision for c in client.crypto_list(user)}
    # XRP is offered for BUY only, so it is not in the sell list.
    assert cryptos == {"BTC": 8, "ETH": 8, "BNB": 8, "USDT": 2, "SOL": 8}


def test_trading_pairs_precision_follows_direction(client: ConnectPrimeClient, user: str) -> None:
    buy = client.trading_pairs(user, "BUY", fiat_currency="EUR")
    assert [(p.crypto_currency, p.precision) for p in buy][:2] == [("BTC", 8), ("ETH", 8)]
    assert all(p.fiat_currency == "EUR" for p in buy)
    sell = client.trading_pairs(user, "SELL", crypto_currency="SOL")
    # Guide §7: for SELL the precision is the fiat's. SOL is not offered in AED or BRL.
    assert [(p.fiat_currency, p.precision) for p in sell] == [("USD", 2), ("EUR", 2), ("GBP", 2)]


def test_trading_pairs_are_exactly_the_quotable_pairs(
    client: ConnectPrimeClient, user: str, signed: Signed
) -> None:
    # Every pair trading-pair lists, in either direction, can be quoted; every pair it does not
    # list answers 1230305 to a quote; a fiat or crypto with nothing offered is 1230305 too.
    for direction, chosen in [("BUY", f) for f in FIATS] + [("SELL", c) for c in CRYPTOS]:
        side = "fiat_currency" if direction == "BUY" else "crypto_currency"
        try:
            listed = client.trading_pairs(user, direction, **{side: chosen})
        except errors.NoPaymentMethodAvailable:
            listed = []
        assert all(p.fiat_currency and p.crypto_currency for p in listed), listed
        offered = {(p.fiat_currency, p.crypto_currency) for p in listed}
        others = CRYPTOS if direction == "BUY" else FIATS
        for other in others:
            fiat, crypto = (chosen, other) if direction == "BUY" else (other, chosen)
            ask = {
                "fiat_currency": fiat,
                "crypto_currency": crypto,
                "direction": direction,
                # Inside every fiat's limits.
                "amount": 1000,
                "amount_type": 1,
            }
            if (fiat, crypto) in offered:
                assert client.quote(user, **ask).quote_id
            else:
                with pytest.raises(errors.NoPaymentMethodAvailable):
                    client.quote(user, **ask)
    # XRP can be bought but not sold: no SELL pair is listed for it, and no empty list either.
    body = envelope(
        signed.post("/trading-pair", {"userId": user, "direction": "SELL", "cryptoCurrency": "XRP"})
    )
    assert (body["success"], body["code"], body["message"]) == (
        False,
        "1230305",
        "No payment method available for SELL XRP.",
    )
    assert "XRP" in {
        p.crypto_currency for p in client.trading_pairs(user, "BUY", fiat_currency="USD")
    }


def test_trading_pair_errors(client: ConnectPrimeClient, user: str) -> None:
    with pytest.raises(errors.InvalidDirection) as exc:
        client.trading_pairs(user, "HOLD", fiat_currency="EUR")
    assert (exc.value.code, exc.value.message) == ("1230304", 'direction must be "BUY" or "SELL".')
    with pytest.raises(errors.IllegalParameters, match="fiatCurrency is required for BUY"):
        client.trading_pairs(user, "BUY")
    with pytest.raises(errors.IllegalParameters, match="Unsupported fiatCurrency JPY"):
        client.trading_pairs(user, "BUY", fiat_currency="JPY")


def test_unknown_or_foreign_user_is_rejected(sandbox: Any, client: ConnectPrimeClient) -> None:
    other = sandbox.create_partner()
    foreign = sandbox.create_user(other)
    with pytest.raises(errors.IllegalParameters) as exc:
        client.fiat_list(foreign)
    assert exc.value.message == f"userId {foreign} does not exist for this client."


def test_amount_limits(client: ConnectPrimeClient, user: str) -> None:
    limits = client.amount_limits(
        user,
        fiat_currency="EUR",
        crypto_currency="BTC",
        direction="BUY",
        amount=100,
        amount_type=1,
        custom_spread=Decimal("0.01"),
    )
    assert (limits.fiat_min_limit, limits.fiat_max_limit) == (Decimal(10), Decimal(10_000_000))
    quote = client.quote(
        user,
        fiat_currency="EUR",
        crypto_currency="BTC",
        direction="BUY",
        amount=10,
        amount_type=1,
        custom_spread=Decimal("0.01"),
    )
    # The crypto limits are the fiat ones at the quote price.
    assert abs(limits.crypto_min_limit - Decimal(10) / quote.quote_price) < Decimal("0.00000002")
    assert limits.crypto_max_limit > limits.crypto_min_limit


def test_amount_limit_errors(client: ConnectPrimeClient, user: str) -> None:
    with pytest.raises(errors.CustomSpreadExceeded) as exc:
        client.amount_limits(
            user,
            fiat_currency="EUR",
            crypto_currency="BTC",
            direction="BUY",
            custom_spread=Decimal("0.5"),
        )
    assert exc.value.message == "customSpread 0.5 is outside the allowed range [0, 0.02]."
    with pytest.raises(errors.NoPaymentMethodAvailable) as nope:
        client.amount_limits(user, fiat_currency="AED", crypto_currency="SOL", direction="BUY")
    assert nope.value.message == "No payment method available for BUY SOL with AED."
    with pytest.raises(errors.InvalidAmountType):
        client.amount_limits(
            user, fiat_currency="EUR", crypto_currency="BTC", direction="BUY", amount_type=3
        )


def test_limit_calculation_failed_when_the_market_cannot_price(
    make_sandbox: Any, tmp_path: Any
) -> None:
    prices = tmp_path / "prices.csv"
    prices.write_text("time_ms,crypto,fiat,price\n1767225600000,BTC,EUR,90000.00\n")
    box = make_sandbox("replay", market=f"replay:{prices}")
    partner = box.create_partner()
    user = box.create_user(partner)
    with ConnectPrimeClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    ) as c:
        assert (
            c.amount_limits(
                user, fiat_currency="EUR", crypto_currency="BTC", direction="BUY"
            ).fiat_min_limit
            == 10
        )
        with pytest.raises(errors.LimitCalculationFailed) as exc:
            c.amount_limits(user, fiat_currency="EUR", crypto_currency="ETH", direction="BUY")
        assert exc.value.code == "1230315"
        with pytest.raises(errors.QuoteGenerationFailed) as qexc:
            c.quote(
                user,
                fiat_currency="EUR",
                crypto_currency="ETH",
                direction="BUY",
                amount=100,
                amount_type=1,
            )
        assert qexc.value.message == "No price for ETH/EUR."
        quote = c.quote(
            user,
            fiat_currency="EUR",
            crypto_currency="BTC",
            direction="BUY",
            amount=100,
            amount_type=1,
        )
        # The replayed price, 90000, with no spread: 100 EUR buys 0.00111111 BTC.
        assert (quote.quote_price, quote.total_amount) == (Decimal(90000), Decimal("0.00111111"))


def test_quote_arithmetic_matches_the_guide(
    sandbox: Any, client: ConnectPrimeClient, user: str
) -> None:
    quote = client.quote(
        user,
        fiat_currency="EUR",
        crypto_currency="BTC",
        direction="BUY",
        amount=100,
        amount_type=1,
        custom_spread=Decimal("0.01"),
    )
    # Guide §6 step 4: 100 EUR at a 1 % spread earns the partner 0.99.
    assert quote.spread_amount == Decimal("0.99")
    assert quote.total_amount == (Decimal(100) / quote.quote_price).quantize(
        Decimal("1e-8"), rounding="ROUND_DOWN"
    )
    assert quote.expired_at == sandbox.now() + 60_000
    assert len(quote.quote_id) == 32

    sell = client.quote(
        user,
        fiat_currency="USD",
        crypto_currency="ETH",
        direction="SELL",
        amount=Decimal("0.5"),
        amount_type=2,
        custom_spread=Decimal("0.02"),
    )
    # Selling 0.5 ETH: fiat = 0.5 × quotePrice, rounded down to cents.
    assert sell.total_amount == (Decimal("0.5") * sell.quote_price).quantize(
        Decimal("0.01"), rounding="ROUND_DOWN"
    )
    assert sell.spread_amount > 0


def test_quote_errors(client: ConnectPrimeClient, user: str) -> None:
    base = {
        "fiat_currency": "EUR",
        "crypto_currency": "BTC",
        "direction": "BUY",
        "amount": 100,
        "amount_type": 1,
    }
    with pytest.raises(errors.InvalidAmountType) as at:
        client.quote(user, **{**base, "amount_type": 0})
    assert (at.value.code, at.value.message) == (
        "1230306",
        "amountType must be 1 (fiat) or 2 (crypto).",
    )
    with pytest.raises(errors.InvalidDirection):
        client.quote(user, **{**base, "direction": "buy"})
    with pytest.raises(errors.CustomSpreadExceeded):
        client.quote(user, **base, custom_spread=Decimal("0.03"))
    with pytest.raises(errors.CustomSpreadExceeded):
        client.quote(user, **base, custom_spread=Decimal("-0.01"))
    with pytest.raises(errors.NoPaymentMethodAvailable):
        client.quote(user, **{**base, "crypto_currency": "XRP", "direction": "SELL"})
    with pytest.raises(errors.IllegalParameters, match=r"outside the limits \[10, 10000000\]"):
        client.quote(user, **{**base, "amount": 5})
    with pytest.raises(errors.IllegalParameters, match="amount must be greater than 0"):
        client.quote(user, **{**base, "amount": 0})
    with pytest.raises(errors.QuoteGenerationFailed) as small:
        client.quote(user, **{**base, "amount": Decimal("0.000000001"), "amount_type": 2})
    assert small.value.code == "1230307"


def test_malformed_bodies_are_illegal_parameters(signed: Signed, user: str) -> None:
    cases = [
        (b"not json", "Request body is not valid JSON."),
        (b"[1, 2]", "Request body must be a JSON object."),
        (
            b'{"userId": "%s", "fiatCurrency": "EUR"}' % user.encode(),
            "Illegal parameter: cryptoCurrency: Field required",
        ),
        (
            b'{"userId": "%s", "fiatCurrency": "EUR", "cryptoCurrency": "BTC", "direction": "BUY", '
            b'"amount": "lots", "amountType": 1}' % user.encode(),
            "Illegal parameter: amount:",
        ),
    ]
    cases += [
        (b"[" * 100_000 + b"]" * 100_000, "Request body"),
        (
            b'{"userId": "%s", "fiatCurrency": "EUR", "cryptoCurrency": "BTC", "direction": "BUY", '
            b'"amount": 1e999999, "amountType": 1}' % user.encode(),
            "amount must be at most 1000000000000.",
        ),
        (
            b'{"userId": "%s", "fiatCurrency": "EUR", "cryptoCurrency": "BTC", "direction": "BUY", '
            b'"amount": "NaN", "amountType": 1}' % user.encode(),
            "Illegal parameter: amount:",
        ),
        (
            b'{"userId": "%s", "fiatCurrency": "EUR", "cryptoCurrency": "BTC", "direction": "BUY", '
            b'"amount": 100, "amountType": 1, "customSpread": "Infinity"}' % user.encode(),
            "Illegal parameter: customSpread:",
        ),
        (b"\xff\xfe{}", "Request body is not valid JSON."),
    ]
    for raw, message in cases:
        body = envelope(signed.post("/quote", raw=raw))
        assert body["code"] == "1230303" and body["message"].startswith(message), body


def quote_id(client: ConnectPrimeClient, user: str, direction: str = "BUY", **kw: Any) -> str:
    args = {
        "fiat_currency": "EUR",
        "crypto_currency": "BTC",
        "direction": direction,
        "amount": 100,
        "amount_type": 1,
    }
    args.update(kw)
    return client.quote(user, **args).quote_id


def test_execute_and_duplicates(client: ConnectPrimeClient, user: str) -> None:
    order_ref = cid()
    result = client.execute_quote(quote_id(client, user), order_ref)
    assert result.status == OrderStatus.PROCESSING and len(result.order_id) == 32
    # Guide FAQ Q3: the same clientOrderId again is 1230309, and it names the existing order.
    with pytest.raises(errors.DuplicateOrderSubmission) as dup:
        client.execute_quote(quote_id(client, user), order_ref)
    assert dup.value.code == "1230309"
    assert dup.value.data["orderId"] == result.order_id
    order = client.transaction(client_order_id=order_ref)
    assert order.order_id == result.order_id and order.client_order_id == order_ref


def test_execute_errors(sandbox: Any, client: ConnectPrimeClient, user: str) -> None:
    q = quote_id(client, user)
    with pytest.raises(errors.IllegalParameters, match="at most 50 characters"):
        client.execute_quote(q, "x" * 51)
    client.execute_quote(q, "y" * 50)
    with pytest.raises(errors.OrderExecutionFailed) as used:
        client.execute_quote(q, cid())
    assert used.value.message == f"Quote {q} was already executed."
    with pytest.raises(errors.IllegalParameters, match="does not exist"):
        client.execute_quote("f" * 32, cid())
    expiring = quote_id(client, user)
    sandbox.advance(60_001)
    with pytest.raises(errors.QuoteExpired) as expired:
        client.execute_quote(expiring, cid())
    assert (expired.value.code, expired.value.message) == (
        "1230310",
        "Quote expired; get a new quote.",
    )


def test_another_partners_quote_is_not_visible(
    sandbox: Any, client: ConnectPrimeClient, user: str
) -> None:
    other = sandbox.create_partner()
    with (
        ConnectPrimeClient(
            sandbox.url, other.client_id, other.access_token, other.private_key
        ) as c,
        pytest.raises(errors.IllegalParameters, match="does not exist"),
    ):
        c.execute_quote(quote_id(client, user), cid())


def test_sell_without_enough_crypto_fails_cleanly(
    sandbox: Any, client: ConnectPrimeClient, partner: Any
) -> None:
    poor = sandbox.create_user(partner)
    sandbox.credit(poor, "ETH", "0.001")
    q = quote_id(client, poor, "SELL", crypto_currency="ETH", amount=Decimal("0.5"), amount_type=2)
    ref = cid()
    with pytest.raises(errors.OrderExecutionFailed) as exc:
        client.execute_quote(q, ref)
    assert exc.value.message == "Insufficient ETH balance to sell 0.50000000."
    with pytest.raises(errors.IllegalParameters):
        client.transaction(client_order_id=ref)
    assert sandbox.balance(poor, "ETH") == Decimal("0.001")
    sandbox.audit()


def test_concurrent_duplicate_executes_create_one_order(
    sandbox: Any, client: ConnectPrimeClient, partner: Any
) -> None:
    seller = sandbox.create_user(partner)
    sandbox.credit(seller, "BTC", "1")
    q = quote_id(client, seller, "SELL", amount=Decimal("0.1"), amount_type=2)
    ref = cid()
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(12)

    def attempt() -> None:
        with ConnectPrimeClient(
            sandbox.url, partner.client_id, partner.access_token, partner.private_key
        ) as c:
            barrier.wait()
            try:
                c.execute_quote(q, ref)
                outcome = "created"
            except errors.ConnectError as exc:
                outcome = exc.code
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("created") == 1, outcomes
    assert set(outcomes) <= {"created", "1230309"}, outcomes
    now = sandbox.now()
    page = client.transactions(start_time=now - 86_400_000, end_time=now + 1, user_id=seller)
    assert page.total == 1
    # The crypto was taken once: the sell settles, and 0.1 BTC left the user.
    sandbox.settle()
    order = client.transaction(page.list[0].order_id)
    assert order.status == OrderStatus.FILLED
    assert sandbox.balance(seller, "BTC") == Decimal("0.9")
    assert sandbox.balance(seller, "BTC", "PRIME_LOCKED") == 0
    sandbox.audit()


def test_concurrent_executes_of_one_quote_under_different_ids(
    sandbox: Any, client: ConnectPrimeClient, partner: Any
) -> None:
    buyer = sandbox.create_user(partner)
    q = quote_id(client, buyer)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def attempt(i: int) -> None:
        with ConnectPrimeClient(
            sandbox.url, partner.client_id, partner.access_token, partner.private_key
        ) as c:
            barrier.wait()
            try:
                c.execute_quote(q, f"{cid()}-{i}")
                outcomes.append("created")
            except errors.ConnectError as exc:
                outcomes.append(exc.code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["1230311"] * 7 + ["created"], outcomes
