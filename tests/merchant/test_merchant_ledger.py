"""The merchant's own API and its fiat ledger."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import sqlalchemy

from binance_sandbox.merchant.storage import normalize_database_url


def test_healthz(merchant):
    response = merchant.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_credit_and_balances(merchant):
    data = merchant.credit("u1", "EUR", "100.5")
    assert data == {"userId": "u1", "balances": {"EUR": "100.50"}}
    merchant.credit("u1", "USD", "0.00000001")
    merchant.credit("u1", "EUR", "0.25")
    assert merchant.balances("u1") == {"EUR": "100.75", "USD": "0.00000001"}
    assert merchant.balances("nobody") == {}
    assert merchant.account("external", "EUR") == "-100.75"
    merchant.assert_ledger_balanced()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"currency": "EUR"}, "Missing field: amount."),
        ({"currency": "EUR", "amount": "-1"}, "Invalid field amount: must be a positive decimal."),
        ({"currency": "EUR", "amount": "0"}, "Invalid field amount: must be a positive decimal."),
        ({"currency": "EUR", "amount": "1e3"}, "Invalid field amount: must be a decimal string."),
        ({"currency": "EUR", "amount": True}, "Invalid field amount: must be a decimal string."),
        (
            {"currency": "EUR", "amount": "0.000000001"},
            "Invalid field amount: must have at most 8 decimal places.",
        ),
        (
            {"currency": "eur", "amount": "1"},
            "Invalid field currency: must be an upper-case currency code such as EUR.",
        ),
    ],
)
def test_credit_rejects_bad_input(merchant, body, message):
    response = merchant.own_raw("POST", "/users/u1/fiat/credit", body)
    assert response.status_code == 200
    assert response.json() == {"success": False, "code": "400001", "data": None, "message": message}
    assert merchant.balances("u1") == {}


def test_credit_accepts_json_numbers_exactly(merchant):
    response = merchant.http.post(
        "/merchant/v1/users/u1/fiat/credit", content=b'{"currency":"EUR","amount":0.1}'
    )
    assert response.json()["data"]["balances"] == {"EUR": "0.10"}


def test_fiat_transfer_moves_user_fiat_to_binance(merchant):
    merchant.credit("u1", "EUR", "150")
    transfer = merchant.fiat_transfer("order-1", "u1", "EUR", "100.00")
    assert transfer["clientOrderId"] == "order-1"
    assert transfer["status"] == "COMPLETED"
    assert transfer["amount"] == "100.00"
    assert transfer["orderId"] is None
    assert transfer["transactionId"].startswith("FT")
    assert merchant.balances("u1") == {"EUR": "50.00"}
    assert merchant.account("binance", "EUR") == "100.00"
    assert merchant.own("GET", "/fiat-transfers/order-1") == transfer
    merchant.assert_ledger_balanced()


def test_fiat_transfer_is_idempotent_on_client_order_id(merchant):
    merchant.credit("u1", "EUR", "150")
    first = merchant.fiat_transfer("order-1", "u1", "EUR", "100")
    assert merchant.fiat_transfer("order-1", "u1", "EUR", "100.00") == first
    assert merchant.balances("u1") == {"EUR": "50.00"}

    response = merchant.own_raw(
        "POST",
        "/fiat-transfers",
        {"clientOrderId": "order-1", "userId": "u1", "fiatCurrency": "EUR", "amount": "20"},
    )
    assert response.json() == {
        "success": False,
        "code": "400004",
        "data": None,
        "message": "clientOrderId order-1 is already used by a fiat transfer of 100.00 EUR"
        " for user u1.",
    }
    assert merchant.balances("u1") == {"EUR": "50.00"}


def test_fiat_transfer_insufficient_balance(merchant):
    merchant.credit("u1", "EUR", "5")
    response = merchant.own_raw(
        "POST",
        "/fiat-transfers",
        {"clientOrderId": "order-1", "userId": "u1", "fiatCurrency": "EUR", "amount": "10"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "success": False,
        "code": "400002",
        "data": None,
        "message": "Insufficient fiat balance: user:u1 has 5.00 EUR, needs 10.00.",
    }
    # Nothing was written: the clientOrderId is still free.
    assert merchant.own_raw("GET", "/fiat-transfers/order-1").json()["code"] == "404001"
    assert merchant.balances("u1") == {"EUR": "5.00"}
    merchant.assert_ledger_balanced()


def test_fiat_transfer_unknown(merchant):
    response = merchant.own_raw("GET", "/fiat-transfers/nope")
    assert response.json() == {
        "success": False,
        "code": "404001",
        "data": None,
        "message": "Unknown clientOrderId: nope.",
    }


def test_fail_fiat_transfer_returns_the_fiat(merchant):
    merchant.credit("u1", "EUR", "100")
    merchant.fiat_transfer("order-1", "u1", "EUR", "100")
    failed = merchant.own("POST", "/fiat-transfers/order-1/fail")
    assert failed["status"] == "FAILED"
    assert merchant.balances("u1") == {"EUR": "100.00"}
    assert merchant.account("binance", "EUR") == "0.00"
    # Failing again changes nothing.
    assert merchant.own("POST", "/fiat-transfers/order-1/fail") == failed
    assert merchant.balances("u1") == {"EUR": "100.00"}
    merchant.assert_ledger_balanced()


async def test_concurrent_fiat_transfers_same_client_order_id(merchant):
    merchant.credit("u1", "EUR", "1000")
    body = {"clientOrderId": "order-1", "userId": "u1", "fiatCurrency": "EUR", "amount": "100"}
    async with httpx.AsyncClient(base_url=merchant.base_url, timeout=30) as client:
        responses = await asyncio.gather(
            *(client.post("/merchant/v1/fiat-transfers", json=body) for _ in range(8))
        )
    ids = {response.json()["data"]["transactionId"] for response in responses}
    assert len(ids) == 1
    assert merchant.balances("u1") == {"EUR": "900.00"}
    merchant.assert_ledger_balanced()


def test_balance_check_constraint_is_in_the_database(merchant, database_url):
    """Even a raw UPDATE cannot take a user's (or Binance's) account below zero."""
    merchant.credit("u1", "EUR", "1")
    engine = sqlalchemy.create_engine(
        normalize_database_url(database_url).replace("+aiosqlite", "")
    )
    try:
        with pytest.raises(sqlalchemy.exc.IntegrityError), engine.begin() as connection:
            connection.execute(
                sqlalchemy.text(
                    "UPDATE merchant_fiat_accounts SET balance = -1 WHERE owner = 'user:u1'"
                )
            )
        with engine.begin() as connection:
            connection.execute(
                sqlalchemy.text(
                    "UPDATE merchant_fiat_accounts SET balance = balance - 5"
                    " WHERE owner = 'external'"
                )
            )
    finally:
        engine.dispose()
