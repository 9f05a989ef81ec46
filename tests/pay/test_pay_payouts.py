"""Batch payouts through the real server (docs/binance-pay.md "payout/transfer", "payout/query",
"PAYOUT data"): receivers by PAY_ID, BINANCE_ID and EMAIL, the merchant's FUNDING and SPOT
wallets, PAYOUT webhooks, unknown receivers, the 72 h wait for an email's account, and the
validation codes."""

from __future__ import annotations

import base64
import itertools
import json
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from pay_support import PayMerchant, PayReceiver, PaySigned, create_merchant

from binance_sandbox.signing import load_public_key

HOUR_MS = 3_600_000
QUERY_FIELDS = {
    "requestId",
    "batchStatus",
    "merchantId",
    "currency",
    "totalAmount",
    "totalPaidAmount",
    "totalPayoutFee",
    "totalNumber",
    "transferDetailList",
}
DETAIL_FIELDS = {
    "orderId",
    "merchantSendId",
    "payerId",
    "amount",
    "receiveType",
    "receiver",
    "payeeId",
    "transferMethod",
    "status",
    "remark",
}
# No sandbox user has these ids: user ids are 11 digits and pay ids 9 unless chosen.
UNKNOWN_BINANCE_ID = "99999999999999"
UNKNOWN_PAY_ID = "9999999999999"

_seq = itertools.count(1)


def request_id() -> str:
    return f"payout{next(_seq)}"


def new_user(sandbox: Any, **fields: Any) -> dict[str, Any]:
    r = sandbox.admin.post("/sandbox/v1/users", json=fields)
    assert r.status_code == 201, r.text
    return dict(r.json())


def credit(sandbox: Any, user_id: str, amount: str, wallet: str, asset: str = "USDT") -> None:
    r = sandbox.admin.post(
        "/sandbox/v1/balances/credit",
        json={"userId": user_id, "asset": asset, "amount": amount, "wallet": wallet},
    )
    assert r.status_code == 200, r.text


def wallets(sandbox: Any, user_id: str, asset: str = "USDT") -> tuple[Decimal, Decimal]:
    """(FUNDING, SPOT) of one asset."""
    return sandbox.balance(user_id, asset, "FUNDING"), sandbox.balance(user_id, asset, "SPOT")


def detail(
    send_id: str,
    receive_type: str,
    receiver: str,
    amount: str,
    method: str | None = None,
    remark: str | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "merchantSendId": send_id,
        "receiveType": receive_type,
        "receiver": receiver,
        "transferAmount": amount,
    }
    if method is not None:
        item["transferMethod"] = method
    if remark is not None:
        item["remark"] = remark
    return item


def batch(rid: str, details: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "requestId": rid,
        "batchName": "sandbox batch",
        "currency": "USDT",
        "totalAmount": str(sum(Decimal(d["transferAmount"]) for d in details)),
        "totalNumber": len(details),
        "bizScene": "SETTLEMENT",
        "transferDetailList": details,
    }
    body.update(extra)
    return body


def query(pay: PaySigned, rid: str, detail_status: Any = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"requestId": rid}
    if detail_status is not None:
        payload["detailStatus"] = detail_status
    return dict(pay.ok("/payout/query", payload))


def settled(sandbox: Any, pay: PaySigned, rid: str, batch_status: str) -> dict[str, Any]:
    """The batch once what is due has run: at `batch_status`, with no detail PROCESSING."""
    sandbox.settle()
    data = query(pay, rid)
    assert data["batchStatus"] == batch_status, data
    assert "PROCESSING" not in {d["status"] for d in data["transferDetailList"]}, data
    return data


def by_send_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["merchantSendId"]: d for d in data["transferDetailList"]}


def payout_events(receiver: PayReceiver, rid: str) -> list[dict[str, Any]]:
    with receiver.lock:
        return [
            e for e in receiver.events if e["bizType"] == "PAYOUT" and e["data"]["requestId"] == rid
        ]


def received(
    sandbox: Any, receiver: PayReceiver, rid: str, statuses: set[str]
) -> dict[str, dict[str, Any]]:
    """The PAYOUT webhooks of a batch, by bizStatus, once what is due has run: exactly
    `statuses`."""
    sandbox.settle()
    found = {e["bizStatus"]: e for e in payout_events(receiver, rid)}
    assert set(found) == statuses, found
    return found


def queued_statuses(sandbox: Any, merchant: PayMerchant, payout_id: str) -> list[str]:
    """The PAYOUT webhooks the platform queued for a batch, oldest first."""
    items = sorted(
        sandbox.webhooks(owner=merchant.merchant_id, ref=payout_id), key=lambda i: i["id"]
    )
    return [i["event"] for i in items]


@pytest.fixture
def shop(sandbox: Any, pay: PaySigned, receiver: PayReceiver) -> PaySigned:
    """A merchant of its own, for flows whose balances must not see other tests' batches
    (moving the clock settles every awaiting batch of the module's merchant too)."""
    own = create_merchant(sandbox, name=f"Shop {next(_seq)}", webhookUrl=f"{receiver.url}/webhook")
    return PaySigned(pay.http, own)


def test_batch_pays_pay_id_binance_id_and_email(
    sandbox: Any, pay: PaySigned, merchant: PayMerchant, receiver: PayReceiver
) -> None:
    mid = merchant.merchant_id
    credit(sandbox, mid, "100", "FUNDING")
    credit(sandbox, mid, "50", "SPOT")
    by_pay_id, by_binance_id, by_email = new_user(sandbox), new_user(sandbox), new_user(sandbox)
    funding_before, spot_before = wallets(sandbox, mid)
    rid = request_id()
    details = [
        detail("send1", "PAY_ID", by_pay_id["payId"], "10.5", "FUNDING_WALLET", "first"),
        detail("send2", "BINANCE_ID", by_binance_id["userId"], "20", "SPOT_WALLET"),
        # transferMethod absent: FUNDING_WALLET (sandbox default).
        detail("send3", "EMAIL", by_email["email"], "5.25"),
    ]

    accepted = pay.ok("/payout/transfer", batch(rid, details))

    assert accepted == {"requestId": rid, "status": "ACCEPTED"}
    data = settled(sandbox, pay, rid, "SUCCESS")
    assert set(data) == QUERY_FIELDS
    assert data["requestId"] == rid
    assert data["merchantId"] == int(mid)
    assert data["currency"] == "USDT"
    assert data["totalAmount"] == Decimal("35.75")
    assert data["totalPaidAmount"] == Decimal("35.75")
    assert data["totalPayoutFee"] == 0
    assert data["totalNumber"] == 3
    rows = data["transferDetailList"]
    assert [d["merchantSendId"] for d in rows] == ["send1", "send2", "send3"]
    for row in rows:
        assert set(row) == DETAIL_FIELDS
        assert isinstance(row["orderId"], int)
        assert row["payerId"] == int(mid)
        assert row["status"] == "SUCCESS"
    assert len({row["orderId"] for row in rows}) == 3
    first, second, third = rows
    assert (first["receiveType"], first["receiver"], first["payeeId"]) == (
        "PAY_ID",
        by_pay_id["payId"],
        int(by_pay_id["userId"]),
    )
    assert (first["amount"], first["transferMethod"], first["remark"]) == (
        "10.5",
        "FUNDING_WALLET",
        "first",
    )
    assert (second["receiveType"], second["receiver"], second["payeeId"]) == (
        "BINANCE_ID",
        by_binance_id["userId"],
        int(by_binance_id["userId"]),
    )
    assert (second["amount"], second["transferMethod"], second["remark"]) == (
        "20",
        "SPOT_WALLET",
        None,
    )
    assert (third["receiveType"], third["receiver"], third["payeeId"]) == (
        "EMAIL",
        by_email["email"],
        int(by_email["userId"]),
    )
    assert (third["amount"], third["transferMethod"]) == ("5.25", "FUNDING_WALLET")

    # Receivers are paid into FUNDING; each detail left its transferMethod wallet.
    assert wallets(sandbox, by_pay_id["userId"]) == (Decimal("10.5"), 0)
    assert wallets(sandbox, by_binance_id["userId"]) == (Decimal("20"), 0)
    assert wallets(sandbox, by_email["userId"]) == (Decimal("5.25"), 0)
    assert wallets(sandbox, mid) == (funding_before - Decimal("15.75"), spot_before - 20)

    # PAYOUT webhooks: PROCESSING, then SUCCESS (queued in that order), each verified by the
    # receiver against the `certificates` key.
    events = received(sandbox, receiver, rid, {"PROCESSING", "SUCCESS"})
    payout_id = events["SUCCESS"]["bizIdStr"]
    for status, event in events.items():
        assert event["path"] == "/webhook"
        assert event["bizId"] == int(payout_id) and event["bizIdStr"] == payout_id
        assert event["data"] == {
            "requestId": rid,
            "batchStatus": status,
            "merchantId": int(mid),
            "currency": "USDT",
            "totalAmount": Decimal("35.75"),
            "totalNumber": 3,
        }
    assert queued_statuses(sandbox, merchant, payout_id) == ["PAYOUT:PROCESSING", "PAYOUT:SUCCESS"]
    sandbox.audit()


def test_payout_webhook_signature_verifies_with_certificate_key(
    sandbox: Any, pay: PaySigned, merchant: PayMerchant, receiver: PayReceiver
) -> None:
    """The platform's RSA signature over `timestamp\\nnonce\\nbody\\n`, checked here as well
    as in the receiver, on the exact bytes of each delivery."""
    payee = new_user(sandbox)
    credit(sandbox, merchant.merchant_id, "3", "FUNDING")
    rid = request_id()
    pay.ok("/payout/transfer", batch(rid, [detail("s1", "BINANCE_ID", payee["userId"], "3")]))
    events = received(sandbox, receiver, rid, {"PROCESSING", "SUCCESS"})
    cert = pay.ok("/certificates")[0]
    key = load_public_key(cert["certPublic"])
    payout_id = events["SUCCESS"]["bizIdStr"]
    items = sandbox.webhooks(owner=merchant.merchant_id, ref=payout_id)
    assert len(items) == 2 and all(i["status"] == "done" for i in items)
    for item in items:
        attempt = item["attemptLog"][-1]
        headers = attempt["requestHeaders"]
        assert headers["BinancePay-Certificate-SN"] == cert["certSerial"]
        signed = (
            headers["BinancePay-Timestamp"].encode()
            + b"\n"
            + headers["BinancePay-Nonce"].encode()
            + b"\n"
            + item["body"].encode()
            + b"\n"
        )
        key.verify(
            base64.b64decode(headers["BinancePay-Signature"]),
            signed,
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
        assert json.loads(item["body"])["bizType"] == "PAYOUT"
    sandbox.audit()


def test_detail_status_filters(sandbox: Any, pay: PaySigned, merchant: PayMerchant) -> None:
    payee = new_user(sandbox)
    credit(sandbox, merchant.merchant_id, "6", "FUNDING")
    rid = request_id()
    details = [
        detail("ok1", "BINANCE_ID", payee["userId"], "1"),
        detail("bad1", "BINANCE_ID", UNKNOWN_BINANCE_ID, "2"),
        detail("wait1", "EMAIL", f"filter-{rid}@nobody.test", "3"),
    ]
    pay.ok("/payout/transfer", batch(rid, details))
    data = settled(sandbox, pay, rid, "PART_SUCCESS")
    assert [d["status"] for d in data["transferDetailList"]] == [
        "SUCCESS",
        "FAIL",
        "AWAITING_RECEIPT",
    ]
    assert data["totalPaidAmount"] == 1

    def send_ids(detail_status: Any) -> list[str]:
        return [d["merchantSendId"] for d in query(pay, rid, detail_status)["transferDetailList"]]

    assert send_ids(["ALL"]) == ["ok1", "bad1", "wait1"]
    assert send_ids("ALL") == ["ok1", "bad1", "wait1"]
    assert send_ids(["SUCCESS"]) == ["ok1"]
    assert send_ids("SUCCESS") == ["ok1"]
    assert send_ids(["FAIL"]) == ["bad1"]
    assert send_ids("FAIL") == ["bad1"]
    # PROCESSING covers AWAITING_RECEIPT (sandbox).
    assert send_ids(["PROCESSING"]) == ["wait1"]
    assert send_ids("PROCESSING") == ["wait1"]
    assert send_ids(["SUCCESS", "FAIL"]) == ["ok1", "bad1"]
    assert send_ids([]) == ["ok1", "bad1", "wait1"]
    filtered = query(pay, rid, "SUCCESS")
    # The filter narrows the list only; the batch's totals stay whole.
    assert (filtered["totalAmount"], filtered["totalPaidAmount"], filtered["totalNumber"]) == (
        6,
        1,
        3,
    )
    message = pay.fail("/payout/query", {"requestId": rid, "detailStatus": ["DONE"]}, "400102")
    assert message == "detailStatus.list[literal['ALL','PROCESSING','SUCCESS','FAIL']].0: " + (
        "Input should be 'ALL', 'PROCESSING', 'SUCCESS' or 'FAIL'"
    )
    sandbox.audit()


def test_unknown_binance_id_fails_and_returns_the_money(
    sandbox: Any, pay: PaySigned, merchant: PayMerchant, receiver: PayReceiver
) -> None:
    mid = merchant.merchant_id
    payee = new_user(sandbox)
    credit(sandbox, mid, "30", "FUNDING")
    credit(sandbox, mid, "30", "SPOT")
    funding_before, spot_before = wallets(sandbox, mid)
    rid = request_id()
    details = [
        detail("paid", "PAY_ID", payee["payId"], "4", "FUNDING_WALLET"),
        detail("nobody", "BINANCE_ID", UNKNOWN_BINANCE_ID, "7.5", "SPOT_WALLET"),
    ]
    assert pay.ok("/payout/transfer", batch(rid, details)) == {
        "requestId": rid,
        "status": "ACCEPTED",
    }
    data = settled(sandbox, pay, rid, "PART_SUCCESS")
    rows = by_send_id(data)
    assert (rows["paid"]["status"], rows["paid"]["payeeId"]) == ("SUCCESS", int(payee["userId"]))
    assert (rows["nobody"]["status"], rows["nobody"]["payeeId"]) == ("FAIL", None)
    assert (data["totalAmount"], data["totalPaidAmount"]) == (Decimal("11.5"), 4)
    # The failed detail's 7.5 went back to SPOT, where it came from.
    assert wallets(sandbox, mid) == (funding_before - 4, spot_before)
    assert wallets(sandbox, payee["userId"]) == (4, 0)
    events = received(sandbox, receiver, rid, {"PROCESSING", "PART_SUCCESS"})
    assert events["PART_SUCCESS"]["data"]["batchStatus"] == "PART_SUCCESS"
    sandbox.audit()


def test_batch_of_unpayable_receivers_fails_whole(
    sandbox: Any, pay: PaySigned, merchant: PayMerchant, receiver: PayReceiver
) -> None:
    """An unknown PAY_ID and the merchant itself (sandbox: a merchant cannot pay itself)."""
    mid = merchant.merchant_id
    credit(sandbox, mid, "5", "FUNDING")
    before = wallets(sandbox, mid)
    rid = request_id()
    details = [
        detail("a", "PAY_ID", UNKNOWN_PAY_ID, "1"),
        detail("b", "BINANCE_ID", mid, "2"),
    ]
    pay.ok("/payout/transfer", batch(rid, details))
    data = settled(sandbox, pay, rid, "FAILED")
    assert [(d["status"], d["payeeId"]) for d in data["transferDetailList"]] == [
        ("FAIL", None),
        ("FAIL", None),
    ]
    assert data["totalPaidAmount"] == 0
    assert wallets(sandbox, mid) == before
    received(sandbox, receiver, rid, {"PROCESSING", "FAILED"})
    sandbox.audit()


def test_unknown_email_awaits_receipt_then_is_refunded_after_72h(
    sandbox: Any, shop: PaySigned, receiver: PayReceiver
) -> None:
    pay, mid = shop, shop.merchant.merchant_id
    credit(sandbox, mid, "7", "FUNDING")
    before = wallets(sandbox, mid)
    rid = request_id()
    email = f"later-{rid}@nobody.test"
    pay.ok("/payout/transfer", batch(rid, [detail("e1", "EMAIL", email, "7")]))

    data = settled(sandbox, pay, rid, "PART_SUCCESS")
    (row,) = data["transferDetailList"]
    assert (row["status"], row["receiver"], row["payeeId"]) == ("AWAITING_RECEIPT", email, None)
    # The amount is held meanwhile: it has left the merchant's wallet.
    assert wallets(sandbox, mid) == (before[0] - 7, before[1])
    sandbox.audit()

    # 72 h pass with no account for that email: the hourly check at 72 h refunds it.
    sandbox.advance(72 * HOUR_MS - 1)
    assert query(pay, rid)["transferDetailList"][0]["status"] == "AWAITING_RECEIPT"
    sandbox.advance(1)
    data = settled(sandbox, pay, rid, "FAILED")
    (row,) = data["transferDetailList"]
    assert (row["status"], row["payeeId"]) == ("REFUNDED", None)
    assert data["totalPaidAmount"] == 0
    assert [d["merchantSendId"] for d in query(pay, rid, "FAIL")["transferDetailList"]] == ["e1"]
    assert wallets(sandbox, mid) == before
    events = received(sandbox, receiver, rid, {"PROCESSING", "PART_SUCCESS", "FAILED"})
    assert events["FAILED"]["data"]["batchStatus"] == "FAILED"
    sandbox.audit()


def test_email_user_created_within_72h_is_paid(
    sandbox: Any, shop: PaySigned, receiver: PayReceiver
) -> None:
    pay, mid = shop, shop.merchant.merchant_id
    credit(sandbox, mid, "8.125", "FUNDING")
    before = wallets(sandbox, mid)
    rid = request_id()
    # Emails match case-insensitively (sandbox users' emails are stored lower case).
    email = f"Joins-{rid}@Later.test"
    pay.ok("/payout/transfer", batch(rid, [detail("e1", "EMAIL", email, "8.125")]))
    data = settled(sandbox, pay, rid, "PART_SUCCESS")
    assert data["transferDetailList"][0]["status"] == "AWAITING_RECEIPT"

    sandbox.advance(24 * HOUR_MS)
    payee = new_user(sandbox, email=email)
    assert payee["email"] == email.lower()
    sandbox.advance(HOUR_MS)

    data = settled(sandbox, pay, rid, "SUCCESS")
    (row,) = data["transferDetailList"]
    assert (row["status"], row["receiver"], row["payeeId"]) == (
        "SUCCESS",
        email,
        int(payee["userId"]),
    )
    assert data["totalPaidAmount"] == Decimal("8.125")
    assert wallets(sandbox, payee["userId"]) == (Decimal("8.125"), 0)
    assert wallets(sandbox, mid) == (before[0] - Decimal("8.125"), before[1])
    received(sandbox, receiver, rid, {"PROCESSING", "PART_SUCCESS", "SUCCESS"})
    sandbox.audit()


def _rejected(
    sandbox: Any, pay: PaySigned, merchant: PayMerchant, body: dict[str, Any], code: str
) -> str:
    """A rejected batch: its code and message, with nothing written."""
    before = wallets(sandbox, merchant.merchant_id)
    message = pay.fail("/payout/transfer", body, code)
    assert wallets(sandbox, merchant.merchant_id) == before
    sandbox.audit()
    return message


def test_total_amount_must_equal_the_sum(
    sandbox: Any, pay: PaySigned, merchant: PayMerchant
) -> None:
    details = [
        detail("a", "BINANCE_ID", merchant.merchant_id, "3.5"),
        detail("b", "PAY_ID", "1", "6"),
    ]
    body = batch(request_id(), details, totalAmount="10")
    message = _rejected(sandbox, pay, merchant, body, "400102")
    assert message == "totalAmount 10 must equal the sum of transferAmount (9.5)."
    assert pay.fail("/payout/query", {"requestId": body["requestId"]}, "400202") == (
        f"No payout {body['requestId']}."
    )


def test_total_number_must_equal_the_count(
    sandbox: Any, pay: PaySigned, merchant: PayMerchant
) -> None:
    details = [detail("a", "PAY_ID", "1", "1"), detail("b", "PAY_ID", "2", "1")]
    message = _rejected(
        sandbox, pay, merchant, batch(request_id(), details, totalNumber=3), "400102"
    )
    assert message == "totalNumber must equal the number of transferDetailList items."


def test_merchant_send_id_must_be_unique_in_the_batch(
    sandbox: Any, pay: PaySigned, merchant: PayMerchant
) -> None:
    details = [detail("same", "PAY_ID", "1", "1"), detail("same", "PAY_ID", "2", "1")]
    message = _rejected(sandbox, pay, merchant, batch(request_id(), details), "400102")
    assert message == "merchantSendId must be unique within the batch."


def test_reused_request_id_is_rejected(sandbox: Any, pay: PaySigned, merchant: PayMerchant) -> None:
    payee = new_user(sandbox)
    credit(sandbox, merchant.merchant_id, "2", "FUNDING")
    rid = request_id()
    pay.ok("/payout/transfer", batch(rid, [detail("a", "BINANCE_ID", payee["userId"], "2")]))
    settled(sandbox, pay, rid, "SUCCESS")
    credit(sandbox, merchant.merchant_id, "2", "FUNDING")
    again = batch(rid, [detail("a", "BINANCE_ID", payee["userId"], "2")])
    assert (
        _rejected(sandbox, pay, merchant, again, "400102") == f"requestId {rid} was already used."
    )
    # Paid once only.
    assert wallets(sandbox, payee["userId"]) == (2, 0)
    assert query(pay, rid)["totalNumber"] == 1


def test_merchant_too_poor_writes_nothing(sandbox: Any, shop: PaySigned) -> None:
    """FUNDING could pay its part but SPOT cannot: the whole batch is refused, FUNDING too."""
    signed, poor = shop, shop.merchant
    credit(sandbox, poor.merchant_id, "10", "FUNDING")
    credit(sandbox, poor.merchant_id, "4", "SPOT")
    payee = new_user(sandbox)
    rid = request_id()
    details = [
        detail("f", "BINANCE_ID", payee["userId"], "10", "FUNDING_WALLET"),
        detail("s", "BINANCE_ID", payee["userId"], "4.00000001", "SPOT_WALLET"),
    ]
    message = signed.fail("/payout/transfer", batch(rid, details), "400304")
    assert message == "The merchant's SPOT_WALLET holds too little USDT for this batch."
    assert wallets(sandbox, poor.merchant_id) == (10, 4)
    assert wallets(sandbox, payee["userId"]) == (0, 0)
    assert signed.fail("/payout/query", {"requestId": rid}, "400202") == f"No payout {rid}."
    sandbox.audit()

    # Nothing was recorded, so the same requestId goes through once the money is there.
    credit(sandbox, poor.merchant_id, "0.00000001", "SPOT")
    assert signed.ok("/payout/transfer", batch(rid, details)) == {
        "requestId": rid,
        "status": "ACCEPTED",
    }
    settled(sandbox, signed, rid, "SUCCESS")
    assert wallets(sandbox, poor.merchant_id) == (0, 0)
    assert wallets(sandbox, payee["userId"]) == (Decimal("14.00000001"), 0)
    sandbox.audit()


@pytest.mark.parametrize(
    ("currency", "message"),
    [
        ("usdt", "currency usdt is not a payable crypto."),
        ("DOGE", "currency DOGE is not a payable crypto."),
        ("EUR", "currency EUR is not a payable crypto."),
    ],
)
def test_currency_must_be_an_upper_case_crypto(
    sandbox: Any, pay: PaySigned, merchant: PayMerchant, currency: str, message: str
) -> None:
    body = batch(request_id(), [detail("a", "PAY_ID", "1", "1")], currency=currency)
    assert _rejected(sandbox, pay, merchant, body, "400102") == message


def test_at_most_500_details(sandbox: Any, pay: PaySigned, merchant: PayMerchant) -> None:
    details = [detail(f"d{i}", "PAY_ID", "1", "1") for i in range(501)]
    # totalNumber is checked first (field order): its own range, 1–500.
    body = batch(request_id(), details)
    assert body["totalNumber"] == 501
    message = _rejected(sandbox, pay, merchant, body, "400102")
    assert message == "totalNumber: Input should be less than or equal to 500"
    # With a totalNumber in range, the list's length is the error: a wrong length.
    body = batch(request_id(), details, totalNumber=500)
    message = _rejected(sandbox, pay, merchant, body, "400101")
    assert (
        message
        == "transferDetailList: List should have at most 500 items after validation, not 501"
    )


def test_query_of_unknown_request_id(sandbox: Any, pay: PaySigned) -> None:
    assert pay.fail("/payout/query", {"requestId": "neverSent1"}, "400202") == (
        "No payout neverSent1."
    )
    sandbox.audit()
