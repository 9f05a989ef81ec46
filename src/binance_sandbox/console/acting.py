"""Acting as the end user, with the same services the control API calls: pay a Pay order,
answer a Connect Deposit session, send an on-chain transfer."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from fastapi import Request
from starlette.responses import Response

from binance_sandbox.console.common import (
    page_router,
    read_form,
    render,
)
from binance_sandbox.control.deps import chain_admin, deposit_admin, pay_admin
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
    result = await pay_admin(request).pay_as_user(prepay_id, payer)
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
    after = await deposit_admin(request).decide(
        partner, external_order_id, decision, str(request.base_url)
    )
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
    sent = await chain_admin(request).send(
        network=network,
        address=address,
        tag=form.get("addressTag") or None,
        asset=asset,
        amount=amount,
    )
    tx_hash = sent["txHash"]
    return act_page(request, done=f"Sent {amount_text} {asset} on {network}: txHash {tx_hash}.")
