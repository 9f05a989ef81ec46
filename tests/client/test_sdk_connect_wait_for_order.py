"""`wait_for_order`: polling every few seconds until FILLED or FAILED (guide §6 step 7)."""

from __future__ import annotations

import pytest
from sdk_connect_fakes import FakePrime, FakeSleep, ok, order

from binance_sandbox.client import ConnectPrimeClient, OrderStatus, WaitTimeout

PROCESSING = order(status="PROCESSING", statusCode=1, settleTime=None)


def test_polls_until_the_order_is_filled(
    client: ConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    prime.script("transaction", ok(PROCESSING), ok(PROCESSING), ok(order()))

    filled = client.wait_for_order(PROCESSING["orderId"])

    assert filled.status is OrderStatus.FILLED
    assert filled.status_code == 20
    assert sleep.slept == [3.0, 3.0]
    assert [request.json for request in prime.received] == [{"orderId": PROCESSING["orderId"]}] * 3


def test_a_failed_order_is_final_too(
    client: ConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    failed = order(status="FAILED", statusCode=99, failReason="FIAT_NOT_RECEIVED")
    prime.script("transaction", ok(failed))

    result = client.wait_for_order("o1", interval=5)

    assert result.status is OrderStatus.FAILED
    assert result.fail_reason == "FIAT_NOT_RECEIVED"
    assert sleep.slept == []


def test_gives_up_after_the_timeout_with_a_last_poll_at_the_deadline(
    client: ConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    prime.script("transaction", ok(PROCESSING))

    with pytest.raises(WaitTimeout) as caught:
        client.wait_for_order("o1", timeout=10, interval=3)

    assert sleep.slept == [3.0, 3.0, 3.0, 1.0]
    assert len(prime.received) == 5
    assert caught.value.order_id == "o1"
    assert caught.value.last is not None
    assert caught.value.last.status is OrderStatus.PROCESSING


def test_a_clock_that_does_not_move_cannot_make_it_wait_forever(
    client: ConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    sleep.moves_clock = False
    prime.script("transaction", ok(PROCESSING))

    with pytest.raises(WaitTimeout):
        client.wait_for_order("o1", timeout=9, interval=3)

    assert sleep.slept == [3.0, 3.0, 3.0]


def test_a_small_interval_is_allowed_for_tests_but_not_zero(
    client: ConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    prime.script("transaction", ok(PROCESSING), ok(order()))

    client.wait_for_order("o1", interval=0.01)

    assert sleep.slept == [0.01]
    with pytest.raises(ValueError, match="interval"):
        client.wait_for_order("o1", interval=0)


def test_order_status_knows_which_states_are_final() -> None:
    assert not OrderStatus.PROCESSING.is_final
    assert OrderStatus.FILLED.is_final
    assert OrderStatus.FAILED.is_final
