"""Every console page and every live page's poll answers, over plain HTTP, for what the named
scenarios make: Prime and Pay orders, refunds, a deposit session, a withdrawal, a chain
deposit, webhooks, the ledger and the request log. (The browser tests look at what the pages
show; these run where there is no browser.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from sandbox_harness import Sandbox


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """A server of its own: the scenarios move its clock."""
    return make_sandbox("console-pages")


@pytest.fixture(scope="module")
def console(box: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=box.url, timeout=30) as client:
        r = client.post(
            "/console/signin",
            data={"token": box.settings.admin_token, "next": "/console"},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        yield client


def run(box: Sandbox, name: str) -> dict[str, Any]:
    r = box.admin.post(f"/sandbox/v1/scenarios/{name}")
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.fixture(scope="module")
def made(box: Sandbox) -> dict[str, Any]:
    refunds = run(box, "partial-refunds-until-full")
    buy = run(box, "webhook-receiver-down")
    deposit = run(box, "deposit-link-expires")
    withdrawal = run(box, "withdrawal-rejected")
    address = box.admin.get(
        f"/sandbox/v1/users/{buy['userId']}/deposit-address", params={"coin": "USDT"}
    ).json()
    sent = box.admin.post(
        "/sandbox/v1/chain/transfers",
        json={
            "network": address["network"],
            "address": address["address"],
            "addressTag": address["addressTag"],
            "asset": "USDT",
            "amount": "25",
        },
    )
    assert sent.status_code == 201, sent.text
    box.settle()
    [webhook] = box.webhooks(ref=buy["orderId"])
    sessions = box.admin.get(
        "/sandbox/v1/deposits", params={"partnerClientId": deposit["partner"]["clientId"]}
    ).json()
    return {
        "prepayId": refunds["prepayId"],
        "merchantId": refunds["merchant"]["merchantId"],
        "payer": refunds["payerUserId"],
        "orderId": buy["orderId"],
        "clientId": buy["partner"]["clientId"],
        "userId": buy["userId"],
        "depositId": sessions[0]["depositId"],
        "withdrawalId": withdrawal["withdrawalId"],
        "txHash": sent.json()["txHash"],
        "webhookId": webhook["id"],
    }


def pages(made: dict[str, Any]) -> list[str]:
    return [
        "/console",
        "/console/market",
        "/console/partners",
        f"/console/partners/{made['clientId']}",
        "/console/merchants",
        f"/console/merchants/{made['merchantId']}",
        "/console/users",
        f"/console/users/{made['userId']}",
        "/console/keys",
        "/console/prime/orders",
        f"/console/prime/orders/{made['orderId']}",
        "/console/pay/orders",
        f"/console/pay/orders/{made['prepayId']}",
        "/console/pay/payouts",
        "/console/deposits",
        f"/console/deposits/{made['depositId']}",
        "/console/chain/deposits",
        f"/console/chain/deposits/{made['txHash']}",
        "/console/withdrawals",
        f"/console/withdrawals/{made['withdrawalId']}",
        "/console/webhooks",
        f"/console/webhooks/{made['webhookId']}",
        "/console/requests",
        "/console/ledger",
        "/console/ledger?kind=all",
        "/console/faults",
        "/console/scenarios",
        "/console/act",
    ]


def test_every_page_answers(console: httpx.Client, made: dict[str, Any]) -> None:
    for path in pages(made):
        r = console.get(path)
        assert r.status_code == 200, (path, r.text[:500])
        assert "<html" in r.text.lower(), path


def test_a_journal_and_its_entries_answer(console: httpx.Client, made: dict[str, Any]) -> None:
    r = console.get(
        "/console/ledger/account",
        params={"owner": f"user:{made['payer']}", "asset": "USDT", "wallet": "SPOT"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    journal = console.get(r.headers["location"])
    assert journal.status_code == 200 and "refund" in journal.text
    entry = console.get("/console/ledger/entries/1")
    assert entry.status_code == 200


def test_every_live_poll_answers(console: httpx.Client, made: dict[str, Any]) -> None:
    polls = {
        f"/console/api/prime/orders/{made['orderId']}": "status",
        f"/console/api/pay/orders/{made['prepayId']}": "html",
        "/console/api/webhooks": "html",
        f"/console/api/webhooks/{made['webhookId']}": "html",
        f"/console/api/deposits/{made['depositId']}": "html",
        f"/console/api/withdrawals/{made['withdrawalId']}": "html",
        f"/console/api/chain/deposits/{made['txHash']}": "html",
    }
    for path, field in polls.items():
        r = console.get(path)
        assert r.status_code == 200, (path, r.text[:500])
        assert field in r.json(), path


def test_unknown_ids_are_pages_in_words(console: httpx.Client) -> None:
    for path in (
        "/console/prime/orders/nope",
        "/console/pay/orders/nope",
        "/console/deposits/nope",
        "/console/withdrawals/nope",
        "/console/chain/deposits/nope",
        "/console/pay/payouts/nope",
        "/console/partners/nope",
        "/console/merchants/nope",
    ):
        r = console.get(path)
        assert r.status_code == 404, (path, r.text[:300])
    assert console.get("/console/api/withdrawals/nope").json()["error"]["code"] == "NOT_FOUND"
