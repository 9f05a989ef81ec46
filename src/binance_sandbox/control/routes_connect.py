"""`/sandbox/v1/partners`, `/sandbox/v1/prime/orders`, `/sandbox/v1/deposits`: Connect
partners, Connect Prime orders and Connect Deposit sessions."""

from __future__ import annotations

from typing import Any

from fastapi import Query, Request

from binance_sandbox.control import schemas as s
from binance_sandbox.control.deps import Deposits, Partners, Prime, body, control_router
from binance_sandbox.control.errors import Invalid
from binance_sandbox.deposit.lifecycle import SessionStatus
from binance_sandbox.web import openapi_body

router = control_router()


@router.post("/partners", openapi_extra=openapi_body(s.PartnerCreate), status_code=201)
async def create_partner(request: Request, partners: Partners) -> dict[str, Any]:
    return await partners.create(await body(request, s.PartnerCreate))


@router.get("/partners")
async def list_partners(partners: Partners) -> list[dict[str, Any]]:
    return await partners.all()


@router.get("/partners/{client_id}")
async def get_partner(client_id: str, partners: Partners) -> dict[str, Any]:
    return await partners.get(client_id)


@router.patch("/partners/{client_id}", openapi_extra=openapi_body(s.PartnerUpdate))
async def update_partner(client_id: str, request: Request, partners: Partners) -> dict[str, Any]:
    return await partners.update(client_id, await body(request, s.PartnerUpdate))


# -- Connect Prime orders ---------------------------------------------------------------------


@router.get("/prime/orders")
async def prime_orders(
    prime: Prime,
    partnerClientId: str | None = None,
    status: str | None = None,
    userId: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    return await prime.orders(
        partner_client_id=partnerClientId, status=status, user_id=userId, limit=limit
    )


@router.get("/prime/orders/{order_id}")
async def prime_order(order_id: str, prime: Prime) -> dict[str, Any]:
    return await prime.order(order_id)


@router.post("/prime/orders/{order_id}/fill")
async def fill_order(order_id: str, prime: Prime) -> dict[str, Any]:
    return await prime.settle(order_id, "fill", None)


@router.post("/prime/orders/{order_id}/fail", openapi_extra=openapi_body(s.OrderFail))
async def fail_order(order_id: str, request: Request, prime: Prime) -> dict[str, Any]:
    req = await body(request, s.OrderFail)
    return await prime.settle(order_id, "fail", req.reason)


# -- Connect Deposit sessions -----------------------------------------------------------------


@router.get("/deposits")
async def deposits(
    request: Request,
    admin: Deposits,
    partnerClientId: str | None = None,
    status: str | None = None,
    userId: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    if status is not None and status not in set(SessionStatus):
        *others, last = SessionStatus
        raise Invalid(f"status must be {', '.join(others)} or {last}.")
    return await admin.sessions(
        partner_client_id=partnerClientId,
        status=status,
        user_id=userId,
        limit=limit,
        base_url=str(request.base_url),
    )


@router.get("/deposits/{external_order_id}")
async def deposit(
    external_order_id: str,
    request: Request,
    admin: Deposits,
    partnerClientId: str = Query(min_length=1),
) -> dict[str, Any]:
    return await admin.session(partnerClientId, external_order_id, str(request.base_url))


@router.post(
    "/deposits/{external_order_id}/authorize", openapi_extra=openapi_body(s.DepositDecision)
)
async def authorize_deposit(
    external_order_id: str, request: Request, admin: Deposits
) -> dict[str, Any]:
    req = await body(request, s.DepositDecision)
    return await admin.decide(
        req.partnerClientId, external_order_id, "AUTHORIZED", str(request.base_url)
    )


@router.post("/deposits/{external_order_id}/reject", openapi_extra=openapi_body(s.DepositDecision))
async def reject_deposit(
    external_order_id: str, request: Request, admin: Deposits
) -> dict[str, Any]:
    req = await body(request, s.DepositDecision)
    return await admin.decide(
        req.partnerClientId, external_order_id, "REJECTED", str(request.base_url)
    )
