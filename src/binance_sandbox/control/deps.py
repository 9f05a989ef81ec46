"""What every control route depends on: the admin token, its body parsed, and the use cases
it calls (the families' `admin.py`, which `app.py` puts on the app's state)."""

from __future__ import annotations

import hmac
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from binance_sandbox.chain.admin import ChainAdmin
from binance_sandbox.connect.admin import PartnerAdmin
from binance_sandbox.control.credentials import Credentials
from binance_sandbox.control.errors import CONTROL, Unauthorized
from binance_sandbox.delivery.admin import DeliveryAdmin
from binance_sandbox.delivery.clocks import ClockAdmin
from binance_sandbox.deposit.admin import DepositAdmin
from binance_sandbox.observability.requests import RequestLogViews
from binance_sandbox.pay.admin import PayAdmin
from binance_sandbox.platform import Platform
from binance_sandbox.prime.admin import PrimeAdmin
from binance_sandbox.wallet.admin import WalletAdmin
from binance_sandbox.wallet.admin_users import UserAdmin
from binance_sandbox.web import parse_model

Model = TypeVar("Model", bound=BaseModel)


def require_admin(request: Request) -> None:
    expected: str = request.app.state.platform.settings.admin_token
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), expected.encode()
    ):
        raise Unauthorized("Missing or wrong admin token (Authorization: Bearer <token>).")
    request.state.caller = "admin"


def control_router() -> APIRouter:
    """Routes of one concern of the control API: under `/sandbox/v1`, behind the admin token,
    in its envelope. Each route is made with its whole path, which the metrics and the request
    log name it by."""
    return APIRouter(
        prefix="/sandbox/v1",
        route_class=CONTROL.route_class,
        tags=["Sandbox control"],
        dependencies=[Depends(require_admin)],
    )


async def body(request: Request, model: type[Model]) -> Model:
    parsed: Model = parse_model(model, await request.body())
    return parsed


def platform(request: Request) -> Platform:
    found: Platform = request.app.state.platform
    return found


def partner_admin(request: Request) -> PartnerAdmin:
    found: PartnerAdmin = request.app.state.partner_admin
    return found


def user_admin(request: Request) -> UserAdmin:
    found: UserAdmin = request.app.state.user_admin
    return found


def pay_admin(request: Request) -> PayAdmin:
    found: PayAdmin = request.app.state.pay_admin
    return found


def prime_admin(request: Request) -> PrimeAdmin:
    found: PrimeAdmin = request.app.state.prime_admin
    return found


def deposit_admin(request: Request) -> DepositAdmin:
    found: DepositAdmin = request.app.state.deposit_admin
    return found


def chain_admin(request: Request) -> ChainAdmin:
    found: ChainAdmin = request.app.state.chain_admin
    return found


def wallet_admin(request: Request) -> WalletAdmin:
    found: WalletAdmin = request.app.state.wapi.admin
    return found


def clocks(request: Request) -> ClockAdmin:
    found: ClockAdmin = request.app.state.clocks
    return found


def deliveries(request: Request) -> DeliveryAdmin:
    found: DeliveryAdmin = request.app.state.deliveries
    return found


def request_log(request: Request) -> RequestLogViews:
    found: RequestLogViews = request.app.state.request_views
    return found


def credentials(request: Request) -> Credentials:
    return Credentials(partner_admin(request), pay_admin(request), wallet_admin(request))


PlatformDep = Annotated[Platform, Depends(platform)]
Partners = Annotated[PartnerAdmin, Depends(partner_admin)]
Users = Annotated[UserAdmin, Depends(user_admin)]
Pay = Annotated[PayAdmin, Depends(pay_admin)]
Prime = Annotated[PrimeAdmin, Depends(prime_admin)]
Deposits = Annotated[DepositAdmin, Depends(deposit_admin)]
Chain = Annotated[ChainAdmin, Depends(chain_admin)]
Wallet = Annotated[WalletAdmin, Depends(wallet_admin)]
Deliveries = Annotated[DeliveryAdmin, Depends(deliveries)]
Clocks = Annotated[ClockAdmin, Depends(clocks)]
RequestLog = Annotated[RequestLogViews, Depends(request_log)]
Creds = Annotated[Credentials, Depends(credentials)]
