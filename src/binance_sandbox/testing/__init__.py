"""Testing an integration against the sandbox in process: a pytest plugin
(docs/integration-testing.md).

Installed with binance-sandbox, the plugin (`binance_sandbox.testing.plugin`, entry point
`pytest11`) gives tests a server on a loopback port (`binance_sandbox`), a test clock of
their own (`binance_clock`), factories of partners, merchants and users with ready SDK
clients (`binance_partner`, `binance_merchant`, `binance_user`) and the webhooks they were
sent (`binance_webhooks`). The types are importable from here, for annotations; they are
loaded on first use, so that the plugin does not import the server into every test run.
`running_sandbox` starts the same server outside pytest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from binance_sandbox.testing.receiver import Webhook, Webhooks
    from binance_sandbox.testing.server import (
        BinanceSandbox,
        ControlApiError,
        NotSettled,
        running_sandbox,
    )
    from binance_sandbox.testing.tenants import (
        Merchant,
        MerchantFactory,
        Partner,
        PartnerFactory,
        TestClock,
        User,
        UserFactory,
    )

_WHERE = {
    "BinanceSandbox": "server",
    "ControlApiError": "server",
    "NotSettled": "server",
    "running_sandbox": "server",
    "Merchant": "tenants",
    "MerchantFactory": "tenants",
    "Partner": "tenants",
    "PartnerFactory": "tenants",
    "TestClock": "tenants",
    "User": "tenants",
    "UserFactory": "tenants",
    "Webhook": "receiver",
    "Webhooks": "receiver",
}

__all__ = [
    "BinanceSandbox",
    "ControlApiError",
    "Merchant",
    "MerchantFactory",
    "NotSettled",
    "Partner",
    "PartnerFactory",
    "TestClock",
    "User",
    "UserFactory",
    "Webhook",
    "Webhooks",
    "running_sandbox",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
