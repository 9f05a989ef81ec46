"""The pytest plugin, loaded through the `pytest11` entry point once binance-sandbox is
installed (docs/integration-testing.md).

Fixtures (scope):
- `binance_sandbox` (a module, configurable): `BinanceSandbox`, the server — `url`,
  `admin_token`, `admin` (a client of the control API), `settle()`;
- `binance_clock` (a test): `TestClock`, the test's own test clock — `advance(ms)`, `settle()`;
- `binance_webhooks` (a test): `Webhooks`, what the test's tenants were sent — `find`, `one`;
- `binance_partner`, `binance_merchant`, `binance_user` (a test): factories of `Partner`,
  `Merchant` and `User`, with their credentials and ready SDK clients;
- `binance_sandbox_settings` (the session): the server's settings over the plugin's.

The server's scope is the ini option `binance_sandbox_scope` or the command-line option
`--binance-sandbox-scope`: `function`, `class`, `module` (the default), `package` or
`session`. Tests sharing a server do not disturb each other: each has its own test clock and
inbox. This module imports the server only when a test asks for it, so that the plugin costs
nothing to test runs that do not use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal, cast

import pytest

if TYPE_CHECKING:
    from binance_sandbox.testing.receiver import Webhooks
    from binance_sandbox.testing.server import BinanceSandbox
    from binance_sandbox.testing.tenants import (
        MerchantFactory,
        PartnerFactory,
        Tenants,
        TestClock,
        UserFactory,
    )

ScopeName = Literal["session", "package", "module", "class", "function"]
SCOPES: tuple[ScopeName, ...] = ("function", "class", "module", "package", "session")
SCOPE_INI = "binance_sandbox_scope"
SCOPE_DEST = "binance_sandbox_scope"
DEFAULT_SCOPE: ScopeName = "module"
# What the control API keeps of a test clock's name.
CLOCK_NAME_MAX = 200


def pytest_addoption(parser: pytest.Parser) -> None:
    scopes = ", ".join(SCOPES)
    parser.addini(
        SCOPE_INI,
        f"how long one binance_sandbox server lives: {scopes} (default {DEFAULT_SCOPE})",
        default=DEFAULT_SCOPE,
    )
    group = parser.getgroup("binance-sandbox", "the binance-sandbox plugin")
    group.addoption(
        "--binance-sandbox-scope",
        dest=SCOPE_DEST,
        choices=SCOPES,
        default=None,
        help=f"how long one binance_sandbox server lives (over the ini option {SCOPE_INI})",
    )


def pytest_configure(config: pytest.Config) -> None:
    server_scope(config)  # a wrong ini value is a usage error before any test runs


def server_scope(config: pytest.Config) -> ScopeName:
    value = config.getoption(SCOPE_DEST) or config.getini(SCOPE_INI)
    if value not in SCOPES:
        raise pytest.UsageError(f"{SCOPE_INI} is {value!r}; use one of {', '.join(SCOPES)}")
    return cast(ScopeName, value)


def _scope(fixture_name: str, config: pytest.Config) -> ScopeName:
    return server_scope(config)


@pytest.fixture(scope="session")
def binance_sandbox_settings() -> dict[str, Any]:
    """Settings of the `binance_sandbox` server over the plugin's: `Settings` fields of
    `binance_sandbox.config` (`quote_ttl_ms`, `deposit_link_ttl_ms`, `database_url`, …).
    Override this fixture, session-scoped, in your root conftest.py."""
    return {}


@pytest.fixture(scope=_scope)
def binance_sandbox(
    binance_sandbox_settings: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BinanceSandbox]:
    """The sandbox, in process, on a free loopback port with a temporary SQLite database:
    `url`, `admin_token`, `admin` (an httpx client of the control API), `settle()`. Lives
    for the scope `binance_sandbox_scope` says (a module, by default)."""
    from binance_sandbox.testing.server import running_sandbox

    directory = tmp_path_factory.mktemp("binance-sandbox")
    with running_sandbox(directory, **binance_sandbox_settings) as box:
        yield box


@pytest.fixture
def binance_clock(binance_sandbox: BinanceSandbox, request: pytest.FixtureRequest) -> TestClock:
    """The test's own test clock, starting at the sandbox's time; the factories put their
    tenants on it. `advance(ms)` moves it on and answers when everything due has run."""
    from binance_sandbox.testing.server import control
    from binance_sandbox.testing.tenants import TestClock

    name = request.node.nodeid[-CLOCK_NAME_MAX:]
    raw = control(binance_sandbox.admin.post("/sandbox/v1/test-clocks", json={"name": name}), 201)
    return TestClock(raw["id"], raw["name"], binance_sandbox.admin)


@pytest.fixture
def binance_webhooks(binance_sandbox: BinanceSandbox) -> Webhooks:
    """The webhooks the test's tenants were sent, as the plugin's receiver got them."""
    return binance_sandbox.receiver.inbox()


@pytest.fixture
def _binance_tenants(
    binance_sandbox: BinanceSandbox, binance_clock: TestClock, binance_webhooks: Webhooks
) -> Iterator[Tenants]:
    from binance_sandbox.testing.tenants import Tenants

    tenants = Tenants(binance_sandbox, binance_clock, binance_webhooks)
    yield tenants
    tenants.close()


@pytest.fixture
def binance_partner(_binance_tenants: Tenants) -> PartnerFactory:
    """Makes Connect partners: `binance_partner(**fields)` → `Partner` with its RSA key,
    credentials, and `prime` and `deposit` clients."""
    from binance_sandbox.testing.tenants import PartnerFactory

    return PartnerFactory(_binance_tenants)


@pytest.fixture
def binance_merchant(_binance_tenants: Tenants) -> MerchantFactory:
    """Makes Binance Pay merchants: `binance_merchant(**fields)` → `Merchant` with its
    `api_key`, `api_secret` and `pay` client."""
    from binance_sandbox.testing.tenants import MerchantFactory

    return MerchantFactory(_binance_tenants)


@pytest.fixture
def binance_user(_binance_tenants: Tenants) -> UserFactory:
    """Makes users: `binance_user(partner=…, balances={"ETH": "2"})` → `User` with a Wallet
    API key and its `wallet` client."""
    from binance_sandbox.testing.tenants import UserFactory

    return UserFactory(_binance_tenants)
