"""`AsyncPayClient` sends what `PayClient` sends and reads the same results."""

from __future__ import annotations

import inspect
from decimal import Decimal

import pytest
from sdk_connect_fakes import FakeClock, FakeSleep
from sdk_pay_fakes import (
    BALANCE_V2,
    ORDER,
    ORDER_CREATED,
    PAYOUT_BATCH,
    REFUND,
    REFUND_RESULT,
    SUB_MERCHANT,
    WALLET_TRANSFER,
    WALLET_TRANSFER_QUERY,
    FakePay,
    fail,
    make_async_client,
    make_client,
    ok,
    ok_raw,
)

from binance_sandbox.client import AsyncPayClient, PayClient, pay_errors

GOODS = {"goodsType": "01", "goodsCategory": "D000", "referenceGoodsId": "g", "goodsName": "Tea"}
DETAILS = [
    {"merchantSendId": "s1", "receiveType": "PAY_ID", "receiver": "1", "transferAmount": "1"}
]


def _public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(getattr(cls, name))
        for name in dir(cls)
        if callable(getattr(cls, name))
        and not name.startswith("_")
        and name not in ("close", "aclose")
    }


def test_the_two_clients_have_the_same_methods_and_signatures() -> None:
    sync, async_ = _public_methods(PayClient), _public_methods(AsyncPayClient)

    assert sync.keys() == async_.keys()
    for name, signature in sync.items():
        assert list(signature.parameters) == list(async_[name].parameters), name
        assert inspect.iscoroutinefunction(getattr(AsyncPayClient, name)), name


def _script_all(pay: FakePay) -> None:
    pay.script("v2/order", ok_raw(ORDER_CREATED))
    pay.script("v3/order", ok_raw(ORDER_CREATED))
    pay.script("v3/order/create", ok_raw(ORDER_CREATED))
    pay.script("v2/order/query", ok_raw(ORDER))
    pay.script("order/close", ok(True))
    pay.script("order/refund", ok_raw(REFUND_RESULT))
    pay.script("order/refund/query", ok_raw(REFUND))
    pay.script("payout/transfer", ok({"requestId": "b1", "status": "ACCEPTED"}))
    pay.script("payout/query", ok_raw(PAYOUT_BATCH))
    pay.script("balance", ok({"balance": "1.5", "asset": "BNB"}))
    pay.script("v2/balance", ok_raw(BALANCE_V2))
    pay.script("wallet/transfer", ok_raw(WALLET_TRANSFER))
    pay.script("wallet/transfer/query", ok_raw(WALLET_TRANSFER_QUERY))
    pay.script("submerchant/add", ok_raw(SUB_MERCHANT))
    pay.script("certificates", ok([]))


ORDER_FIELDS = {
    "merchant_trade_no": "A1",
    "env": {"terminalType": "APP"},
    "order_amount": Decimal("25.17"),
    "currency": "USDT",
}


def _run_sync(client: PayClient) -> list[object]:
    return [
        client.create_order(**ORDER_FIELDS, goods=GOODS),
        client.create_order_v3(**ORDER_FIELDS, description="d", goods_details=[GOODS]),
        client.create_order_openapi(merchant_trade_no="A1", total_fee="25.17", currency="USDT"),
        client.query_order("383729303729303042"),
        client.close_order(merchant_trade_no="A1"),
        client.refund("r1", "383729303729303042", Decimal(5), refund_reason="late"),
        client.query_refund("r1"),
        client.payout("b1", "batch", "USDT", 1, 1, DETAILS, biz_scene="OTHERS"),
        client.query_payout("b1", detail_status="ALL"),
        client.balance("FUNDING_WALLET", "BNB"),
        client.balance_v2("FUNDING_WALLET", currency="USDT"),
        client.wallet_transfer("t1", "BNB", "0.01", "TO_MAIN"),
        client.query_wallet_transfer("t1"),
        client.add_sub_merchant("Shop", 1, "5812", "GO", certificate_type=2),
        client.certificates(),
    ]


async def _run_async(client: AsyncPayClient) -> list[object]:
    return [
        await client.create_order(**ORDER_FIELDS, goods=GOODS),
        await client.create_order_v3(**ORDER_FIELDS, description="d", goods_details=[GOODS]),
        await client.create_order_openapi(
            merchant_trade_no="A1", total_fee="25.17", currency="USDT"
        ),
        await client.query_order("383729303729303042"),
        await client.close_order(merchant_trade_no="A1"),
        await client.refund("r1", "383729303729303042", Decimal(5), refund_reason="late"),
        await client.query_refund("r1"),
        await client.payout("b1", "batch", "USDT", 1, 1, DETAILS, biz_scene="OTHERS"),
        await client.query_payout("b1", detail_status="ALL"),
        await client.balance("FUNDING_WALLET", "BNB"),
        await client.balance_v2("FUNDING_WALLET", currency="USDT"),
        await client.wallet_transfer("t1", "BNB", "0.01", "TO_MAIN"),
        await client.query_wallet_transfer("t1"),
        await client.add_sub_merchant("Shop", 1, "5812", "GO", certificate_type=2),
        await client.certificates(),
    ]


async def test_every_endpoint_sends_the_same_bytes_and_reads_the_same_results(
    clock: FakeClock, sleep: FakeSleep
) -> None:
    sync_pay, async_pay = FakePay(), FakePay()
    _script_all(sync_pay)
    _script_all(async_pay)

    with make_client(sync_pay, clock, sleep) as client:
        sync_results = _run_sync(client)
    async with make_async_client(async_pay, clock, sleep) as aclient:
        async_results = await _run_async(aclient)

    assert async_results == sync_results
    assert [(r.path, r.content) for r in async_pay.received] == [
        (r.path, r.content) for r in sync_pay.received
    ]
    assert [r.headers["BinancePay-Signature"] for r in async_pay.received] == [
        r.headers["BinancePay-Signature"] for r in sync_pay.received
    ]
    assert all(r.signature_ok for r in async_pay.received)
    assert len(async_pay.received) == 15


async def test_async_errors_are_the_same_classes(clock: FakeClock, sleep: FakeSleep) -> None:
    pay = FakePay()
    pay.script("order/refund", fail("400303", "Refund amount is invalid."))

    async with make_async_client(pay, clock, sleep) as client:
        with pytest.raises(pay_errors.InvalidRefundAmount) as raised:
            await client.refund("r1", "383729303729303042", Decimal(100))
        with pytest.raises(TypeError):
            await client.refund("r1", "383729303729303042", 1.5)

    assert raised.value.message == "Refund amount is invalid."
    assert len(pay.received) == 1
