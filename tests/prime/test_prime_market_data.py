"""Market data (guide §10), transaction lists (§13 reconciliation), balances, and the async
client, against the real server."""

from __future__ import annotations

import itertools
import uuid
from decimal import Decimal
from typing import Any

import pytest

from binance_sandbox.client import AsyncConnectPrimeClient, ConnectPrimeClient, errors
from binance_sandbox.client.models import OrderStatus


def test_klines_are_consistent_with_quotes(
    sandbox: Any, client: ConnectPrimeClient, user: str
) -> None:
    now = sandbox.now()
    for interval, width in (("3m", 180_000), ("1h", 3_600_000), ("1d", 86_400_000)):
        klines = client.klines("BTC", interval, fiat_currency="EUR", limit=5)
        assert len(klines) == 5
        last = klines[-1]
        assert last.open_time <= now <= last.close_time == last.open_time + width - 1
        assert all(b.open_time - a.open_time == width for a, b in itertools.pairwise(klines))
        assert all(k.low <= min(k.open, k.close) and k.high >= max(k.open, k.close) for k in klines)
    quote = client.quote(
        user,
        fiat_currency="EUR",
        crypto_currency="BTC",
        direction="BUY",
        amount=100,
        amount_type=1,
        custom_spread=Decimal(0),
    )
    # With no spread the quote price is the mid price, inside the current kline's range.
    current = client.klines("BTC", "3m", fiat_currency="EUR", limit=1)[0]
    assert current.low <= quote.quote_price <= current.high
    assert current.close == quote.quote_price


def test_klines_time_range_and_errors(sandbox: Any, client: ConnectPrimeClient) -> None:
    now = sandbox.now()
    klines = client.klines("ETH", "1h", start_time=now - 10 * 3_600_000, end_time=now)
    assert 10 <= len(klines) <= 11 and klines[0].open_time >= now - 10 * 3_600_000
    with pytest.raises(errors.IllegalParameters, match="interval must be one of 3m, 1h, 1d"):
        client.klines("ETH", "5m")
    with pytest.raises(errors.IllegalParameters, match="Unsupported cryptoCurrency DOGE"):
        client.klines("DOGE", "1h")
    with pytest.raises(errors.IllegalParameters, match="endTime must not be before startTime"):
        client.klines("ETH", "1h", start_time=now, end_time=now - 1)


def test_symbol_detail(client: ConnectPrimeClient) -> None:
    detail = client.symbol_detail("BTC", fiat_currency="EUR")
    assert (detail.crypto_currency, detail.name, detail.fiat_currency, detail.rank) == (
        "BTC",
        "Bitcoin",
        "EUR",
        1,
    )
    assert detail.market_cap == (detail.price * detail.circulating_supply).quantize(
        Decimal("0.01"), rounding="ROUND_DOWN"
    )
    assert detail.max_supply == Decimal(21_000_000)


def test_discover_is_aed_only(client: ConnectPrimeClient) -> None:
    prices = client.discover("AED")
    assert {p.crypto_currency for p in prices} >= {"BTC", "ETH", "BNB", "USDT", "SOL"}
    assert all(p.fiat_currency == "AED" for p in prices)
    with pytest.raises(errors.IllegalParameters, match="supports AED only"):
        client.discover("USD")


def test_transactions_page_and_filter(
    sandbox: Any, client: ConnectPrimeClient, partner: Any
) -> None:
    trader = sandbox.create_user(partner)
    sandbox.credit(trader, "BTC", "1")
    ids = []
    for _ in range(3):
        q = client.quote(
            trader,
            fiat_currency="USD",
            crypto_currency="BTC",
            direction="SELL",
            amount=Decimal("0.01"),
            amount_type=2,
        )
        ids.append(client.execute_quote(q.quote_id, f"page-{uuid.uuid4().hex[:12]}").order_id)
        sandbox.advance(1)  # settles the order
    now = sandbox.now()
    first = client.transactions(start_time=now - 3_600_000, end_time=now, user_id=trader, rows=2)
    second = client.transactions(
        start_time=now - 3_600_000, end_time=now, user_id=trader, rows=2, page=2
    )
    assert (first.total, len(first.list), len(second.list)) == (3, 2, 1)
    assert [o.order_id for o in first.list + second.list] == list(reversed(ids))  # newest first
    filled = client.transactions(
        start_time=now - 3_600_000, end_time=now, user_id=trader, status="FILLED", direction="SELL"
    )
    assert filled.total == 3 and all(o.status == OrderStatus.FILLED for o in filled.list)
    assert (
        client.transactions(
            start_time=now - 3_600_000, end_time=now, user_id=trader, status="FAILED"
        ).total
        == 0
    )
    with pytest.raises(errors.IllegalParameters, match="at most 90 days apart"):
        client.transactions(start_time=now - 91 * 86_400_000, end_time=now)
    with pytest.raises(errors.IllegalParameters, match="status must be"):
        client.transactions(start_time=now - 1, end_time=now, status="DONE")


def test_user_assets_shows_free_and_locked(
    sandbox: Any, client: ConnectPrimeClient, partner: Any
) -> None:
    holder = sandbox.create_user(partner)
    assert client.user_assets(holder) == []
    sandbox.credit(holder, "SOL", "3.5")
    sandbox.credit(holder, "ETH", "0.25")
    assets = {a.asset: (a.free, a.locked) for a in client.user_assets(holder)}
    assert assets == {"ETH": (Decimal("0.25"), 0), "SOL": (Decimal("3.5"), 0)}
    assert [a.asset for a in client.user_assets(holder, asset="BTC")] == ["BTC"]


def test_an_unsettled_sell_shows_as_locked(make_sandbox: Any) -> None:
    # No worker in this server: the sell stays PROCESSING until an operator settles it.
    box = make_sandbox("noworker", embedded_worker=False)
    partner = box.create_partner()
    holder = box.create_user(partner)
    box.credit(holder, "SOL", "3.5")
    with ConnectPrimeClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    ) as c:
        q = c.quote(
            holder,
            fiat_currency="EUR",
            crypto_currency="SOL",
            direction="SELL",
            amount=Decimal(1),
            amount_type=2,
        )
        order_id = c.execute_quote(q.quote_id, "locked-1").order_id
        assert [(a.asset, a.free, a.locked) for a in c.user_assets(holder)] == [
            ("SOL", Decimal("2.5"), Decimal(1))
        ]
        assert (
            box.admin.post(f"/sandbox/v1/prime/orders/{order_id}/fill").json()["status"] == "FILLED"
        )
        assert [(a.asset, a.free, a.locked) for a in c.user_assets(holder)] == [
            ("SOL", Decimal("2.5"), 0)
        ]
        q = c.quote(
            holder,
            fiat_currency="EUR",
            crypto_currency="SOL",
            direction="SELL",
            amount=Decimal(1),
            amount_type=2,
        )
        failing = c.execute_quote(q.quote_id, "locked-2").order_id
        assert (
            box.admin.post(f"/sandbox/v1/prime/orders/{failing}/fail", json={}).json()["failReason"]
            == "OPERATOR_FAILED"
        )
        # A failed sell gives the crypto back.
        assert [(a.asset, a.free, a.locked) for a in c.user_assets(holder)] == [
            ("SOL", Decimal("2.5"), 0)
        ]
    box.audit()


async def test_async_client_buys(sandbox: Any, partner: Any) -> None:
    buyer = sandbox.create_user(partner)
    async with AsyncConnectPrimeClient(
        sandbox.url, partner.client_id, partner.access_token, partner.private_key
    ) as c:
        assert [f.currency for f in await c.fiat_list(buyer)][:2] == ["USD", "EUR"]
        quote = await c.quote(
            buyer,
            fiat_currency="GBP",
            crypto_currency="BNB",
            direction="BUY",
            amount=50,
            amount_type=1,
        )
        executed = await c.execute_quote(quote.quote_id, f"async-{uuid.uuid4().hex[:12]}")
        sandbox.settle()
        order = await c.transaction(executed.order_id)
    # This partner has no merchant API registered, so the sandbox takes the fiat as received.
    assert order.status == OrderStatus.FILLED
    assert sandbox.balance(buyer, "BNB") == quote.total_amount
    sandbox.audit()
