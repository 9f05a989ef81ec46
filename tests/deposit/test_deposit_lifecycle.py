"""A deposit session's state machine (INIT → AUTHORIZED | REJECTED | EXPIRED, one-way), the
addresses it discloses, its `deposit_status_event` webhooks (verified with the partner's
`webhookPublicKey`), expiry on the sandbox clock, reports, and the control API."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from deposit_support import (
    ConnectReceiver,
    Signed,
    act,
    authorization,
    control_error,
    initiate,
    session,
)

from sandbox_harness import Sandbox

TTL = 15 * 60_000


def regexes(signed: Signed) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (coin["cryptoCurrency"], n["network"]): n
        for coin in signed.ok("/crypto-network", raw=b"")
        for n in coin["networks"]
    }


def test_authorize_discloses_the_addresses_and_sends_the_webhook(
    box: Sandbox,
    signed: Signed,
    partner: Any,
    receiver: ConnectReceiver,
    user: str,
    order_id: str,
) -> None:
    link = initiate(signed, order_id, user, networks=("TRX", "BSC", "ETH"))
    box.advance(60_000)
    r = act(box, partner, order_id, "authorize")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "AUTHORIZED" and r.json()["decideTime"] == box.now()

    polled = authorization(signed, order_id)
    assert (polled["status"], polled["statusCode"]) == ("AUTHORIZED", 1)
    assert polled["expireTime"] == link["linkExpireTime"]
    nets = regexes(signed)
    addresses = polled["depositAddresses"]
    assert [a["network"] for a in addresses] == ["TRX", "BSC", "ETH"]
    for a in addresses:
        assert set(a) == {"depositAddress", "network", "addressTag", "minAmount"}
        assert re.fullmatch(nets["USDT", a["network"]]["addressRegex"], a["depositAddress"])
        assert a["addressTag"] is None and a["minAmount"] == "0.01"

    box.settle()
    received = receiver.find(order_id, "AUTHORIZED")
    assert len(received) == 1
    # Polling gives the same answer as the webhook.
    assert received[0].body == {"webhookEventType": "deposit_status_event", **polled}
    assert received[0].headers["x-bn-connect-for"] == partner.client_id
    assert received[0].event.deposit_addresses[0].deposit_address == addresses[0]["depositAddress"]

    detail = session(box, partner, order_id)
    assert [e["kind"] for e in detail["timeline"]] == ["created", "authorized", "webhook_queued"]
    assert detail["storedStatus"] == "AUTHORIZED" and detail["link"] == link["link"]
    deliveries = box.webhooks(ref=detail["depositId"])
    assert [(d["event"], d["status"]) for d in deliveries] == [("deposit_status_event", "done")]
    box.audit()


def test_addresses_are_stable_per_user_and_network(
    box: Sandbox, signed: Signed, partner: Any, user: str, order_id: str
) -> None:
    def authorized(ref: str, user_id: str, coin: str, networks: tuple[str, ...]) -> list[Any]:
        initiate(signed, ref, user_id, coin=coin, networks=networks)
        assert act(box, partner, ref, "authorize").status_code == 200
        return list(authorization(signed, ref)["depositAddresses"])

    first = authorized(order_id, user, "USDT", ("TRX", "BSC"))
    again = authorized(order_id + "-again", user, "USDT", ("BSC", "TRX"))
    assert {a["network"]: a["depositAddress"] for a in again} == {
        a["network"]: a["depositAddress"] for a in first
    }
    # Per network, not per coin: BNB on BSC goes to the same BSC address.
    bnb = authorized(order_id + "-bnb", user, "BNB", ("BSC",))
    assert bnb[0]["depositAddress"] == first[1]["depositAddress"]
    assert bnb[0]["minAmount"] == "0.00001"
    # The wallet side knows the same address.
    known = box.admin.get(
        f"/sandbox/v1/users/{user}/deposit-address", params={"coin": "USDT", "network": "TRX"}
    ).json()
    assert known["address"] == first[0]["depositAddress"]
    # Another user has their own.
    other = authorized(order_id + "-other", box.create_user(partner), "USDT", ("TRX",))
    assert other[0]["depositAddress"] != first[0]["depositAddress"]


def test_xrp_addresses_carry_a_tag(
    box: Sandbox, signed: Signed, partner: Any, user: str, order_id: str
) -> None:
    xrp = regexes(signed)["XRP", "XRP"]
    tags = []
    for ref, user_id in ((order_id, user), (order_id + "-2", box.create_user(partner))):
        initiate(signed, ref, user_id, coin="XRP", networks=("XRP",))
        act(box, partner, ref, "authorize")
        (address,) = authorization(signed, ref)["depositAddresses"]
        assert re.fullmatch(xrp["addressRegex"], address["depositAddress"])
        assert re.fullmatch(xrp["memoRegex"], address["addressTag"])
        tags.append((address["depositAddress"], address["addressTag"]))
    # One exchange address; the tag tells users apart.
    assert tags[0][0] == tags[1][0] and tags[0][1] != tags[1][1]


def test_reject_is_final_and_sends_the_webhook_without_addresses(
    box: Sandbox,
    signed: Signed,
    partner: Any,
    receiver: ConnectReceiver,
    user: str,
    order_id: str,
) -> None:
    initiate(signed, order_id, user)
    assert act(box, partner, order_id, "reject").status_code == 200
    polled = authorization(signed, order_id)
    assert (polled["status"], polled["statusCode"], polled["depositAddresses"]) == (
        "REJECTED",
        2,
        [],
    )
    box.settle()
    [event] = receiver.find(order_id, "REJECTED")
    assert event.body == {"webhookEventType": "deposit_status_event", **polled}

    for action, target in (("authorize", "AUTHORIZED"), ("reject", "REJECTED")):
        assert control_error(act(box, partner, order_id, action)) == (
            409,
            "1230314",
            f"Deposit session {order_id} is REJECTED and cannot become {target}.",
        )
    assert authorization(signed, order_id) == polled
    assert len(receiver.find(order_id)) == 1


def test_an_authorized_session_cannot_change_again(
    box: Sandbox, signed: Signed, partner: Any, user: str, order_id: str
) -> None:
    initiate(signed, order_id, user)
    act(box, partner, order_id, "authorize")
    before = authorization(signed, order_id)
    for action, target in (("reject", "REJECTED"), ("authorize", "AUTHORIZED")):
        assert control_error(act(box, partner, order_id, action)) == (
            409,
            "1230314",
            f"Deposit session {order_id} is AUTHORIZED and cannot become {target}.",
        )
    # Nor does its link expire it later.
    box.advance(TTL + 1)
    assert authorization(signed, order_id) == before


def test_a_session_expires_on_the_sandbox_clock(
    box: Sandbox,
    signed: Signed,
    partner: Any,
    receiver: ConnectReceiver,
    user: str,
    order_id: str,
) -> None:
    link = initiate(signed, order_id, user)
    box.advance(TTL - 1)
    assert authorization(signed, order_id)["status"] == "INIT"
    box.advance(1)
    assert box.now() == link["linkExpireTime"]
    polled = authorization(signed, order_id)
    assert (polled["status"], polled["statusCode"], polled["depositAddresses"]) == (
        "EXPIRED",
        3,
        [],
    )
    [event] = receiver.find(order_id, "EXPIRED")
    assert event.body == {"webhookEventType": "deposit_status_event", **polled}
    assert session(box, partner, order_id)["storedStatus"] == "EXPIRED"

    assert control_error(act(box, partner, order_id, "authorize")) == (
        409,
        "1230314",
        f"Deposit session {order_id} is EXPIRED and cannot become AUTHORIZED.",
    )
    assert signed.fail(
        "/deposit/report", {"externalOrderId": order_id, "txHash": "0x01"}, "1230314"
    ) == (f"Deposit session {order_id} is EXPIRED; only an AUTHORIZED session takes a report.")
    assert len(receiver.find(order_id)) == 1
    box.audit()


def test_expiry_is_seen_before_the_expiry_job_runs(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    """Without a worker nothing runs on the clock; reads and the user's answer still see
    the link's expiry, and the answer records it (with its webhook queued). This server's
    links live 2 minutes (`deposit_link_ttl_ms`)."""
    quiet = make_sandbox("deposit-noworker", embedded_worker=False, deposit_link_ttl_ms=120_000)
    partner = quiet.create_partner(webhookUrl="http://127.0.0.1:9/unused")
    user = quiet.create_user(partner)
    with httpx.Client(base_url=quiet.url, timeout=30) as http:
        signed = Signed(http, partner)
        link = initiate(signed, "late-1", user)
        assert link["linkExpireTime"] == quiet.now() + 120_000  # the configured lifetime
        quiet.advance(120_000, settle=False)
        assert authorization(signed, "late-1")["status"] == "EXPIRED"
        detail = session(quiet, partner, "late-1")
        assert (detail["status"], detail["storedStatus"]) == ("EXPIRED", "INIT")
        listed = quiet.admin.get("/sandbox/v1/deposits", params={"status": "EXPIRED"}).json()
        assert [d["externalOrderId"] for d in listed] == ["late-1"]
        assert quiet.admin.get("/sandbox/v1/deposits", params={"status": "INIT"}).json() == []

        assert control_error(act(quiet, partner, "late-1", "authorize")) == (
            409,
            "1230314",
            "Deposit session late-1 is EXPIRED and cannot become AUTHORIZED.",
        )
        assert session(quiet, partner, "late-1")["storedStatus"] == "EXPIRED"
        (queued,) = quiet.webhooks(ref=detail["depositId"])
        assert queued["status"] == "pending" and '"status":"EXPIRED"' in queued["body"]


def test_the_first_report_wins(
    box: Sandbox, signed: Signed, partner: Any, user: str, order_id: str
) -> None:
    initiate(signed, order_id, user)
    act(box, partner, order_id, "authorize")
    first = {
        "externalOrderId": order_id,
        "txHash": "0x" + "1" * 64,
        "amount": "25.50",
        "cryptoCurrency": "USDT",
        "network": "BSC",
    }
    assert signed.ok("/deposit/report", first) is None
    assert signed.ok("/deposit/report", {**first, "txHash": "0x" + "2" * 64}) is None
    assert signed.ok("/deposit/report", {"externalOrderId": order_id, "txHash": "abc"}) is None
    detail = session(box, partner, order_id)
    assert detail["report"] == {
        "txHash": "0x" + "1" * 64,
        "amount": "25.5",
        "cryptoCurrency": "USDT",
        "network": "BSC",
        "reportTime": box.now(),
        "chainStatus": None,  # no such transfer on the sandbox's chain
    }
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds.count("reported") == 1 and kinds.count("report_ignored") == 2
    # A report needs only the id and the hash.
    other = order_id + "-min"
    initiate(signed, other, user)
    act(box, partner, other, "authorize")
    assert signed.ok("/deposit/report", {"externalOrderId": other, "txHash": "f00d"}) is None
    assert session(box, partner, other)["report"]["amount"] is None


def test_a_partner_without_a_webhook_url_polls(box: Sandbox, order_id: str) -> None:
    quiet = box.create_partner(name="Polling Wallet")
    user = box.create_user(quiet)
    with httpx.Client(base_url=box.url, timeout=30) as http:
        signed = Signed(http, quiet)
        initiate(signed, order_id, user)
        act(box, quiet, order_id, "authorize")
        assert authorization(signed, order_id)["status"] == "AUTHORIZED"
    detail = session(box, quiet, order_id)
    assert [e["kind"] for e in detail["timeline"]][-1] == "webhook_skipped"
    assert box.webhooks(ref=detail["depositId"]) == []


def test_the_control_api_lists_and_refuses_clearly(
    box: Sandbox, signed: Signed, partner: Any, user: str, order_id: str
) -> None:
    initiate(signed, order_id, user, redirectUrl="trustwallet://deposit/done")
    act(box, partner, order_id, "reject")
    listed = box.admin.get(
        "/sandbox/v1/deposits",
        params={"partnerClientId": partner.client_id, "status": "REJECTED", "userId": user},
    ).json()
    assert [d["externalOrderId"] for d in listed] == [order_id]
    assert listed[0]["redirectUrl"] == "trustwallet://deposit/done"
    assert listed[0]["partnerClientId"] == partner.client_id

    bad_status = box.admin.get("/sandbox/v1/deposits", params={"status": "DONE"})
    assert control_error(bad_status) == (
        400,
        "INVALID",
        "status must be INIT, AUTHORIZED, REJECTED or EXPIRED.",
    )
    assert control_error(act(box, partner, "nope", "authorize")) == (
        404,
        "NOT_FOUND",
        f"No deposit session nope of partner {partner.client_id}.",
    )
    missing = box.admin.post(f"/sandbox/v1/deposits/{order_id}/authorize", json={})
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "INVALID"
    unknown_partner = box.admin.get(
        f"/sandbox/v1/deposits/{order_id}", params={"partnerClientId": "nobody"}
    )
    assert control_error(unknown_partner) == (
        404,
        "NOT_FOUND",
        f"No deposit session {order_id} of partner nobody.",
    )
    assert httpx.get(f"{box.url}/sandbox/v1/deposits").status_code == 401


def test_racing_answers_leave_one_outcome(
    box: Sandbox,
    signed: Signed,
    partner: Any,
    receiver: ConnectReceiver,
    user: str,
    order_id: str,
) -> None:
    initiate(signed, order_id, user)
    actions = ["authorize", "reject"] * 4
    with ThreadPoolExecutor(len(actions)) as pool:
        statuses = list(pool.map(lambda a: act(box, partner, order_id, a).status_code, actions))
    assert sorted(statuses) == [200] + [409] * (len(actions) - 1)
    final = authorization(signed, order_id)["status"]
    assert final in ("AUTHORIZED", "REJECTED")
    box.settle()
    assert [r.event.status for r in receiver.find(order_id)] == [final]
