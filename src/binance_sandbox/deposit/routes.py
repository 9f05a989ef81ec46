"""Connect Deposit endpoints (connect-deposit-flow.txt, "Flow Steps"): parse, call the
service, shape the answer."""

from __future__ import annotations

from typing import Any

from binance_sandbox.connect.auth import ConnectCall
from binance_sandbox.connect.envelope import Envelope
from binance_sandbox.deposit import schemas as s
from binance_sandbox.deposit.service_networks import NetworkService
from binance_sandbox.deposit.service_sessions import SessionService
from binance_sandbox.web import openapi_body
from binance_sandbox.web.chain import Operations

PREFIX = "/papi/v1/ramp/connect"
operations: Operations[ConnectCall] = Operations(PREFIX, "Connect Deposit")


def _networks(call: ConnectCall) -> NetworkService:
    service: NetworkService = call.services.deposit_networks
    return service


def _sessions(call: ConnectCall) -> SessionService:
    service: SessionService = call.services.deposit_sessions
    return service


def _doc(model: type[Any] | None, out: Any) -> dict[str, Any]:
    extra = {"openapi_extra": openapi_body(model)} if model is not None else {}
    return {**extra, "response_model": Envelope[out]}


@operations.post(
    "/crypto-network",
    summary="Query Supported Networks (no body)",
    **_doc(None, list[s.CryptoNetworkOut]),
)
async def crypto_network(call: ConnectCall) -> Any:
    return await _networks(call).crypto_networks()


@operations.post(
    "/deposit/initiate",
    summary="Initiate Deposit Session",
    **_doc(s.InitiateRequest, s.InitiateOut),
)
async def initiate(call: ConnectCall) -> Any:
    req = call.parse(s.InitiateRequest)
    return await _sessions(call).initiate(call.partner, req, str(call.request.base_url))


@operations.post(
    "/deposit/authorization",
    summary="Query Deposit Authorization",
    **_doc(s.AuthorizationRequest, s.AuthorizationOut),
)
async def authorization(call: ConnectCall) -> Any:
    return await _sessions(call).authorization(call.partner, call.parse(s.AuthorizationRequest))


@operations.post(
    "/deposit/report", summary="Report Deposit Transaction", **_doc(s.ReportRequest, None)
)
async def report(call: ConnectCall) -> Any:
    await _sessions(call).report(call.partner, call.parse(s.ReportRequest))
    return None
