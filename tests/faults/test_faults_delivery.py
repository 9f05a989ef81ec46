"""Faults on what leaves the platform: the partner's merchant API (Check Transaction kept
PENDING until the deadline) and webhooks (duplicated, delayed)."""

from __future__ import annotations

import time

from faults_support import Receiver, add_fault, buy_quote

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

    box.wait_for(checked, what="a Check Transaction")
    box.advance(60_000)
    time.sleep(0.3)
    assert prime.transaction(order_id=order_id).status.value == "PROCESSING"
    box.advance(box.settings.check_deadline_ms)
    box.wait_for(
        lambda: prime.transaction(order_id=order_id).status.value == "FAILED",
        what="the order to fail at the deadline",
    )
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
    box.wait_for(
        lambda: any(
            "500" in str(e["detail"].get("problem"))
            for e in box.order(order_id)["timeline"]
            if e["kind"] == "check_transaction"
        ),
        what="the first check, answered HTTP 500",
    )
    assert box.order(order_id)["status"] == "PROCESSING"
    box.advance(box.settings.check_interval_ms)
    box.wait_for(
        lambda: prime.transaction(order_id=order_id).status.value == "FILLED",
        what="the order to fill after the 500",
    )
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
    box.wait_for(
        lambda: len([b for b in receiver.for_order(order_id) if b["status"] == "FILLED"]) == 2,
        what="the FILLED webhook twice",
    )
    filled = [b for b in receiver.for_order(order_id) if b["status"] == "FILLED"]
    assert filled[0] == filled[1]


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
    box.wait_for(lambda: box.order(order_id)["status"] == "FILLED", what="the order to fill")
    webhook = box.wait_for(
        lambda: [
            w
            for w in box.webhooks(owner=partner.client_id, ref=order_id)
            if "delayed" in (w["lastError"] or "")
        ],
        what="the delayed attempt",
    )[0]
    assert webhook["status"] == "pending" and webhook["nextAttemptAt"] >= box.now() + 120_000
    assert receiver.for_order(order_id) == []
    box.advance(120_000)
    box.wait_for(lambda: receiver.for_order(order_id), what="the delayed webhook")
