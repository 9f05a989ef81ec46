"""Fixtures for faults and scenarios: a sandbox per module (fault rules and clock moves stay
here), a partner with a user and the SDK client, and a webhook receiver."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from faults_support import Receiver

from binance_sandbox.client import ConnectPrimeClient
from sandbox_harness import PartnerCreds, Sandbox


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox("faults")


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def partner(box: Sandbox, receiver: Receiver) -> PartnerCreds:
    return box.create_partner(customSpreadMax="0.02", webhookUrl=f"{receiver.url}/hook")


@pytest.fixture
def user(box: Sandbox, partner: PartnerCreds) -> str:
    return box.create_user(partner)


@pytest.fixture
def prime(box: Sandbox, partner: PartnerCreds) -> Iterator[ConnectPrimeClient]:
    with ConnectPrimeClient(
        box.url, partner.client_id, partner.access_token, partner.private_key
    ) as client:
        yield client
