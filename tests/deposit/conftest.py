"""Fixtures for Connect Deposit: a server per module (these tests move its clock), a partner
whose webhooks a verifying receiver takes, the SDK client and hand-signed requests."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from deposit_support import ConnectReceiver, Signed

from binance_sandbox.client import ConnectDepositClient
from sandbox_harness import Sandbox


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox("deposit")


@pytest.fixture(scope="module")
def receiver() -> Iterator[ConnectReceiver]:
    r = ConnectReceiver().start()
    yield r
    r.stop()


@pytest.fixture(scope="module")
def partner(box: Sandbox, receiver: ConnectReceiver) -> Any:
    created = box.create_partner(name="Trusty Wallet", webhookUrl=f"{receiver.url}/webhooks")
    receiver.public_key, receiver.client_id = created.webhook_public_key, created.client_id
    return created


@pytest.fixture
def user(box: Sandbox, partner: Any) -> str:
    return box.create_user(partner)


@pytest.fixture(scope="module")
def client(box: Sandbox, partner: Any) -> Iterator[ConnectDepositClient]:
    with ConnectDepositClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    ) as c:
        yield c


@pytest.fixture(scope="module")
def signed(box: Sandbox, partner: Any) -> Iterator[Signed]:
    with httpx.Client(base_url=box.url, timeout=30) as http:
        yield Signed(http, partner)


_orders = itertools.count(1)


@pytest.fixture
def order_id(request: pytest.FixtureRequest) -> str:
    """A fresh externalOrderId for each test."""
    return f"dep-{request.node.name[:30]}-{next(_orders)}".replace("[", "-").replace("]", "")
