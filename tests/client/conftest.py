"""Fixtures for the SDK tests; the fakes they use are in sdk_connect_fakes.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sdk_connect_fakes import ACCESS_TOKEN, BASE_URL, CLIENT_ID, FakeClock, FakePrime, FakeSleep

from binance_sandbox.client import AsyncConnectPrimeClient, ConnectPrimeClient
from binance_sandbox.signing import generate_private_key


@pytest.fixture(scope="session")
def partner_key() -> rsa.RSAPrivateKey:
    return generate_private_key(1024)


@pytest.fixture(scope="session")
def platform_key() -> rsa.RSAPrivateKey:
    """The platform's webhook key (its public half is the partner's `webhookPublicKey`)."""
    return generate_private_key(1024)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleep(clock: FakeClock) -> FakeSleep:
    return FakeSleep(clock)


@pytest.fixture
def prime(partner_key: rsa.RSAPrivateKey) -> FakePrime:
    return FakePrime(partner_key.public_key())


@pytest.fixture
def client(
    prime: FakePrime, partner_key: rsa.RSAPrivateKey, clock: FakeClock, sleep: FakeSleep
) -> Iterator[ConnectPrimeClient]:
    with ConnectPrimeClient(
        BASE_URL,
        CLIENT_ID,
        ACCESS_TOKEN,
        partner_key,
        transport=httpx.MockTransport(prime.handle),
        clock=clock,
        sleep=sleep,
    ) as connect:
        yield connect


@pytest.fixture
async def async_client(
    prime: FakePrime, partner_key: rsa.RSAPrivateKey, clock: FakeClock, sleep: FakeSleep
) -> AsyncIterator[AsyncConnectPrimeClient]:
    async with AsyncConnectPrimeClient(
        BASE_URL,
        CLIENT_ID,
        ACCESS_TOKEN,
        partner_key,
        transport=httpx.MockTransport(prime.handle),
        clock=clock,
        sleep=sleep.asleep,
    ) as connect:
        yield connect
