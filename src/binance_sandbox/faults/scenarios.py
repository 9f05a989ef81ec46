"""Named scenarios: one call sets up a whole situation and answers what it made.

Each scenario goes through the same services the API uses, so what it makes is exactly what
an integrator's own calls would have made. Scenarios that need time to pass move the sandbox
clock (for every caller of this sandbox: run them on a sandbox of your own).
"""

from __future__ import annotations

from typing import Any

from binance_sandbox.admin_errors import NotFound
from binance_sandbox.faults.scenarios_common import Scenario, ScenarioContext
from binance_sandbox.faults.scenarios_connect import CONNECT_SCENARIOS
from binance_sandbox.faults.scenarios_pay import PAY_WALLET_SCENARIOS

_ORDER = (
    "buy-fiat-never-arrives",
    "quote-expires-before-execute",
    "partial-refunds-until-full",
    "deposit-link-expires",
    "sell-transfer-fails-then-succeeds",
    "webhook-receiver-down",
    "withdrawal-rejected",
    "pay-order-expires",
)
# The catalogue lists them in this order, whichever module holds them.
_BY_NAME = {s.name: s for s in (*CONNECT_SCENARIOS, *PAY_WALLET_SCENARIOS)}
SCENARIOS: dict[str, Scenario] = {name: _BY_NAME[name] for name in _ORDER}


def catalogue() -> list[dict[str, str]]:
    return [{"name": s.name, "description": s.description} for s in SCENARIOS.values()]


async def run_scenario(name: str, ctx: ScenarioContext) -> dict[str, Any]:
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise NotFound(f"No scenario {name}; see GET /sandbox/v1/scenarios.")
    return {"scenario": name, **await scenario.run(ctx)}
