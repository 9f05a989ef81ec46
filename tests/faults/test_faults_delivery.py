"""Faults on what leaves the platform: the partner's merchant API (Check Transaction kept
PENDING until the deadline) and webhooks (duplicated, delayed)."""

from __future__ import annotations

from decimal import Decimal

from faults_support import Receiver, add_fault, buy_quote, faults

from binance_sandbox.client import ConnectPrimeClient
from sandbox_harness import PartnerCreds, Sandbox


def _execute(prime: ConnectPrimeClient, user: str, client_order_id: str) -> str:
    quote = buy_quote(prime, user)
    return prime.execute_quote(quote.quote_id, client_order_id).order_id


def test_check_transaction_pending_until_the_deadline_fails_the_order(
    box: Sandbox, partner: PartnerCreds, user: str, prime: ConnectPrimeClient
) -> None:
    # The fault answers in place of the partner's merchant API, which is never reached.
    box.update_partner(partner.client_id, merchantApiBaseUrl="http://127.0.0.1:9/merchant")
    add_fault(
        box,
        family="merchant",
        scope={"partnerClientId": partner.client_id},
        endpoint="/check-transaction",
        action={"type": "status", "status": "PENDING"},
    )
    order_id = _execute(prime, user, "never-arrives")

    def checked() -> bool:
        return any(e["kind"] == "check_transaction" for e in box.order(order_id)["timeline"])

    box.settle()
    assert checked()
    box.advance(60_000)
    assert prime.transaction(order_id=order_id).status.value == "PROCESSING"
    box.advance(box.settings.check_deadline_ms)
    assert prime.transaction(order_id=order_id).status.value == "FAILED"
    box.audit()


def test_merchant_http500_is_retried(
    box: Sandbox, partner: PartnerCreds, user: str, prime: ConnectPrimeClient
) -> None:
    box.update_partner(partner.client_id, merchantApiBaseUrl="http://127.0.0.1:9/merchant")
    add_fault(
        box,
        family="merchant",
        scope={"partnerClientId": partner.client_id},
        endpoint="/check-transaction",
        action={"type": "http500"},
        count=1,
    )
    add_fault(
        box,
        family="merchant",
        scope={"partnerClientId": partner.client_id},
        endpoint="/check-transaction",
        action={"type": "status", "status": "COMPLETED"},
    )
    order_id = _execute(prime, user, "http500-then-ok")
    box.settle()
    detail = box.order(order_id)
    assert any(
        "500" in str(e["detail"].get("problem"))
        for e in detail["timeline"]
        if e["kind"] == "check_transaction"
    )  # the first check, answered HTTP 500
    assert detail["status"] == "PROCESSING"
    box.advance(box.settings.check_interval_ms)
    assert prime.transaction(order_id=order_id).status.value == "FILLED"
    box.audit()


def test_duplicated_webhook_is_received_twice(
    box: Sandbox, partner: PartnerCreds, user: str, prime: ConnectPrimeClient, receiver: Receiver
) -> None:
    add_fault(
        box,
        family="delivery",
        scope={"owner": partner.client_id},
        endpoint="prime_order_event",
        action={"type": "duplicate"},
    )
    order_id = _execute(prime, user, "twice")
    box.settle()
    filled = [b for b in receiver.for_order(order_id) if b["status"] == "FILLED"]
    assert len(filled) == 2 and filled[0] == filled[1]


def test_delayed_webhook_comes_when_the_clock_reaches_it(
    box: Sandbox, partner: PartnerCreds, user: str, prime: ConnectPrimeClient, receiver: Receiver
) -> None:
    add_fault(
        box,
        family="delivery",
        scope={"owner": partner.client_id},
        action={"type": "delay", "ms": 120_000},
        count=1,
    )
    order_id = _execute(prime, user, "late")
    box.settle()
    assert box.order(order_id)["status"] == "FILLED"
    [webhook] = box.webhooks(owner=partner.client_id, ref=order_id)
    assert "delayed" in webhook["lastError"]
    assert webhook["status"] == "pending" and webhook["nextAttemptAt"] >= box.now() + 120_000
    assert receiver.for_order(order_id) == []
    box.advance(119_999)
    assert receiver.for_order(order_id) == []
    box.advance(1)
    assert receiver.for_order(order_id)


def test_reordered_webhook_arrives_after_the_next_one(
    box: Sandbox, partner: PartnerCreds, user: str, prime: ConnectPrimeClient, receiver: Receiver
) -> None:
    rule = add_fault(
        box,
        family="delivery",
        scope={"owner": partner.client_id},
        endpoint="prime_order_event",
        action={"type": "reorder"},
        count=1,
    )
    first = _execute(prime, user, "reorder-first")
    box.settle()
    assert any(
        "reorder" in (w["lastError"] or "")
        for w in box.webhooks(owner=partner.client_id, ref=first)
    )  # the first webhook held
    assert receiver.for_order(first) == []
    second = _execute(prime, user, "reorder-second")
    box.settle()  # both webhooks, without moving the clock
    assert receiver.for_order(first) and receiver.for_order(second)
    arrived = [b["orderId"] for b in receiver.bodies if b["orderId"] in (first, second)]
    assert arrived == [second, first]
    assert rule["id"] not in [f["id"] for f in faults(box)]  # used up
    box.audit()


def test_transfer_fails_then_succeeds(
    box: Sandbox, partner: PartnerCreds, user: str, prime: ConnectPrimeClient
) -> None:
    box.update_partner(partner.client_id, merchantApiBaseUrl="http://127.0.0.1:9/merchant")
    scope = {"partnerClientId": partner.client_id}
    failing = add_fault(
        box,
        family="merchant",
        scope=scope,
        endpoint="/transfer",
        action={"type": "http500"},
        count=1,
    )
    add_fault(
        box,
        family="merchant",
        scope=scope,
        endpoint="/transfer",
        action={"type": "status", "status": "SUCCESS"},
    )
    box.credit(user, "ETH", "1")
    quote = prime.quote(
        user,
        fiat_currency="EUR",
        crypto_currency="ETH",
        direction="SELL",
        amount=Decimal("0.5"),
        amount_type=2,
    )
    order_id = prime.execute_quote(quote.quote_id, "sell-transfer-500").order_id
    box.settle()
    assert failing["id"] not in [f["id"] for f in faults(box)]  # the first Transfer: HTTP 500
    detail = box.order(order_id)
    assert detail["status"] == "FILLED" and detail["transferStatus"] is None
    box.advance(box.settings.merchant_poll_interval_ms * 2)
    detail = box.order(order_id)
    assert detail["status"] == "FILLED" and detail["transferStatus"] == "SUCCESS"
    box.audit()


def test_merchant_fault_applies_without_a_merchant_api(box: Sandbox, receiver: Receiver) -> None:
    # A partner with no merchant API: the sandbox takes the fiat as received, unless a fault
    # answers Check Transaction for it.
    partner = box.create_partner(customSpreadMax="0.02", webhookUrl=f"{receiver.url}/hook")
    user = box.create_user(partner)
    add_fault(
        box,
        family="merchant",
        scope={"partnerClientId": partner.client_id},
        endpoint="/check-transaction",
        action={"type": "status", "status": "FAILED"},
        count=1,
    )
    with ConnectPrimeClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    ) as prime:
        failed = _execute(prime, user, "no-api-failed")
        box.settle()
        assert prime.transaction(order_id=failed).status.value == "FAILED"  # the fault's FAILED
        filled = _execute(prime, user, "no-api-filled")
        box.settle()
        # The next order fills: the rule is used up.
        assert prime.transaction(order_id=filled).status.value == "FILLED"
    box.audit()


def test_receiver_down_then_timing_out_is_retried_until_it_answers(
    box: Sandbox, partner: PartnerCreds, user: str, prime: ConnectPrimeClient, receiver: Receiver
) -> None:
    scope = {"owner": partner.client_id}
    add_fault(box, family="delivery", scope=scope, action={"type": "down"}, count=1)
    add_fault(box, family="delivery", scope=scope, action={"type": "timeout"}, count=1)
    order_id = _execute(prime, user, "receiver-down")

    def attempts() -> list[dict[str, object]]:
        found = box.webhooks(owner=partner.client_id, ref=order_id)
        return list(found[0]["attemptLog"]) if found else []

    box.settle()
    assert len(attempts()) == 1
    assert "refused the connection" in str(attempts()[0]["error"])
    assert receiver.for_order(order_id) == []
    box.advance(1_000)  # backoff 1 s
    assert len(attempts()) == 2
    assert "did not answer in time" in str(attempts()[1]["error"])
    assert receiver.for_order(order_id) == []
    box.advance(2_000)  # backoff 2 s: the third attempt is delivered, and recorded as done
    assert receiver.for_order(order_id)
    assert box.webhooks(owner=partner.client_id, ref=order_id)[0]["status"] == "done"
    box.audit()
