"""`/sandbox/v1/clock`, `/settle`, `/test-clocks`, `/webhooks`, `/requests`, `/ledger/audit`,
`/credentials`: the sandbox's own machinery — its clocks, webhook deliveries, the request log,
the ledger's audit, and every family's credentials in one place (docs/console.md,
"Credentials shown once")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query, Request

from binance_sandbox.control import schemas as s
from binance_sandbox.control.credentials import KINDS
from binance_sandbox.control.deps import (
    Clocks,
    Creds,
    Deliveries,
    PlatformDep,
    RequestLog,
    body,
    control_router,
)
from binance_sandbox.control.errors import Invalid
from binance_sandbox.ledger.audit import audit
from binance_sandbox.web import openapi_body

router = control_router()


@router.get("/clock")
async def get_clock(clocks: Clocks) -> dict[str, Any]:
    return clocks.clock_out()


@router.post("/clock/advance", openapi_extra=openapi_body(s.ClockAdvance))
async def advance_clock(request: Request, clocks: Clocks) -> dict[str, Any]:
    """Move the clock on and answer once every event due on the way has run, in order."""
    req = await body(request, s.ClockAdvance)
    return await clocks.advance(req.ms, req.timeoutMs, settle=req.settle)


@router.post("/clock", openapi_extra=openapi_body(s.ClockSet))
async def set_clock(request: Request, clocks: Clocks) -> dict[str, Any]:
    """Freeze or release the clock, or move it to a later `nowMs`, settling as an advance."""
    req = await body(request, s.ClockSet)
    return await clocks.move(
        frozen=req.frozen, now_ms=req.nowMs, timeout_ms=req.timeoutMs, settle=req.settle
    )


@router.post("/settle", openapi_extra=openapi_body(s.Settle))
async def settle(request: Request, clocks: Clocks) -> dict[str, Any]:
    """Wait (bounded) until nothing is due now on any clock: let the worker catch up."""
    req = await body(request, s.Settle)
    return await clocks.settle(req.timeoutMs)


# Test clocks (docs/testing.md): a frozen clock per suite, which its tenants read.
TestClockId = Annotated[str, Path(min_length=1, max_length=40)]


@router.post("/test-clocks", status_code=201, openapi_extra=openapi_body(s.TestClockCreate))
async def create_test_clock(request: Request, clocks: Clocks) -> dict[str, Any]:
    req = await body(request, s.TestClockCreate)
    return await clocks.create_test_clock(now_ms=req.nowMs, name=req.name)


@router.get("/test-clocks")
async def test_clocks(clocks: Clocks) -> list[dict[str, Any]]:
    return await clocks.test_clocks()


@router.get("/test-clocks/{clock_id}")
async def test_clock(clock_id: TestClockId, clocks: Clocks) -> dict[str, Any]:
    return await clocks.test_clock(clock_id)


@router.delete("/test-clocks/{clock_id}")
async def delete_test_clock(clock_id: TestClockId, clocks: Clocks) -> dict[str, Any]:
    return await clocks.delete_test_clock(clock_id)


@router.post("/test-clocks/{clock_id}/advance", openapi_extra=openapi_body(s.TestClockAdvance))
async def advance_test_clock(
    clock_id: TestClockId, request: Request, clocks: Clocks
) -> dict[str, Any]:
    """Move one test clock on, settling its tenants' events only."""
    req = await body(request, s.TestClockAdvance)
    return await clocks.advance_test_clock(
        clock_id, ms=req.ms, now_ms=req.nowMs, timeout_ms=req.timeoutMs
    )


@router.get("/webhooks")
async def webhooks(
    deliveries: Deliveries,
    owner: str | None = None,
    ref: str | None = None,
    status: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    if status not in (None, "pending", "done", "failed"):
        raise Invalid("status must be pending, done or failed.")
    return await deliveries.webhooks(owner=owner, ref=ref, status=status, limit=limit)


# Delivery ids are row ids, 32-bit on PostgreSQL: a larger number is no delivery.
DeliveryId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/webhooks/{item_id}")
async def webhook(item_id: DeliveryId, deliveries: Deliveries) -> dict[str, Any]:
    return await deliveries.webhook(item_id)


@router.post("/webhooks/{item_id}/redeliver")
async def redeliver(item_id: DeliveryId, deliveries: Deliveries) -> dict[str, Any]:
    return await deliveries.redeliver(item_id)


@router.get("/requests")
async def requests(
    log: RequestLog,
    family: str | None = None,
    caller: str | None = None,
    code: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    return await log.entries(family=family, caller=caller, code=code, limit=limit)


@router.get("/ledger/audit")
async def ledger_audit(platform: PlatformDep) -> dict[str, Any]:
    return await audit(platform.db)


# -- credentials: rotate, revoke, list ----------------------------------------------------------


@router.get("/credentials")
async def list_credentials(
    creds: Creds, kind: str | None = None, owner: str | None = None
) -> list[dict[str, Any]]:
    if kind not in (None, *KINDS):
        raise Invalid(f"kind must be one of {', '.join(KINDS)}.")
    return await creds.overview(kind, owner)


# The body is optional: `{}` or none at all rotates the token alone.
ROTATE_BODY = {"requestBody": {**openapi_body(s.PartnerRotate)["requestBody"], "required": False}}


@router.post("/partners/{client_id}/rotate", openapi_extra=ROTATE_BODY)
async def rotate_partner(client_id: str, request: Request, creds: Creds) -> dict[str, Any]:
    return await creds.rotate_partner(client_id, await body(request, s.PartnerRotate))


@router.post("/merchants/{merchant_id}/rotate")
async def rotate_merchant(merchant_id: str, creds: Creds) -> dict[str, Any]:
    return await creds.rotate_merchant(merchant_id)


@router.post("/api-keys/{api_key}/rotate")
async def rotate_api_key(api_key: str, creds: Creds) -> dict[str, Any]:
    return await creds.rotate_wallet_key(api_key)


@router.delete("/api-keys/{api_key}")
async def revoke_api_key(api_key: str, creds: Creds) -> dict[str, Any]:
    return await creds.revoke_wallet_key(api_key)
