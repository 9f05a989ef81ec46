"""Fixtures for the Wallet API: a sandbox per module (its frozen minute is not shared with
other families' tests, and its weight limit is out of the way; rate limits are tested on
servers with small limits), users with API keys, signed requests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from wallet_support import Key, Signed, create_key

from sandbox_harness import Sandbox


@pytest.fixture(scope="module")
def box(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox(
        "wallet", wallet_ip_weight_per_minute=1_000_000, wallet_key_weight_per_minute=1_000_000
    )


@pytest.fixture(scope="module")
def http(box: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=box.url, timeout=30) as client:
        yield client


@pytest.fixture
def key(box: Sandbox) -> Key:
    return create_key(box, box.create_user())


@pytest.fixture
def signed(box: Sandbox, http: httpx.Client, key: Key) -> Signed:
    return Signed(http, box, key)


@pytest.fixture
def signer(box: Sandbox, http: httpx.Client) -> Callable[..., Signed]:
    """Signed requests for a new user's key (with the given control-API key fields)."""

    def make(user_id: str | None = None, **fields: Any) -> Signed:
        return Signed(http, box, create_key(box, user_id or box.create_user(), **fields))

    return make
