"""The retry policy of guide §11, on a fake clock that only the fake sleep moves."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sdk_connect_fakes import (
    ACCESS_TOKEN,
    BASE_URL,
    CLIENT_ID,
    START_MS,
    FakeClock,
    FakePrime,
    FakeSleep,
    fail,
    ok,
)

from binance_sandbox.client import (
    ConnectPrimeClient,
    IllegalParameters,
    QuoteCacheFailed,
    SysBusy,
    SysError,
    TransportError,
)

PAIRS = [{"fiatCurrency": "EUR", "cryptoCurrency": "BTC", "precision": 8}]
QUOTE = {
    "quoteId": "q1",
    "totalAmount": "0.00102181",
    "quotePrice": "97849.27",
    "expiredAt": 1756179222140,
    "spreadAmount": "0.99",
}


def _quote(client: ConnectPrimeClient) -> object:
    return client.quote(
        "u1", fiat_currency="EUR", crypto_currency="BTC", direction="BUY", amount=100, amount_type=1
    )


def test_sys_busy_is_retried_after_a_second(
    client: ConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    prime.script("trading-pair", fail("1230102", "System busy"), ok(PAIRS))

    pairs = client.trading_pairs("u1", "BUY", fiat_currency="EUR")

    assert [pair.crypto_currency for pair in pairs] == ["BTC"]
    assert sleep.slept == [1.0]
    assert len(prime.received) == 2


def test_sys_busy_waits_one_then_two_seconds_and_gives_up_after_max_retries(
    client: ConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    prime.script("trading-pair", fail("1230102", "System busy"))

    with pytest.raises(SysBusy):
        client.trading_pairs("u1", "BUY", fiat_currency="EUR")

    assert sleep.slept == [1.0, 2.0, 2.0]
    assert len(prime.received) == 4


def test_sys_error_backs_off_exponentially(
    client: ConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    prime.script(
        "trading-pair",
        fail("1230101", "System error"),
        fail("1230101", "System error"),
        fail("1230101", "System error"),
        ok(PAIRS),
    )

    pairs = client.trading_pairs("u1", "BUY", fiat_currency="EUR")

    assert len(pairs) == 1
    assert sleep.slept == [0.5, 1.0, 2.0]
    assert len(prime.received) == 4


def test_sys_error_is_raised_when_the_retries_run_out(
    client: ConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    prime.script("trading-pair", fail("1230101", "System error"))

    with pytest.raises(SysError) as caught:
        client.trading_pairs("u1", "BUY", fiat_currency="EUR")

    assert caught.value.message == "System error"
    assert sleep.slept == [0.5, 1.0, 2.0]
    assert len(prime.received) == 4


def test_quote_cache_failed_is_retried_on_quote(
    client: ConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    prime.script("quote", fail("1230308", "Quote cache failed"), ok(QUOTE))

    _quote(client)

    assert sleep.slept == [0.5]
    assert len(prime.received) == 2


def test_every_retry_is_signed_again_with_a_fresh_timestamp(
    client: ConnectPrimeClient, prime: FakePrime, clock: FakeClock
) -> None:
    prime.script("quote", fail("1230101"), fail("1230102"), fail("1230308"), ok(QUOTE))

    _quote(client)

    timestamps = [int(request.timestamp) - START_MS for request in prime.received]
    # 0.5 s after SYS_ERROR, 2 s after SYS_BUSY (the second retry), 2 s after QUOTE_CACHE_FAILED.
    assert timestamps == [0, 500, 2500, 4500]
    assert len({request.headers["X-Tesla-Signature"] for request in prime.received}) == 4
    assert all(request.signature_ok for request in prime.received)
    assert len({request.content for request in prime.received}) == 1


@pytest.mark.parametrize(
    "answer",
    [
        fail("1230101", "System error"),
        fail("1230102", "System busy"),
        fail("1230308", "Quote cache failed"),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("connection refused"),
    ],
    ids=["sys-error", "sys-busy", "quote-cache-failed", "read-timeout", "connect-error"],
)
def test_execute_is_never_retried(
    client: ConnectPrimeClient,
    prime: FakePrime,
    sleep: FakeSleep,
    answer: httpx.Response | Exception,
) -> None:
    prime.script("quote/execute", answer, ok({"orderId": "o1", "status": "PROCESSING"}))

    with pytest.raises((SysError, SysBusy, QuoteCacheFailed, TransportError)):
        client.execute_quote("q1", "myOrder001")

    assert len(prime.received) == 1
    assert sleep.slept == []


def test_a_timed_out_read_is_retried(
    client: ConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    prime.script(
        "trading-pair", httpx.ReadTimeout("timed out"), httpx.ConnectError("refused"), ok(PAIRS)
    )

    client.trading_pairs("u1", "BUY", fiat_currency="EUR")

    assert sleep.slept == [0.5, 1.0]
    assert len(prime.received) == 3


def test_a_read_that_keeps_timing_out_raises_a_transport_error(
    client: ConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    timeout = httpx.ReadTimeout("timed out")
    prime.script("trading-pair", timeout)

    with pytest.raises(TransportError) as caught:
        client.trading_pairs("u1", "BUY", fiat_currency="EUR")

    assert caught.value.__cause__ is timeout
    assert len(prime.received) == 4


def test_a_timed_out_quote_is_not_repeated(
    client: ConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    prime.script("quote", httpx.ReadTimeout("timed out"), ok(QUOTE))

    with pytest.raises(TransportError):
        _quote(client)

    assert len(prime.received) == 1
    assert sleep.slept == []


def test_other_errors_are_not_retried(
    client: ConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    prime.script("trading-pair", fail("1230303", "Illegal parameters"), ok(PAIRS))

    with pytest.raises(IllegalParameters):
        client.trading_pairs("u1", "BUY", fiat_currency="EUR")

    assert len(prime.received) == 1
    assert sleep.slept == []


def test_max_retries_zero_turns_retries_off(
    prime: FakePrime, partner_key: rsa.RSAPrivateKey, clock: FakeClock, sleep: FakeSleep
) -> None:
    prime.script("trading-pair", fail("1230102", "System busy"), ok(PAIRS))

    with (
        ConnectPrimeClient(
            BASE_URL,
            CLIENT_ID,
            ACCESS_TOKEN,
            partner_key,
            max_retries=0,
            transport=httpx.MockTransport(prime.handle),
            clock=clock,
            sleep=sleep,
        ) as connect,
        pytest.raises(SysBusy),
    ):
        connect.trading_pairs("u1", "BUY", fiat_currency="EUR")

    assert len(prime.received) == 1
    assert sleep.slept == []
