"""The async client: the same calls, signing, errors and retries as the sync one."""

from __future__ import annotations

import inspect
from decimal import Decimal

import httpx
import pytest
from sdk_connect_fakes import START_MS, FakePrime, FakeSleep, fail, ok, order

from binance_sandbox.client import (
    AsyncConnectPrimeClient,
    ConnectPrimeClient,
    DuplicateOrderSubmission,
    OrderStatus,
    SysError,
    TransportError,
    WaitTimeout,
)

QUOTE = {
    "quoteId": "q1",
    "totalAmount": "0.00102181",
    "quotePrice": "97849.27",
    "expiredAt": 1756179222140,
    "spreadAmount": "0.99",
}


def test_both_clients_have_the_same_methods_and_signatures() -> None:
    def public(cls: type) -> dict[str, inspect.Signature]:
        return {
            name: inspect.signature(getattr(cls, name))
            for name in dir(cls)
            if callable(getattr(cls, name)) and not name.startswith("_")
        }

    sync, asynchronous = public(ConnectPrimeClient), public(AsyncConnectPrimeClient)
    asynchronous["close"] = asynchronous.pop("aclose")
    assert sync.keys() == asynchronous.keys()
    for name, signature in sync.items():
        if name != "__init__":
            assert list(signature.parameters) == list(asynchronous[name].parameters), name


async def test_a_buy_from_quote_to_filled_order(
    async_client: AsyncConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    processing = order(status="PROCESSING", statusCode=1, settleTime=None)
    prime.script("quote", fail("1230102", "System busy"), ok(QUOTE))
    prime.script("quote/execute", ok({"orderId": processing["orderId"], "status": "PROCESSING"}))
    prime.script("transaction", ok(processing), ok(order()))

    quote = await async_client.quote(
        "54321123456",
        fiat_currency="EUR",
        crypto_currency="BTC",
        direction="BUY",
        amount=Decimal("100"),
        amount_type=1,
        custom_spread=Decimal("0.01"),
    )
    executed = await async_client.execute_quote(quote.quote_id, "myOrder001")
    filled = await async_client.wait_for_order(executed.order_id)

    assert quote.total_amount == Decimal("0.00102181")
    assert executed.status is OrderStatus.PROCESSING
    assert filled.status is OrderStatus.FILLED
    assert sleep.slept == [1.0, 3.0]
    assert [r.path for r in prime.received] == [
        "quote",
        "quote",
        "quote/execute",
        "transaction",
        "transaction",
    ]
    assert all(r.signature_ok for r in prime.received)
    assert [int(r.timestamp) - START_MS for r in prime.received[:2]] == [0, 1000]


async def test_sys_error_backs_off_and_is_raised(
    async_client: AsyncConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    prime.script("info/discover", fail("1230101", "System error"))

    with pytest.raises(SysError):
        await async_client.discover()

    assert sleep.slept == [0.5, 1.0, 2.0]


async def test_execute_is_never_retried(
    async_client: AsyncConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    prime.script("quote/execute", httpx.ReadTimeout("timed out"))

    with pytest.raises(TransportError):
        await async_client.execute_quote("q1", "myOrder001")

    assert len(prime.received) == 1
    assert sleep.slept == []


async def test_after_an_unclear_execute_the_order_is_found_by_client_order_id(
    async_client: AsyncConnectPrimeClient, prime: FakePrime
) -> None:
    prime.script(
        "quote/execute",
        fail("1230309", "Duplicate order submission", data={"orderId": "o1", "status": "FILLED"}),
    )
    prime.script("transaction", ok(order(orderId="o1")))

    with pytest.raises(DuplicateOrderSubmission) as caught:
        await async_client.execute_quote("q1", "myOrder001")
    found = await async_client.transaction(client_order_id="myOrder001")

    assert caught.value.existing_order is not None
    assert found.order_id == caught.value.existing_order.order_id == "o1"
    assert prime.received[-1].json == {"clientOrderId": "myOrder001"}


async def test_wait_for_order_times_out(
    async_client: AsyncConnectPrimeClient, prime: FakePrime, sleep: FakeSleep
) -> None:
    prime.script("transaction", ok(order(status="PROCESSING", statusCode=1, settleTime=None)))

    with pytest.raises(WaitTimeout):
        await async_client.wait_for_order("o1", timeout=6, interval=3)

    assert sleep.slept == [3.0, 3.0]
