"""`/sandbox/v1/faults`, `/sandbox/v1/scenarios`, `/sandbox/v1/reset` (docs/faults.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from binance_sandbox.control.deps import require_admin
from binance_sandbox.control.errors import CONTROL
from binance_sandbox.faults import reset as resets
from binance_sandbox.faults.rules import FaultBook
from binance_sandbox.faults.scenarios import catalogue, run_scenario
from binance_sandbox.faults.scenarios_common import ScenarioContext
from binance_sandbox.faults.schemas import FaultCreate, Reset
from binance_sandbox.faults.service import create_rule, delete_rule, list_rules
from binance_sandbox.platform import Platform
from binance_sandbox.web import openapi_body, parse_model

router = APIRouter(
    prefix="/sandbox/v1",
    route_class=CONTROL.route_class,
    tags=["Sandbox control"],
    dependencies=[Depends(require_admin)],
)


def _book(request: Request) -> FaultBook:
    book: FaultBook = request.app.state.faults
    return book


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


@router.post("/faults", openapi_extra=openapi_body(FaultCreate), status_code=201)
async def create_fault(request: Request) -> dict[str, Any]:
    req = parse_model(FaultCreate, await request.body())
    return await create_rule(_book(request), req, now_ms=_platform(request).clock.now_ms())


@router.get("/faults")
async def list_faults(request: Request) -> list[dict[str, Any]]:
    return await list_rules(_book(request))


@router.delete("/faults/{fault_id}")
async def delete_fault(fault_id: str, request: Request) -> dict[str, Any]:
    return await delete_rule(_book(request), fault_id)


@router.get("/scenarios")
async def scenarios() -> list[dict[str, str]]:
    return catalogue()


def scenario_context(request: Request) -> ScenarioContext:
    """What a scenario runs with: this process's services (the console calls this too)."""
    state = request.app.state
    return ScenarioContext(
        platform=state.platform,
        clocks=state.clocks,
        partners=state.partners,
        partner_admin=state.partner_admin,
        users=state.user_admin,
        pay_admin=state.pay_admin,
        prime_trading=state.prime_trading,
        pay_orders=state.pay_orders,
        pay_checkout=state.pay_checkout,
        pay_refunds=state.pay_refunds,
        deposit_sessions=state.deposit_sessions,
        merchants=state.merchants,
        faults=state.faults,
        chain_withdrawals=state.chain_withdrawals,
        wapi=state.wapi,
        base_url=str(request.base_url),
    )


@router.post("/scenarios/{name}", status_code=201)
async def run(name: str, request: Request) -> dict[str, Any]:
    return await run_scenario(name, scenario_context(request))


async def reset_sandbox(request: Request, partner_client_id: str | None) -> dict[str, Any]:
    """Everything (None), or one partner's data; with it go its fault rules and whatever this
    process caches of the deleted credentials. The console resets through this too."""
    platform = _platform(request)
    state = request.app.state
    if partner_client_id is None:
        result = await resets.reset_all(platform)
        await _book(request).clear()
        await state.chain_networks.refresh()
        state.partners.invalidate()
        state.merchants.invalidate()
        state.wapi.keys.invalidate()
    else:
        result = await resets.reset_partner(platform, partner_client_id)
        await _book(request).clear(partner_client_id)
        state.partners.invalidate()
        state.wapi.keys.invalidate()
    return result


@router.post("/reset", openapi_extra=openapi_body(Reset))
async def reset(request: Request) -> dict[str, Any]:
    req = parse_model(Reset, await request.body())
    return await reset_sandbox(request, req.partnerClientId)
