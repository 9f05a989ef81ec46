"""Connect Deposit endpoints (connect-deposit-flow.txt, "Flow Steps"): parse, call the
service, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from binance_sandbox.connect.envelope import Envelope, ok
from binance_sandbox.connect.routing import CONNECT, ConnectRequest, connect_request
from binance_sandbox.deposit import schemas as s
from binance_sandbox.deposit.service import DepositService
from binance_sandbox.web import openapi_body

PREFIX = "/papi/v1/ramp/connect"
router = APIRouter(prefix=PREFIX, route_class=CONNECT.route_class, tags=["Connect Deposit"])
Call = Annotated[ConnectRequest, Depends(connect_request)]


# `async def`: FastAPI runs a plain `def` dependency in its thread pool, a thread hop on
# every request.
async def service(request: Request) -> DepositService:
    deposit: DepositService = request.app.state.deposit
    return deposit


Service = Annotated[DepositService, Depends(service)]


def _doc(model: type[Any] | None, out: Any) -> dict[str, Any]:
    extra = {"openapi_extra": openapi_body(model)} if model is not None else {}
    return {**extra, "response_model": Envelope[out]}


@router.post(
    "/crypto-network",
    summary="Query Supported Networks (no body)",
    **_doc(None, list[s.CryptoNetworkOut]),
)
async def crypto_network(call: Call, deposit: Service) -> Response:
    return ok(await deposit.crypto_networks())


@router.post(
    "/deposit/initiate",
    summary="Initiate Deposit Session",
    **_doc(s.InitiateRequest, s.InitiateOut),
)
async def initiate(call: Call, deposit: Service, request: Request) -> Response:
    req = call.parse(s.InitiateRequest)
    return ok(await deposit.initiate(call.partner, req, str(request.base_url)))


@router.post(
    "/deposit/authorization",
    summary="Query Deposit Authorization",
    **_doc(s.AuthorizationRequest, s.AuthorizationOut),
)
async def authorization(call: Call, deposit: Service) -> Response:
    return ok(await deposit.authorization(call.partner, call.parse(s.AuthorizationRequest)))


@router.post("/deposit/report", summary="Report Deposit Transaction", **_doc(s.ReportRequest, None))
async def report(call: Call, deposit: Service) -> Response:
    await deposit.report(call.partner, call.parse(s.ReportRequest))
    return ok(None)
