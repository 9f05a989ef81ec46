"""Acting as the end user, with the same services the control API calls: pay a Pay order,
answer a Connect Deposit session, send an on-chain transfer."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request
from starlette.responses import Response

from binance_sandbox.chain.errors import ChainError
from binance_sandbox.console.common import (
    control,
    page_router,
    read_form,
    render,
)
from binance_sandbox.control.errors import Invalid
from binance_sandbox.deposit.lifecycle import SessionStatus
from binance_sandbox.pay.lifecycle import OrderStatus

router = page_router()


def act_page(request: Request, *, done: str | None = None, form: dict[str, str] | None = None,
             status_code: int = 200) -> Response:  # fmt: skip
    response = render(request, "act.html", done=done, form=form or {})
    response.status_code = status_code
    return response


def required(form: dict[str, str], *names: str) -> list[str]:
    missing = [n for n in names if not form.get(n)]
    if missing:
        raise Invalid(f"Fill in {', '.join(missing)}.")
    return [form[n] for n in names]


@router.get("/act")
async def act(request: Request) -> Response:
    return act_page(request, form=dict(request.query_params))


@router.post("/act/pay")
async def pay_order(request: Request) -> Response:
    form = await read_form(request)
    prepay_id, payer = required(form, "prepayId", "payerUserId")
    result: dict[str, Any] = await request.app.state.pay.pay(prepay_id, payer)
    status = result.get("status", OrderStatus.PAID.value)
    return act_page(request, done=f"User {payer} paid Pay order {prepay_id}: {status}.")


@router.post("/act/deposit")
async def decide_deposit(request: Request) -> Response:
    form = await read_form(request)
    partner, external_order_id, decision = required(
        form, "partnerClientId", "externalOrderId", "decision"
    )
    if decision not in (SessionStatus.AUTHORIZED.value, SessionStatus.REJECTED.value):
        raise Invalid("decision must be AUTHORIZED or REJECTED.")
    svc = control(request)
    found = await svc.deposit(partner, external_order_id, str(request.base_url))
    await request.app.state.deposit.decide(found["depositId"], decision)
    after = await svc.deposit(partner, external_order_id, str(request.base_url))
    text = f"Deposit session {external_order_id} of {partner} is now {after['status']}."
    return act_page(request, done=text)


@router.post("/act/transfer")
async def chain_transfer(request: Request) -> Response:
    form = await read_form(request)
    network, address, asset, amount_text = required(form, "network", "address", "asset", "amount")
    try:
        amount = Decimal(amount_text)
    except InvalidOperation as exc:
        raise Invalid("amount must be a decimal number.") from exc
    platform = request.app.state.platform
    try:
        async with platform.db.write() as session:
            row = await request.app.state.chain.submit_transfer(
                session,
                network=network,
                address=address,
                tag=form.get("addressTag") or None,
                asset=asset,
                amount=amount,
            )
            tx_hash = row.tx_hash
    except ChainError as exc:
        raise Invalid(exc.message) from exc
    platform.wake_worker()
    return act_page(request, done=f"Sent {amount_text} {asset} on {network}: txHash {tx_hash}.")
