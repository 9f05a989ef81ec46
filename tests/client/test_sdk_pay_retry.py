"""Reads are retried after transport failures and 400000; writes never are (pay.py's
docstring), on a fake clock that only the fake sleep moves."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sdk_connect_fakes import FakeClock, FakeSleep
from sdk_pay_fakes import (
    BALANCE,
    BALANCE_V2,
    ORDER,
    PAYOUT_BATCH,
    REFUND,
    WALLET_TRANSFER_QUERY,
    FakePay,
    fail,
    make_async_client,
    make_client,
    ok,
    ok_raw,
)

from binance_sandbox.client import PayClient, TransportError, pay_errors

GOODS = {"goodsType": "01", "goodsCategory": "D000", "referenceGoodsId": "g", "goodsName": "Tea"}

READS: list[tuple[str, str, Callable[[PayClient], Any]]] = [
    ("v2/order/query", ORDER, lambda c: c.query_order("383729303729303042")),
    ("order/refund/query", REFUND, lambda c: c.query_refund("68711039982968832")),
    ("payout/query", PAYOUT_BATCH, lambda c: c.query_payout("samplerequest1234")),
    ("balance", BALANCE, lambda c: c.balance("SPOT_WALLET", "USDT")),
    ("v2/balance", BALANCE_V2, lambda c: c.balance_v2("FUNDING_WALLET")),
    (
        "wallet/transfer/query",
        WALLET_TRANSFER_QUERY,
        lambda c: c.query_wallet_transfer("100002021071407140001"),
    ),
    ("certificates", "[]", lambda c: c.certificates()),
]

WRITES: list[tuple[str, Callable[[PayClient], Any]]] = [
    (
        "v2/order",
        lambda c: c.create_order(
            merchant_trade_no="A1",
            env={"terminalType": "APP"},
            order_amount=1,
            currency="USDT",
            goods=GOODS,
        ),
    ),
    (
        "v3/order",
        lambda c: c.create_order_v3(
            merchant_trade_no="A1",
            env={"terminalType": "APP"},
            order_amount=1,
            currency="USDT",
            description="d",
            goods_details=[GOODS],
        ),
    ),
    (
        "v3/order/create",
        lambda c: c.create_order_openapi(merchant_trade_no="A1", total_fee=1, currency="USDT"),
    ),
    ("order/close", lambda c: c.close_order("383729303729303042")),
    ("order/refund", lambda c: c.refund("r1", "383729303729303042", Decimal(5))),
    (
        "payout/transfer",
        lambda c: c.payout(
            "b1",
            "batch",
            "USDT",
            1,
            1,
            [
                {
                    "merchantSendId": "s1",
                    "receiveType": "PAY_ID",
                    "receiver": "1",
                    "transferAmount": 1,
                }
            ],
        ),
    ),
    ("wallet/transfer", lambda c: c.wallet_transfer("t1", "USDT", 1, "TO_PAY")),
    ("submerchant/add", lambda c: c.add_sub_merchant("Shop", 1, "5812", "GO")),
]


@pytest.fixture
def pay() -> FakePay:
    return FakePay()


@pytest.fixture
def pay_client(pay: FakePay, clock: FakeClock, sleep: FakeSleep) -> Iterator[PayClient]:
    with make_client(pay, clock, sleep) as client:
        yield client


@pytest.mark.parametrize(("path", "data", "call"), READS, ids=[r[0] for r in READS])
def test_a_read_is_retried_after_unknown_error_with_backoff(
    pay_client: PayClient,
    pay: FakePay,
    sleep: FakeSleep,
    path: str,
    data: str,
    call: Callable[[PayClient], Any],
) -> None:
    pay.script(path, fail("400000", "busy"), fail("400000", "busy"), ok_raw(data))

    call(pay_client)

    assert sleep.slept == [0.5, 1.0]
    assert len(pay.received) == 3


@pytest.mark.parametrize(("path", "data", "call"), READS, ids=[r[0] for r in READS])
def test_a_read_is_retried_after_a_network_failure(
    pay_client: PayClient,
    pay: FakePay,
    sleep: FakeSleep,
    path: str,
    data: str,
    call: Callable[[PayClient], Any],
) -> None:
    pay.script(path, httpx.ReadTimeout("slow"), httpx.ConnectError("refused"), ok_raw(data))

    call(pay_client)

    assert sleep.slept == [0.5, 1.0]
    assert len(pay.received) == 3


def test_a_read_gives_up_after_two_retries(
    pay_client: PayClient, pay: FakePay, sleep: FakeSleep
) -> None:
    pay.script("balance", fail("400000", "busy"))

    with pytest.raises(pay_errors.UnknownError):
        pay_client.balance("SPOT_WALLET", "USDT")

    assert sleep.slept == [0.5, 1.0]
    assert len(pay.received) == 3


def test_each_try_is_signed_afresh_with_a_new_nonce_and_timestamp(
    pay_client: PayClient, pay: FakePay, clock: FakeClock
) -> None:
    pay.script("balance", fail("400000", "busy"), ok_raw(BALANCE))

    pay_client.balance("SPOT_WALLET", "USDT")

    first, second = pay.received
    assert first.content == second.content
    assert first.headers["BinancePay-Nonce"] != second.headers["BinancePay-Nonce"]
    assert (
        int(second.headers["BinancePay-Timestamp"])
        == int(first.headers["BinancePay-Timestamp"]) + 500
    )
    assert first.signature_ok and second.signature_ok


@pytest.mark.parametrize(
    "answer",
    [fail("400202", "Order not found."), fail("400002", "bad signature", status=406)],
)
def test_a_read_is_not_retried_after_other_codes(
    pay_client: PayClient, pay: FakePay, sleep: FakeSleep, answer: httpx.Response
) -> None:
    pay.script("v2/order/query", answer)

    with pytest.raises(pay_errors.PayError):
        pay_client.query_order("383729303729303042")

    assert sleep.slept == []
    assert len(pay.received) == 1


def test_a_transport_error_that_is_not_transient_is_not_retried(
    pay_client: PayClient, pay: FakePay, sleep: FakeSleep
) -> None:
    pay.script("balance", httpx.UnsupportedProtocol("no"))

    with pytest.raises(TransportError) as raised:
        pay_client.balance("SPOT_WALLET", "USDT")

    assert not raised.value.transient
    assert sleep.slept == []


@pytest.mark.parametrize(("path", "call"), WRITES, ids=[w[0] for w in WRITES])
@pytest.mark.parametrize(
    "answer",
    [fail("400000", "busy"), httpx.ReadTimeout("slow")],
    ids=["unknown-error", "timeout"],
)
def test_a_write_is_never_retried(
    pay_client: PayClient,
    pay: FakePay,
    sleep: FakeSleep,
    path: str,
    call: Callable[[PayClient], Any],
    answer: httpx.Response | Exception,
) -> None:
    pay.script(path, answer, ok({}))

    with pytest.raises((pay_errors.UnknownError, TransportError)):
        call(pay_client)

    assert sleep.slept == []
    assert pay.paths() == [path]


def test_max_retries_zero_turns_retries_off(
    pay: FakePay, clock: FakeClock, sleep: FakeSleep
) -> None:
    pay.script("balance", fail("400000", "busy"), ok_raw(BALANCE))
    with (
        make_client(pay, clock, sleep, max_retries=0) as client,
        pytest.raises(pay_errors.UnknownError),
    ):
        client.balance("SPOT_WALLET", "USDT")
    assert len(pay.received) == 1


async def test_the_async_client_retries_reads_and_not_writes(
    pay: FakePay, clock: FakeClock, sleep: FakeSleep
) -> None:
    pay.script("balance", httpx.ConnectError("refused"), fail("400000", "busy"), ok_raw(BALANCE))
    pay.script("order/refund", fail("400000", "busy"))

    async with make_async_client(pay, clock, sleep) as client:
        balance = await client.balance("SPOT_WALLET", "USDT")
        with pytest.raises(pay_errors.UnknownError):
            await client.refund("r1", "383729303729303042", 5)

    assert balance.balance == Decimal(990000)
    assert sleep.slept == [0.5, 1.0]
    assert pay.paths() == ["balance", "balance", "balance", "order/refund"]
