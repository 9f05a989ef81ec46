"""Fault rules as the control API and the console create, list and delete them."""

from __future__ import annotations

from typing import Any

from binance_sandbox.admin_errors import Invalid, NotFound
from binance_sandbox.faults.rules import ACTIONS, MAX_LATENCY_MS, SCOPE_KEYS, FaultBook
from binance_sandbox.faults.schemas import FaultCreate

CHECK_STATUSES = ("PENDING", "PROCESSING", "COMPLETED", "FAILED", "SUCCESS")


def checked_action(req: FaultCreate) -> dict[str, Any]:
    """The rule's action, with only the fields its type uses."""
    kind = req.action.get("type")
    if kind not in ACTIONS[req.family]:
        allowed = ", ".join(ACTIONS[req.family])
        raise Invalid(f"action.type must be one of {allowed} for family {req.family}.")
    action: dict[str, Any] = {"type": kind}
    if kind == "error":
        code = req.action.get("code")
        if not isinstance(code, str | int) or not str(code).lstrip("-").isdigit():
            raise Invalid("action.code must be the family's numeric error code.")
        action["code"] = str(code)
        if isinstance(req.action.get("message"), str):
            action["message"] = req.action["message"][:500]
    elif kind in ("latency", "delay"):
        ms = req.action.get("ms")
        limit = MAX_LATENCY_MS if kind == "latency" else 86_400_000
        if not isinstance(ms, int) or isinstance(ms, bool) or not 0 <= ms <= limit:
            raise Invalid(f"action.ms must be an integer from 0 to {limit}.")
        action["ms"] = ms
    elif kind == "reorder":
        ms = req.action.get("ms", 3_600_000)
        if not isinstance(ms, int) or isinstance(ms, bool) or not 1 <= ms <= 86_400_000:
            raise Invalid("action.ms (the longest hold) must be an integer from 1 to 86400000.")
        action["ms"] = ms
    elif kind == "status":
        status = req.action.get("status")
        if status not in CHECK_STATUSES:
            raise Invalid(f"action.status must be one of {', '.join(CHECK_STATUSES)}.")
        action["status"] = status
    unknown = sorted(set(req.scope) - set(SCOPE_KEYS))
    if unknown:
        raise Invalid(f"scope may only name {', '.join(SCOPE_KEYS)} (not {', '.join(unknown)}).")
    return action


# --- what the control API and the console call ----------------------------------------------


async def create_rule(book: FaultBook, req: FaultCreate, *, now_ms: int) -> dict[str, Any]:
    """Check a rule and put it in the book; its wire form."""
    action = checked_action(req)
    rule = await book.add(
        family=req.family,
        scope=req.scope,
        endpoint=req.endpoint,
        action=action,
        count=req.count,
        share=req.share,
        now=now_ms,
    )
    return rule.out()


async def list_rules(book: FaultBook) -> list[dict[str, Any]]:
    return [rule.out() for rule in await book.list()]


async def delete_rule(book: FaultBook, rule_id: str) -> dict[str, Any]:
    rule = await book.remove(rule_id)
    if rule is None:
        raise NotFound(f"No fault rule {rule_id}.")
    return {**rule.out(), "deleted": True}
