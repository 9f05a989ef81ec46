"""`/sandbox/v1/…`: every control route behind the admin token. Each parses the request,
calls a family's `admin.py` (or the shared machinery's), and answers JSON; the routes are
grouped by concern in `control/routes_*.py`, each its own router (`deps.control_router`)."""

from __future__ import annotations

from fastapi import APIRouter

from binance_sandbox.control import routes_connect, routes_pay, routes_sandbox, routes_wallet

routers: list[APIRouter] = [
    routes_connect.router,
    routes_pay.router,
    routes_wallet.router,
    routes_sandbox.router,
]
