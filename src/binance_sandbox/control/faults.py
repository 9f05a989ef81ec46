"""`/sandbox/v1/faults`, `/sandbox/v1/scenarios`, `/sandbox/v1/reset` (docs/faults.md)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from binance_sandbox.control.errors import CONTROL, NotFound
from binance_sandbox.control.routes import require_admin
from binance_sandbox.faults import reset as resets
from binance_sandbox.faults.rules import FaultBook
from binance_sandbox.faults.scenarios import ScenarioContext, catalogue, run_scenario
from binance_sandbox.faults.schemas import FaultCreate, Reset
from binance_sandbox.faults.service import checked_action
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
    action = checked_action(req)
    rule = _book(request).add(
        family=req.family,
        scope=req.scope,
        endpoint=req.endpoint,
        action=action,
        count=req.count,
        share=req.share,
        now=_platform(request).clock.now_ms(),
    )
    return rule.out()


@router.get("/faults")
async def list_faults(request: Request) -> list[dict[str, Any]]:
    return [rule.out() for rule in _book(request).rules.values()]


@router.delete("/faults/{fault_id}")
async def delete_fault(fault_id: str, request: Request) -> dict[str, Any]:
    rule = _book(request).remove(fault_id)
    if rule is None:
        raise NotFound(f"No fault rule {fault_id}.")
    return {**rule.out(), "deleted": True}


@router.get("/scenarios")
async def scenarios() -> list[dict[str, str]]:
    return catalogue()


@router.post("/scenarios/{name}", status_code=201)
async def run(name: str, request: Request) -> dict[str, Any]:
    state = request.app.state
    ctx = ScenarioContext(
        platform=state.platform,
        control=state.control,
        prime=state.prime,
        pay=state.pay,
        deposit=state.deposit,
        merchants=state.merchants,
        faults=state.faults,
        base_url=str(request.base_url),
    )
    return await run_scenario(name, ctx)


@router.post("/reset", openapi_extra=openapi_body(Reset))
async def reset(request: Request) -> dict[str, Any]:
    req = parse_model(Reset, await request.body())
    platform = _platform(request)
    state = request.app.state
    if req.partnerClientId is None:
        result = await resets.reset_all(platform)
        _book(request).clear()
        state.merchants.invalidate()
        state.wapi.keys.invalidate()
    else:
        result = await resets.reset_partner(platform, req.partnerClientId)
        _book(request).clear(req.partnerClientId)
        state.wapi.keys.invalidate()
    return result
