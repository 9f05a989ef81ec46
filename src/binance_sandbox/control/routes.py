"""`/sandbox/v1/…`: every control route behind the admin token. Each parses the request,
calls a family's `admin.py` (or the shared machinery's), and answers JSON; the routes are
grouped by concern in `control/routes_*.py`."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from binance_sandbox.control import routes_connect, routes_pay, routes_sandbox, routes_wallet
from binance_sandbox.control.deps import require_admin as require_admin
from binance_sandbox.control.errors import CONTROL

router = APIRouter(
    prefix="/sandbox/v1",
    route_class=CONTROL.route_class,
    tags=["Sandbox control"],
    dependencies=[Depends(require_admin)],
)
for concern in (routes_connect, routes_pay, routes_wallet, routes_sandbox):
    router.include_router(concern.router)
