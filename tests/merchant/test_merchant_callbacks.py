"""The merchant-side APIs the platform calls (docs/connect-prime.md, guide §9)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from binance_sandbox import wire
from binance_sandbox.signing import generate_private_key

ORDER = "lhJ0uBwFPcCkbxnypoqNzUvri1e8jatT"


def check_body(client_order_id="order-1", amount="100.00", **overrides):
    return {
        "orderId": ORDER,
        "clientOrderId": client_order_id,
        "userId": "u1",
        "fiatCurrency": "EUR",
        "fiatAmount": amount,
        **overrides,
    }


def refund_body(refund_id=f"R-{ORDER}", amount="100.00", **overrides):
    return {
        "refundId": refund_id,
        "orderId": ORDER,
        "clientOrderId": "order-1",
        "userId": "u1",
        "fiatCurrency": "EUR",
        "fiatAmount": amount,
        "reason": "QUOTE_EXPIRED_AFTER_FIAT",
        **overrides,
    }


def transfer_body(transfer_id=f"T-{ORDER}", amount="95.10", **overrides):
    return {
        "transferId": transfer_id,
        "orderId": ORDER,
        "clientOrderId": "sell-1",
        "userId": "u1",
        "fiatCurrency": "EUR",
        "fiatAmount": amount,
        **overrides,
    }


def data_of(response: httpx.Response):
    assert response.status_code == 200, response.text
    envelope = response.json()
    assert envelope["success"] is True and envelope["code"] == "000000", envelope
    assert envelope["message"] is None
    return envelope["data"]


def error_of(response: httpx.Response, status: int = 200):
    assert response.status_code == status, response.text
    envelope = response.json()
    assert envelope["success"] is False and envelope["data"] is None, envelope
    return envelope["code"], envelope["message"]


def paid_buy(merchant, amount="100.00"):
    merchant.credit("u1", "EUR", "100")
    return merchant.fiat_transfer("order-1", "u1", "EUR", amount)


# Check Transaction


def test_check_transaction_pending_before_the_fiat_transfer(merchant):
    data = data_of(merchant.callback("/check-transaction", check_body()))
    assert data == {"transactionId": None, "status": "PENDING"}


def test_check_transaction_completed(merchant):
    transfer = paid_buy(merchant)
    data = data_of(merchant.callback("/check-transaction", check_body()))
    assert data == {"transactionId": transfer["transactionId"], "status": "COMPLETED"}
    # Idempotent: asking again gives the same answer, and the orderId is recorded.
    assert data_of(merchant.callback("/check-transaction", check_body())) == data
    recorded = merchant.own("GET", "/fiat-transfers/order-1")
    assert recorded["orderId"] == ORDER
    assert recorded["confirmed"] is True


def test_check_transaction_accepts_more_than_asked(merchant):
    paid_buy(merchant)
    data = data_of(merchant.callback("/check-transaction", check_body(amount="99.99")))
    assert data["status"] == "COMPLETED"


@pytest.mark.parametrize(
    "overrides",
    [
        {"fiatAmount": "100.01"},
        {"fiatCurrency": "USD"},
        {"userId": "u2"},
    ],
)
def test_check_transaction_failed_on_mismatch(merchant, overrides):
    transfer = paid_buy(merchant)
    data = data_of(merchant.callback("/check-transaction", check_body(**overrides)))
    assert data == {"transactionId": transfer["transactionId"], "status": "FAILED"}


def test_check_transaction_failed_for_another_order(merchant):
    paid_buy(merchant)
    assert data_of(merchant.callback("/check-transaction", check_body()))["status"] == "COMPLETED"
    other = check_body(orderId="another-order")
    assert data_of(merchant.callback("/check-transaction", other))["status"] == "FAILED"


def test_check_transaction_failed_when_the_transfer_failed(merchant):
    transfer = paid_buy(merchant)
    merchant.own("POST", "/fiat-transfers/order-1/fail")
    data = data_of(merchant.callback("/check-transaction", check_body()))
    assert data == {"transactionId": transfer["transactionId"], "status": "FAILED"}


def test_a_confirmed_transfer_cannot_be_failed(merchant):
    paid_buy(merchant)
    data_of(merchant.callback("/check-transaction", check_body()))
    response = merchant.own_raw("POST", "/fiat-transfers/order-1/fail")
    assert error_of(response) == (
        "400003",
        "The fiat transfer for clientOrderId order-1 was already confirmed to Binance as"
        " COMPLETED.",
    )


def test_check_pending_polls(start_merchant):
    merchant = start_merchant(check_pending_polls=2)
    paid_buy(merchant)
    statuses = [
        data_of(merchant.callback("/check-transaction", check_body()))["status"] for _ in range(4)
    ]
    assert statuses == ["PENDING", "PENDING", "COMPLETED", "COMPLETED"]
    assert merchant.own("GET", "/fiat-transfers/order-1")["checkPolls"] == 3


# Refund


def test_refund_returns_the_fiat_once(merchant):
    paid_buy(merchant)
    assert merchant.balances("u1") == {"EUR": "0.00"}
    first = data_of(merchant.callback("/refund", refund_body()))
    assert first["refundId"] == f"R-{ORDER}"
    assert first["status"] == "SUCCESS"
    assert first["refundReference"].startswith("RF")
    assert merchant.balances("u1") == {"EUR": "100.00"}
    assert merchant.account("binance", "EUR") == "0.00"

    # The platform retries with the same refundId: same record, no second payment.
    assert data_of(merchant.callback("/refund", refund_body())) == first
    assert merchant.balances("u1") == {"EUR": "100.00"}
    query = merchant.callback("/refund/query", {"refundId": f"R-{ORDER}"})
    assert data_of(query) == first
    detail = merchant.own("GET", f"/refunds/R-{ORDER}")
    assert detail["fiatAmount"] == "100.00"
    assert detail["reason"] == "QUOTE_EXPIRED_AFTER_FIAT"
    merchant.assert_ledger_balanced()


async def test_concurrent_refunds_pay_once(merchant):
    paid_buy(merchant)
    raw = wire.dumps(refund_body()).encode()
    headers = {"Authorization": "Bearer merchant-api-token", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=merchant.base_url, timeout=30) as client:
        responses = await asyncio.gather(
            *(client.post("/refund", content=raw, headers=headers) for _ in range(8))
        )
    answers = [data_of(response) for response in responses]
    assert all(answer == answers[0] for answer in answers)
    assert answers[0]["status"] == "SUCCESS"
    assert merchant.balances("u1") == {"EUR": "100.00"}
    merchant.assert_ledger_balanced()


def test_refund_without_a_fiat_transfer_fails(merchant):
    data = data_of(merchant.callback("/refund", refund_body()))
    assert data["status"] == "FAILED"
    detail = merchant.own("GET", f"/refunds/R-{ORDER}")
    assert detail["failReason"] == "No completed fiat transfer exists for clientOrderId order-1."
    assert merchant.balances("u1") == {}


def test_refund_of_a_failed_fiat_transfer_fails(merchant):
    paid_buy(merchant)
    merchant.own("POST", "/fiat-transfers/order-1/fail")
    assert data_of(merchant.callback("/refund", refund_body()))["status"] == "FAILED"
    assert merchant.balances("u1") == {"EUR": "100.00"}


def test_partial_refunds_never_exceed_the_transfer(merchant):
    paid_buy(merchant)
    first = data_of(merchant.callback("/refund", refund_body("R-1", amount="60")))
    assert first["status"] == "SUCCESS"
    second = data_of(merchant.callback("/refund", refund_body("R-2", amount="50")))
    assert second["status"] == "FAILED"
    assert merchant.own("GET", "/refunds/R-2")["failReason"] == (
        "Refund of 50.00 EUR exceeds the 40.00 left to refund on clientOrderId order-1."
    )
    assert merchant.balances("u1") == {"EUR": "60.00"}
    merchant.assert_ledger_balanced()


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"userId": "u2"}, "userId u2 did not make the fiat transfer for clientOrderId order-1."),
        (
            {"fiatCurrency": "USD"},
            "The fiat transfer for clientOrderId order-1 is in EUR, not USD.",
        ),
    ],
)
def test_refund_mismatch_fails(merchant, overrides, reason):
    paid_buy(merchant)
    assert data_of(merchant.callback("/refund", refund_body(**overrides)))["status"] == "FAILED"
    assert merchant.own("GET", f"/refunds/R-{ORDER}")["failReason"] == reason
    assert merchant.balances("u1") == {"EUR": "0.00"}


def test_refund_query_unknown(merchant):
    response = merchant.callback("/refund/query", {"refundId": "R-nope"})
    assert error_of(response) == ("404001", "Unknown refundId: R-nope.")


def test_refund_pending_until_the_merchant_completes_it(start_merchant):
    merchant = start_merchant(auto_complete_transfers=False)
    paid_buy(merchant)
    assert data_of(merchant.callback("/refund", refund_body()))["status"] == "PENDING"
    assert merchant.balances("u1") == {"EUR": "0.00"}
    query = {"refundId": f"R-{ORDER}"}
    assert data_of(merchant.callback("/refund/query", query))["status"] == "PENDING"

    done = merchant.own("POST", f"/refunds/R-{ORDER}/complete")
    assert done["status"] == "SUCCESS"
    assert merchant.own("POST", f"/refunds/R-{ORDER}/complete") == done
    assert data_of(merchant.callback("/refund/query", query))["status"] == "SUCCESS"
    assert merchant.balances("u1") == {"EUR": "100.00"}
    failing = merchant.own_raw("POST", f"/refunds/R-{ORDER}/fail")
    assert error_of(failing) == ("400003", f"Refund R-{ORDER} is SUCCESS and cannot become FAILED.")
    merchant.assert_ledger_balanced()


def test_refund_failed_by_the_merchant(start_merchant):
    merchant = start_merchant(auto_complete_transfers=False)
    paid_buy(merchant)
    data_of(merchant.callback("/refund", refund_body()))
    failed = merchant.own("POST", f"/refunds/R-{ORDER}/fail")
    assert failed["status"] == "FAILED"
    assert failed["failReason"] == "Failed by the merchant."
    query = {"refundId": f"R-{ORDER}"}
    assert data_of(merchant.callback("/refund/query", query))["status"] == "FAILED"
    completing = merchant.own_raw("POST", f"/refunds/R-{ORDER}/complete")
    assert error_of(completing) == (
        "400003",
        f"Refund R-{ORDER} is FAILED and cannot become SUCCESS.",
    )
    assert merchant.balances("u1") == {"EUR": "0.00"}


# Transfer (sell proceeds)


def test_transfer_pays_the_user_once(merchant):
    first = data_of(merchant.callback("/transfer", transfer_body()))
    assert first["transferId"] == f"T-{ORDER}"
    assert first["status"] == "SUCCESS"
    assert first["transferReference"].startswith("TR")
    assert merchant.balances("u1") == {"EUR": "95.10"}
    assert data_of(merchant.callback("/transfer", transfer_body())) == first
    assert merchant.balances("u1") == {"EUR": "95.10"}
    query = merchant.callback("/transfer/query", {"transferId": f"T-{ORDER}"})
    assert data_of(query) == first
    detail = merchant.own("GET", f"/transfers/T-{ORDER}")
    assert (detail["clientOrderId"], detail["fiatAmount"]) == ("sell-1", "95.10")
    merchant.assert_ledger_balanced()


def test_transfer_pending_until_the_merchant_completes_it(start_merchant):
    merchant = start_merchant(auto_complete_transfers=False)
    assert data_of(merchant.callback("/transfer", transfer_body()))["status"] == "PENDING"
    assert merchant.balances("u1") == {}
    assert merchant.own("POST", f"/transfers/T-{ORDER}/complete")["status"] == "SUCCESS"
    query = {"transferId": f"T-{ORDER}"}
    assert data_of(merchant.callback("/transfer/query", query))["status"] == "SUCCESS"
    assert merchant.balances("u1") == {"EUR": "95.10"}
    merchant.assert_ledger_balanced()


def test_transfer_failed_by_the_merchant(start_merchant):
    merchant = start_merchant(auto_complete_transfers=False)
    data_of(merchant.callback("/transfer", transfer_body()))
    assert merchant.own("POST", f"/transfers/T-{ORDER}/fail")["status"] == "FAILED"
    query = {"transferId": f"T-{ORDER}"}
    assert data_of(merchant.callback("/transfer/query", query))["status"] == "FAILED"
    assert merchant.balances("u1") == {}


def test_transfer_query_unknown(merchant):
    response = merchant.callback("/transfer/query", {"transferId": "T-nope"})
    assert error_of(response) == ("404001", "Unknown transferId: T-nope.")
    unknown = merchant.own_raw("POST", "/transfers/T-nope/complete")
    assert error_of(unknown) == ("404001", "Unknown transferId: T-nope.")


# Bad input


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/check-transaction", b"not json", "Request body is not valid JSON."),
        ("/check-transaction", b"", "Request body must be a JSON object."),
        ("/check-transaction", b"[1]", "Request body must be a JSON object."),
        ("/check-transaction", {"orderId": ORDER}, "Missing field: clientOrderId."),
        (
            "/check-transaction",
            check_body(amount="ten"),
            "Invalid field fiatAmount: must be a decimal string.",
        ),
        ("/refund", {**refund_body(), "refundId": ""}, None),
        ("/refund", {k: v for k, v in refund_body().items() if k != "fiatAmount"}, None),
        ("/refund/query", {}, "Missing field: refundId."),
        (
            "/transfer",
            transfer_body(userId=12),
            "Invalid field userId: Input should be a valid string.",
        ),
        ("/transfer/query", {"transferId": None}, None),
    ],
)
def test_bad_input(merchant, path, body, message):
    code, got = error_of(merchant.callback(path, body))
    assert code == "400001"
    if message is not None:
        assert got == message
    assert merchant.own("GET", "/accounts") == []


# Authentication


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong", "merchant-api-token", "Basic merchant-api-token", "Bearer"],
)
def test_bearer_token_required(merchant, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = merchant.callback("/check-transaction", check_body(), token=None, headers=headers)
    assert error_of(response, 401) == ("401001", "Invalid bearer token.")


def test_bearer_scheme_is_case_insensitive(merchant):
    headers = {"Authorization": "bearer merchant-api-token"}
    response = merchant.callback("/check-transaction", check_body(), token=None, headers=headers)
    assert data_of(response)["status"] == "PENDING"


def test_bearer_token_checked_before_the_body(merchant):
    response = merchant.callback("/refund", b"not json", token="wrong")
    assert error_of(response, 401) == ("401001", "Invalid bearer token.")


def test_no_token_configured(start_merchant):
    merchant = start_merchant(api_token=None)
    response = merchant.callback("/check-transaction", check_body(), token=None)
    assert data_of(response)["status"] == "PENDING"


def test_signed_callback_accepted(merchant):
    paid_buy(merchant)
    response = merchant.callback("/check-transaction", check_body(), sign=True)
    assert data_of(response)["status"] == "COMPLETED"


def test_badly_signed_callback_rejected(merchant):
    paid_buy(merchant)
    raw = wire.dumps(check_body()).encode()
    forged = merchant.signature_headers(raw, key=generate_private_key(1024))
    response = merchant.callback("/check-transaction", raw, headers=forged)
    assert error_of(response, 401) == ("401002", "Invalid X-BN-Connect-Signature.")
    # Signed over other bytes than those sent.
    other = merchant.signature_headers(raw + b" ")
    response = merchant.callback("/check-transaction", raw, headers=other)
    assert error_of(response, 401) == ("401002", "Invalid X-BN-Connect-Signature.")
    # Nothing was processed.
    assert merchant.own("GET", "/fiat-transfers/order-1")["orderId"] is None


def test_signed_callback_for_another_client_rejected(merchant):
    raw = wire.dumps(check_body()).encode()
    headers = merchant.signature_headers(raw, client_id="someone-else")
    response = merchant.callback("/check-transaction", raw, headers=headers)
    assert error_of(response, 401) == ("401003", "Invalid X-BN-Connect-For.")
