"""`/sandbox/v1/…`: parse, call the control service, answer JSON."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import select

from binance_sandbox.chain.errors import ChainError, UnknownWithdrawal
from binance_sandbox.control import schemas as s
from binance_sandbox.control.credentials import KINDS, Credentials
from binance_sandbox.control.errors import CONTROL, Conflict, Invalid, NotFound, Unauthorized
from binance_sandbox.control.service import ControlService
from binance_sandbox.ledger import money
from binance_sandbox.storage.models import ChainTransfer
from binance_sandbox.web import openapi_body, parse_model


def require_admin(request: Request) -> None:
    expected: str = request.app.state.platform.settings.admin_token
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), expected.encode()
    ):
        raise Unauthorized("Missing or wrong admin token (Authorization: Bearer <token>).")
    request.state.caller = "admin"


router = APIRouter(
    prefix="/sandbox/v1",
    route_class=CONTROL.route_class,
    tags=["Sandbox control"],
    dependencies=[Depends(require_admin)],
)


def control(request: Request) -> ControlService:
    service: ControlService = request.app.state.control
    return service


Control = Annotated[ControlService, Depends(control)]


async def body(request: Request, model: type[Any]) -> Any:
    return parse_model(model, await request.body())


@router.post("/partners", openapi_extra=openapi_body(s.PartnerCreate), status_code=201)
async def create_partner(request: Request, svc: Control) -> dict[str, Any]:
    return await svc.create_partner(await body(request, s.PartnerCreate))


@router.get("/partners")
async def list_partners(svc: Control) -> list[dict[str, Any]]:
    return await svc.list_partners()


@router.get("/partners/{client_id}")
async def get_partner(client_id: str, svc: Control) -> dict[str, Any]:
    return await svc.get_partner(client_id)


@router.patch("/partners/{client_id}", openapi_extra=openapi_body(s.PartnerUpdate))
async def update_partner(client_id: str, request: Request, svc: Control) -> dict[str, Any]:
    return await svc.update_partner(client_id, await body(request, s.PartnerUpdate))


@router.post("/users", openapi_extra=openapi_body(s.UserCreate), status_code=201)
async def create_user(request: Request, svc: Control) -> dict[str, Any]:
    return await svc.create_user(await body(request, s.UserCreate))


@router.get("/users")
async def list_users(svc: Control, partnerClientId: str | None = None) -> list[dict[str, Any]]:
    return await svc.list_users(partnerClientId)


@router.post("/balances/credit", openapi_extra=openapi_body(s.Credit))
async def credit(request: Request, svc: Control) -> dict[str, Any]:
    return await svc.credit(await body(request, s.Credit))


@router.get("/balances")
async def balances(svc: Control, userId: str = Query(min_length=1)) -> dict[str, Any]:
    return await svc.balances(userId)


@router.get("/clock")
async def get_clock(svc: Control) -> dict[str, Any]:
    return svc.clock_out()


@router.post("/clock/advance", openapi_extra=openapi_body(s.ClockAdvance))
async def advance_clock(request: Request, svc: Control) -> dict[str, Any]:
    req: s.ClockAdvance = await body(request, s.ClockAdvance)
    return await svc.advance_clock(req.ms)


@router.post("/clock", openapi_extra=openapi_body(s.ClockSet))
async def set_clock(request: Request, svc: Control) -> dict[str, Any]:
    return await svc.set_clock(await body(request, s.ClockSet))


@router.get("/webhooks")
async def webhooks(
    svc: Control,
    owner: str | None = None,
    ref: str | None = None,
    status: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    if status not in (None, "pending", "done", "failed"):
        raise Invalid("status must be pending, done or failed.")
    return await svc.webhooks(owner=owner, ref=ref, status=status, limit=limit)


# Delivery ids are row ids, 32-bit on PostgreSQL: a larger number is no delivery.
DeliveryId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/webhooks/{item_id}")
async def webhook(item_id: DeliveryId, svc: Control) -> dict[str, Any]:
    return await svc.webhook(item_id)


@router.post("/webhooks/{item_id}/redeliver")
async def redeliver(item_id: DeliveryId, svc: Control) -> dict[str, Any]:
    return await svc.redeliver(item_id)


@router.get("/prime/orders")
async def prime_orders(
    svc: Control,
    partnerClientId: str | None = None,
    status: str | None = None,
    userId: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    return await svc.prime_orders(
        partner_client_id=partnerClientId, status=status, user_id=userId, limit=limit
    )


@router.get("/prime/orders/{order_id}")
async def prime_order(order_id: str, svc: Control) -> dict[str, Any]:
    return await svc.prime_order(order_id)


@router.post("/prime/orders/{order_id}/fill")
async def fill_order(order_id: str, request: Request) -> dict[str, Any]:
    result: dict[str, Any] = await request.app.state.prime.operator_resolve(order_id, "fill", None)
    return result


@router.post("/prime/orders/{order_id}/fail", openapi_extra=openapi_body(s.OrderFail))
async def fail_order(order_id: str, request: Request) -> dict[str, Any]:
    req: s.OrderFail = await body(request, s.OrderFail)
    result: dict[str, Any] = await request.app.state.prime.operator_resolve(
        order_id, "fail", req.reason
    )
    return result


@router.get("/requests")
async def requests(
    svc: Control,
    family: str | None = None,
    caller: str | None = None,
    code: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    return await svc.requests(family=family, caller=caller, code=code, limit=limit)


@router.post("/merchants", openapi_extra=openapi_body(s.MerchantCreate), status_code=201)
async def create_merchant(request: Request, svc: Control) -> dict[str, Any]:
    return await svc.create_merchant(await body(request, s.MerchantCreate))


@router.get("/merchants")
async def list_merchants(svc: Control) -> list[dict[str, Any]]:
    return await svc.list_merchants()


@router.get("/merchants/{merchant_id}")
async def get_merchant(merchant_id: str, svc: Control) -> dict[str, Any]:
    return await svc.get_merchant(merchant_id)


@router.patch("/merchants/{merchant_id}", openapi_extra=openapi_body(s.MerchantUpdate))
async def update_merchant(merchant_id: str, request: Request, svc: Control) -> dict[str, Any]:
    return await svc.update_merchant(merchant_id, await body(request, s.MerchantUpdate))


@router.get("/pay/orders")
async def pay_orders(
    svc: Control,
    merchantId: str | None = None,
    status: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    return await svc.pay_orders(merchant_id=merchantId, status=status, limit=limit)


@router.get("/pay/orders/{prepay_id}")
async def pay_order(prepay_id: str, svc: Control) -> dict[str, Any]:
    return await svc.pay_order(prepay_id)


@router.post("/pay/orders/{prepay_id}/pay", openapi_extra=openapi_body(s.PayOrderPay))
async def pay_order_as_user(prepay_id: str, request: Request) -> dict[str, Any]:
    """Act as the payer: the user pays the order from their balance."""
    req: s.PayOrderPay = await body(request, s.PayOrderPay)
    result: dict[str, Any] = await request.app.state.pay.pay(prepay_id, req.payerUserId)
    return result


@router.post("/pay/refunds/reject", openapi_extra=openapi_body(s.RefundReject))
async def reject_refund(request: Request, svc: Control) -> dict[str, Any]:
    return await svc.reject_refund(await body(request, s.RefundReject))


@router.get("/users/{user_id}/deposit-address")
async def user_deposit_address(
    user_id: str, request: Request, coin: str = Query(min_length=1), network: str | None = None
) -> dict[str, Any]:
    """A user's deposit address for a coin (on its default network unless one is named)."""
    platform = request.app.state.platform
    try:
        async with platform.db.write() as session:
            await request.app.state.control._user_exists(session, user_id)
            found = await request.app.state.chain.deposit_address(session, user_id, coin, network)
    except ChainError as exc:
        raise Invalid(exc.message) from exc
    return {
        "coin": found.coin,
        "network": found.network,
        "address": found.address,
        "addressTag": found.tag,
    }


@router.post("/chain/transfers", openapi_extra=openapi_body(s.ChainTransferIn), status_code=201)
async def chain_transfer(request: Request) -> dict[str, Any]:
    """Send on the simulated chain: credited to the address's user after confirmations."""
    req: s.ChainTransferIn = await body(request, s.ChainTransferIn)
    platform = request.app.state.platform
    try:
        async with platform.db.write() as session:
            row = await request.app.state.chain.submit_transfer(
                session,
                network=req.network,
                address=req.address,
                tag=req.addressTag,
                asset=req.asset,
                amount=req.amount,
            )
            out = chain_transfer_out(row)
    except ChainError as exc:
        raise Invalid(exc.message) from exc
    platform.wake_worker()
    return out


@router.get("/chain/transfers")
async def chain_transfers(
    request: Request,
    address: str | None = None,
    txHash: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    async with request.app.state.platform.db.read() as session:
        stmt = select(ChainTransfer)
        if address:
            stmt = stmt.where(ChainTransfer.address == address)
        if txHash:
            stmt = stmt.where(ChainTransfer.tx_hash == txHash)
        rows = (
            await session.execute(stmt.order_by(ChainTransfer.created_at.desc()).limit(limit))
        ).scalars()
        return [chain_transfer_out(r) for r in rows]


def chain_transfer_out(row: ChainTransfer) -> dict[str, Any]:
    return {
        "txHash": row.tx_hash,
        "network": row.network,
        "address": row.address,
        "addressTag": row.tag or None,
        "asset": row.asset,
        "amount": format(money.from_units(row.amount).normalize(), "f"),
        "userId": row.user_id,
        "status": row.status,
        "confirmationsNeeded": row.confirmations_needed,
        "createdAt": row.created_at,
        "confirmAt": row.confirm_at,
        "creditedAt": row.credited_at,
    }


@router.get("/deposits")
async def deposits(
    request: Request,
    svc: Control,
    partnerClientId: str | None = None,
    status: str | None = None,
    userId: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    if status not in (None, "INIT", "AUTHORIZED", "REJECTED", "EXPIRED"):
        raise Invalid("status must be INIT, AUTHORIZED, REJECTED or EXPIRED.")
    return await svc.deposits(
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
    svc: Control,
    partnerClientId: str = Query(min_length=1),
) -> dict[str, Any]:
    return await svc.deposit(partnerClientId, external_order_id, str(request.base_url))


async def _decide_deposit(
    external_order_id: str, request: Request, svc: ControlService, target: str
) -> dict[str, Any]:
    """Act as the end user in "the Binance App" (connect-deposit-flow.txt, step 3)."""
    req: s.DepositDecision = await body(request, s.DepositDecision)
    found = await svc.deposit(req.partnerClientId, external_order_id, str(request.base_url))
    await request.app.state.deposit.decide(found["depositId"], target)
    return await svc.deposit(req.partnerClientId, external_order_id, str(request.base_url))


@router.post(
    "/deposits/{external_order_id}/authorize", openapi_extra=openapi_body(s.DepositDecision)
)
async def authorize_deposit(
    external_order_id: str, request: Request, svc: Control
) -> dict[str, Any]:
    return await _decide_deposit(external_order_id, request, svc, "AUTHORIZED")


@router.post("/deposits/{external_order_id}/reject", openapi_extra=openapi_body(s.DepositDecision))
async def reject_deposit(external_order_id: str, request: Request, svc: Control) -> dict[str, Any]:
    return await _decide_deposit(external_order_id, request, svc, "REJECTED")


# -- Wallet API (docs/wallet-api.md, "Control API") ------------------------------------------


def _wapi_admin(request: Request) -> Any:
    return request.app.state.wapi.admin


@router.post("/api-keys", openapi_extra=openapi_body(s.ApiKeyCreate), status_code=201)
async def create_api_key(request: Request) -> dict[str, Any]:
    result: dict[str, Any] = await _wapi_admin(request).create_key(
        await body(request, s.ApiKeyCreate)
    )
    return result


@router.get("/api-keys")
async def list_api_keys(request: Request, userId: str | None = None) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = await _wapi_admin(request).list_keys(userId)
    return result


@router.patch("/api-keys/{api_key}", openapi_extra=openapi_body(s.ApiKeyUpdate))
async def update_api_key(api_key: str, request: Request) -> dict[str, Any]:
    result: dict[str, Any] = await _wapi_admin(request).update_key(
        api_key, await body(request, s.ApiKeyUpdate)
    )
    return result


@router.patch("/sub-accounts/{user_id}", openapi_extra=openapi_body(s.SubAccountUpdate))
async def update_sub_account(user_id: str, request: Request) -> dict[str, Any]:
    result: dict[str, Any] = await _wapi_admin(request).update_sub_account(
        user_id, await body(request, s.SubAccountUpdate)
    )
    return result


@router.post("/dividends", openapi_extra=openapi_body(s.DividendCreate), status_code=201)
async def create_dividend(request: Request) -> dict[str, Any]:
    result: dict[str, Any] = await _wapi_admin(request).create_dividend(
        await body(request, s.DividendCreate)
    )
    return result


@router.get("/system-status")
async def get_system_status(request: Request) -> dict[str, Any]:
    result: dict[str, Any] = await _wapi_admin(request).system_status()
    return result


@router.post("/system-status", openapi_extra=openapi_body(s.SystemStatusSet))
async def set_system_status(request: Request) -> dict[str, Any]:
    result: dict[str, Any] = await _wapi_admin(request).set_system_status(
        await body(request, s.SystemStatusSet)
    )
    return result


@router.post("/account-status", openapi_extra=openapi_body(s.AccountStatusSet))
async def set_account_status(request: Request) -> dict[str, Any]:
    result: dict[str, Any] = await _wapi_admin(request).set_account_status(
        await body(request, s.AccountStatusSet)
    )
    return result


@router.post("/withdrawals/{withdrawal_id}/{outcome}")
async def resolve_withdrawal(withdrawal_id: str, outcome: str, request: Request) -> dict[str, Any]:
    """End a withdrawal as an operator: cancel (from 0), reject (from 0 or 2), fail (from 4)."""
    if outcome not in ("cancel", "reject", "fail"):
        raise Invalid("outcome must be cancel, reject or fail.")
    platform = request.app.state.platform
    try:
        async with platform.db.write() as session:
            w = await request.app.state.chain.resolve_withdrawal(
                session, withdrawal_id, outcome, platform.clock.now_ms()
            )
            out = {"id": w.id, "status": w.status}
    except UnknownWithdrawal as exc:
        raise NotFound(exc.message) from exc
    except ChainError as exc:
        raise Conflict(exc.message) from exc
    return out


@router.get("/ledger/audit")
async def ledger_audit(svc: Control) -> dict[str, Any]:
    return await svc.ledger_audit()


# -- credentials: rotate, revoke, list (docs/console.md, "Credentials shown once") ---------


def credentials(request: Request) -> Credentials:
    state = request.app.state
    return Credentials(state.platform, state.partners, state.merchants, state.wapi.keys)


Creds = Annotated[Credentials, Depends(credentials)]


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
