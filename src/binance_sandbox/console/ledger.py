"""The ledger in the console: the platform's and the outside world's accounts with their
balances, any account's journal (newest first, with the running balance, each entry linked to
the order, refund, payout, deposit or withdrawal that made it), and one journal entry."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from binance_sandbox.console.common import (
    COOKIE_PATH,
    back,
    ledger_views,
    page_router,
    render,
)
from binance_sandbox.control.errors import Invalid
from binance_sandbox.ledger.audit import audit

PER_PAGE = 50
MAX_ACCOUNTS = 500
MAX_PAGE = 100_000
# What the accounts page lists: by default the platform's own and the outside world's.
KINDS: dict[str, tuple[str, ...]] = {
    "": ("system", "external"),
    "system": ("system",),
    "external": ("external",),
    "user": ("user",),
    "all": ("user", "system", "external"),
}

router = page_router()


@router.get("/ledger")
async def accounts(
    request: Request, kind: str = "", asset: str | None = None, owner: str | None = None
) -> Response:
    if kind not in KINDS:
        raise Invalid("kind must be system, external, user or all.")
    rows = await ledger_views(request).accounts(
        kinds=KINDS[kind], asset=asset or None, owner=owner or None, limit=MAX_ACCOUNTS
    )
    return render(
        request,
        "ledger.html",
        accounts=rows,
        audit=await audit(request.app.state.platform.db),
        limit=MAX_ACCOUNTS,
        kind=kind,
        kinds=[k for k in KINDS if k],
        asset=asset or "",
        owner=owner or "",
    )


@router.get("/ledger/account")
async def account_by_owner(request: Request, owner: str, asset: str, wallet: str) -> Response:
    """An account named by what it is (the user page links balances this way)."""
    found = await ledger_views(request).account_id(owner, asset, wallet)
    return back(f"{COOKIE_PATH}/ledger/accounts/{found}")


@router.get("/ledger/accounts/{account_id}")
async def journal(account_id: int, request: Request, page: int = 1) -> Response:
    if not 1 <= page <= MAX_PAGE:
        raise Invalid(f"page must be from 1 to {MAX_PAGE}.")
    data = await ledger_views(request).journal(account_id, page=page, per_page=PER_PAGE)
    return render(request, "ledger_account.html", **data)


@router.get("/ledger/entries/{entry_id}")
async def entry(entry_id: int, request: Request) -> Response:
    return render(request, "ledger_entry.html", e=await ledger_views(request).entry(entry_id))
