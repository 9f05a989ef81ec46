"""Fixtures for Connect Prime: a partner with a user, the SDK client, hand-signed requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prime_support import Signed

from binance_sandbox.client import ConnectPrimeClient


@pytest.fixture(scope="module")
def partner(sandbox: Any) -> Any:
    return sandbox.create_partner(customSpreadMin="0", customSpreadMax="0.02")


@pytest.fixture(scope="module")
def user(sandbox: Any, partner: Any) -> str:
    return str(sandbox.create_user(partner))


@pytest.fixture(scope="module")
def client(sandbox: Any, partner: Any) -> Iterator[ConnectPrimeClient]:
    with ConnectPrimeClient(
        sandbox.url, partner.client_id, partner.access_token, partner.private_key
    ) as c:
        yield c


@pytest.fixture(scope="module")
def signed(sandbox: Any, partner: Any) -> Iterator[Signed]:
    with httpx.Client(base_url=sandbox.url, timeout=30) as http:
        yield Signed(http, partner)
