"""The console's test controls: fault rules, named scenarios and reset, through the same
functions as `/sandbox/v1/faults`, `/sandbox/v1/scenarios` and `/sandbox/v1/reset`
(docs/faults.md)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import Request
from pydantic import ValidationError
from starlette.responses import Response

from binance_sandbox.console.common import (
    COOKIE_PATH,
    back,
    page_router,
    read_form,
    render,
)
from binance_sandbox.control.deps import partner_admin
from binance_sandbox.control.errors import Invalid
from binance_sandbox.faults.routes import reset_sandbox, scenario_context
from binance_sandbox.faults.rules import ACTIONS, SCOPE_KEYS, FaultBook
from binance_sandbox.faults.scenarios import catalogue, run_scenario
from binance_sandbox.faults.schemas import FaultCreate
from binance_sandbox.faults.service import CHECK_STATUSES, create_rule, delete_rule, list_rules
from binance_sandbox.web import describe_validation

router = page_router()

# What a scenario's answer names, and the console page that shows it.
PAGES = {
    "orderId": ("Connect Prime order", "/console/prime/orders/{}"),
    "prepayId": ("Pay order", "/console/pay/orders/{}"),
    "userId": ("User", "/console/users/{}"),
    "payerUserId": ("Payer", "/console/users/{}"),
    "clientId": ("The partner's Prime orders", "/console/prime/orders?partner={}"),
    "merchantId": ("The merchant's Pay orders", "/console/pay/orders?merchant={}"),
    "faultId": ("Fault rules", "/console/faults"),
}


def _book(request: Request) -> FaultBook:
    book: FaultBook = request.app.state.faults
    return book


# --- fault rules ----------------------------------------------------------------------------


def action_types() -> dict[str, list[str]]:
    """Each action type, with the families that take it (for the form's hints)."""
    types: dict[str, list[str]] = {}
    for family, kinds in ACTIONS.items():
        for kind in kinds:
            types.setdefault(kind, []).append(family)
    return types


def fault_from_form(form: dict[str, str]) -> FaultCreate:
    """The form's fields as the control API's body; the same checks then apply."""
    action: dict[str, Any] = {"type": form.get("action", "")}
    for name in ("code", "message", "status"):
        if form.get(name):
            action[name] = form[name]
    if form.get("ms"):
        ms = form["ms"]
        # A whole number goes on as one; anything else reaches the rule's own check as text.
        action["ms"] = int(ms) if ms.isdigit() and len(ms) <= 12 else ms
    fields = {
        "family": form.get("family"),
        "scope": {key: form[f"scope_{key}"] for key in SCOPE_KEYS if form.get(f"scope_{key}")},
        "endpoint": form.get("endpoint") or "*",
        "action": action,
        "count": form.get("count"),
        "share": form.get("share"),
    }
    try:
        return FaultCreate.model_validate({k: v for k, v in fields.items() if v not in ("", None)})
    except ValidationError as exc:
        raise Invalid(describe_validation(exc)) from exc


def describe_action(action: dict[str, Any]) -> str:
    details = [f"{k} {v}" for k, v in action.items() if k != "type"]
    return " · ".join([str(action.get("type", "")), *details])


@router.get("/faults")
async def faults(
    request: Request, created: str | None = None, deleted: str | None = None
) -> Response:
    rules = await list_rules(_book(request))
    ids = {rule["id"] for rule in rules}
    return render(
        request,
        "faults.html",
        rules=[{**rule, "actionText": describe_action(rule["action"])} for rule in rules],
        families=list(ACTIONS),
        scope_keys=SCOPE_KEYS,
        action_types=action_types(),
        check_statuses=CHECK_STATUSES,
        # Only what the list bears out: a hand-made link cannot announce a rule.
        created=created if created and created in ids else None,
        deleted=deleted if deleted and deleted not in ids else None,
    )


@router.post("/faults")
async def create_fault(request: Request) -> Response:
    req = fault_from_form(await read_form(request))
    now_ms = request.app.state.platform.clock.now_ms()
    rule = await create_rule(_book(request), req, now_ms=now_ms)
    return back(f"{COOKIE_PATH}/faults", created=rule["id"])


@router.post("/faults/{rule_id}/delete")
async def delete_fault(rule_id: str, request: Request) -> Response:
    await delete_rule(_book(request), rule_id)
    return back(f"{COOKIE_PATH}/faults", deleted=rule_id)


# --- scenarios and reset --------------------------------------------------------------------


def made_links(made: Any) -> list[dict[str, str]]:
    """Every id in a scenario's answer that has a console page, once each, in order."""
    links: list[dict[str, str]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in PAGES and isinstance(item, str | int) and not isinstance(item, bool):
                    label, href = PAGES[key]
                    link = {"key": key, "label": label, "id": str(item),
                            "href": href.format(quote(str(item), safe=""))}  # fmt: skip
                    if link not in links:
                        links.append(link)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(made)
    return links


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"{type(value).__name__} is not JSON")


async def scenarios_page(request: Request, **extra: Any) -> Response:
    context: dict[str, Any] = {"made": None, "links": [], "made_json": "", "reset": None}
    context.update(extra)
    return render(
        request,
        "scenarios.html",
        scenarios=catalogue(),
        partners=await partner_admin(request).all(),
        **context,
    )


@router.get("/scenarios")
async def scenarios(request: Request) -> Response:
    return await scenarios_page(request)


@router.post("/scenarios/{name}")
async def run(name: str, request: Request) -> Response:
    made = await run_scenario(name, scenario_context(request))
    return await scenarios_page(
        request,
        made=made,
        links=made_links(made),
        made_json=json.dumps(made, indent=2, default=_plain),
    )


@router.post("/reset")
async def reset(request: Request) -> Response:
    form = await read_form(request)
    what = form.get("what")
    if what == "partner":
        client_id = form.get("partnerClientId")
        if not client_id:
            raise Invalid("Choose the partner to reset.")
        result = await reset_sandbox(request, client_id)
        text = (
            f"Partner {client_id} reset. Deleted: Prime orders {result['orders']}, deposit "
            f"sessions {result['depositSessions']}, webhooks {result['outboxItems']}, users "
            f"{result['users']}, and its fault rules. The partner stays."
        )
    elif what == "all":
        if form.get("confirm") != "yes":
            raise Invalid(
                "A whole reset deletes every partner, merchant, user, order and the ledger: "
                "tick the box to confirm it."
            )
        await reset_sandbox(request, None)
        text = "The whole sandbox was reset: a new ledger, no partners, merchants or users."
    else:
        raise Invalid("Reset what: one partner, or the whole sandbox?")
    return await scenarios_page(request, reset=text)
