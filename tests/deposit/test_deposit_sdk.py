"""The SDK's Connect Deposit clients (sync and async) against the real server: typed answers,
the polling fallback of flow step 4, errors by code, and `deposit_status_event` verification."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest
from deposit_support import ConnectReceiver, act

from binance_sandbox.client import (
    AsyncConnectDepositClient,
    AuthorizationTimeout,
    ConnectDepositClient,
    ConnectWebhookVerifier,
    DepositAuthorization,
    DepositStatus,
    DuplicateOrderSubmission,
    IllegalParameters,
    InvalidOrderStatus,
    WaitTimeout,
    WebhookVerificationError,
    verify_deposit_status_event,
)
from binance_sandbox.signing import generate_private_key, public_key_to_der_b64
from sandbox_harness import Sandbox


def test_the_flow_with_the_sync_client(
    box: Sandbox, client: ConnectDepositClient, partner: Any, user: str, order_id: str
) -> None:
    networks = client.crypto_networks()
    usdt = next(c for c in networks if c.crypto_currency == "USDT")
    trx = next(n for n in usdt.networks if n.network == "TRX")
    assert trx.deposit_dust == Decimal("0.01") and trx.withdraw_fee == Decimal(1)
    assert trx.deposit_enable and trx.address_regex.startswith("^T")

    link = client.initiate_deposit(
        order_id, user_id=user, crypto_currency="USDT", networks=["TRX", "BSC"]
    )
    assert link.link.startswith(f"{box.url}/connect/deposit/")
    assert link.link_expire_time == box.now() + 15 * 60_000

    pending = client.authorization(order_id)
    assert pending.status is DepositStatus.INIT and pending.status_code == 0
    assert pending.deposit_addresses == [] and pending.networks == ["TRX", "BSC"]

    act(box, partner, order_id, "authorize")
    done = client.wait_for_authorization(order_id, interval=0.01, timeout=5)
    assert done.status is DepositStatus.AUTHORIZED and done.status.code == 1
    assert [a.network for a in done.deposit_addresses] == ["TRX", "BSC"]
    assert done.deposit_addresses[0].min_amount == Decimal("0.01")
    assert done.deposit_addresses[0].address_tag is None

    assert (
        client.report(
            order_id,
            "0x" + "c" * 64,
            amount=Decimal("12.5"),
            crypto_currency="USDT",
            network="BSC",
        )
        is None
    )


def test_wait_for_authorization_polls_every_interval(
    box: Sandbox, partner: Any, user: str, order_id: str
) -> None:
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:  # the user answers while the partner waits
            act(box, partner, order_id, "reject")

    with ConnectDepositClient(
        box.url, partner.client_id, partner.access_token, partner.private_key, sleep=sleep
    ) as waiting:
        waiting.initiate_deposit(order_id, user_id=user, crypto_currency="BTC", networks=["BTC"])
        found = waiting.wait_for_authorization(order_id)
    assert sleeps == [2.5, 2.5]  # flow step 4: every 2-3 s
    assert found.status is DepositStatus.REJECTED and found.deposit_addresses == []


def test_wait_for_authorization_gives_up_at_its_timeout(
    box: Sandbox, partner: Any, user: str, order_id: str
) -> None:
    # A clock that moves only when the client sleeps (and stays near real time, which the
    # request timestamps are checked against).
    now = [int(time.time() * 1000)]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += round(seconds * 1000)

    with ConnectDepositClient(
        box.url,
        partner.client_id,
        partner.access_token,
        partner.private_key,
        sleep=sleep,
        clock=lambda: now[0],
    ) as waiting:
        waiting.initiate_deposit(order_id, user_id=user, crypto_currency="ETH", networks=["ETH"])
        with pytest.raises(AuthorizationTimeout) as raised:
            waiting.wait_for_authorization(order_id, timeout=6, interval=2.5)
    assert sleeps == [2.5, 2.5, 1.0]
    error = raised.value
    assert isinstance(error, WaitTimeout)
    assert str(error) == f"deposit session {order_id} was still INIT after 6 s"
    assert error.external_order_id == order_id
    assert error.authorization.status is DepositStatus.INIT


def test_errors_are_typed(
    client: ConnectDepositClient, box: Sandbox, user: str, order_id: str
) -> None:
    client.initiate_deposit(order_id, user_id=user, crypto_currency="SOL", networks=["SOL"])
    with pytest.raises(DuplicateOrderSubmission) as duplicate:
        client.initiate_deposit(order_id, user_id=user, crypto_currency="SOL", networks=["SOL"])
    assert duplicate.value.code == "1230309"
    assert duplicate.value.data == {"externalOrderId": order_id, "status": "INIT"}
    with pytest.raises(InvalidOrderStatus) as early:
        client.report(order_id, "abc")
    assert early.value.message == (
        f"Deposit session {order_id} is INIT; only an AUTHORIZED session takes a report."
    )
    with pytest.raises(IllegalParameters) as unknown:
        client.authorization("missing-id")
    assert unknown.value.message == "Deposit session missing-id does not exist."
    with pytest.raises(TypeError):
        client.initiate_deposit("x", user_id=user, crypto_currency="USDT", networks="TRX")
    with pytest.raises(TypeError):
        client.report(order_id, "abc", amount=1.5)  # type: ignore[arg-type]


async def test_the_flow_with_the_async_client(
    box: Sandbox, partner: Any, user: str, order_id: str
) -> None:
    async with AsyncConnectDepositClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    ) as client:
        assert len(await client.crypto_networks()) == 6
        link = await client.initiate_deposit(
            order_id,
            user_id=user,
            crypto_currency="XRP",
            networks=["XRP"],
            redirect_url="https://wallet.example/back",
        )
        assert link.link_expire_time == box.now() + 15 * 60_000
        assert (await client.authorization(order_id)).status is DepositStatus.INIT
        act(box, partner, order_id, "authorize")
        done = await client.wait_for_authorization(order_id, interval=0.01, timeout=5)
        (address,) = done.deposit_addresses
        assert address.address_tag is not None and address.address_tag.isdigit()
        await client.report(order_id, "A" * 64, amount="20", network="XRP")


def test_the_webhook_verifies_with_the_partner_key(
    box: Sandbox, receiver: ConnectReceiver, partner: Any, user: str, order_id: str
) -> None:
    with ConnectDepositClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    ) as client:
        client.initiate_deposit(order_id, user_id=user, crypto_currency="USDT", networks=["TRX"])
        act(box, partner, order_id, "authorize")
        polled = client.authorization(order_id)
    box.settle()
    [received] = receiver.find(order_id)
    verifier = ConnectWebhookVerifier(partner.webhook_public_key, client_id=partner.client_id)
    event = verify_deposit_status_event(verifier, received.raw, received.headers)
    assert event.webhook_event_type == "deposit_status_event"
    assert event.external_order_id == order_id and event.status is DepositStatus.AUTHORIZED
    assert DepositAuthorization.model_validate(event.model_dump()) == polled

    tampered = received.raw.replace(b"AUTHORIZED", b"REJECTED")
    with pytest.raises(WebhookVerificationError, match="signature does not verify"):
        verify_deposit_status_event(verifier, tampered, received.headers)
    stranger = ConnectWebhookVerifier(
        public_key_to_der_b64(generate_private_key(1024).public_key())
    )
    with pytest.raises(WebhookVerificationError, match="signature does not verify"):
        verify_deposit_status_event(stranger, received.raw, received.headers)
    someone_else = ConnectWebhookVerifier(partner.webhook_public_key, client_id="another")
    with pytest.raises(WebhookVerificationError, match="X-BN-Connect-For"):
        verify_deposit_status_event(someone_else, received.raw, received.headers)
    assert receiver.refused == []
