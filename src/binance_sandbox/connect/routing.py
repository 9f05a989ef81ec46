"""The Connect family's HTTP side: its error rendering and the authenticated request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel
from starlette.responses import Response

from binance_sandbox.connect import errors
from binance_sandbox.connect.auth import AuthFailure, PartnerAuth, authenticate
from binance_sandbox.connect.envelope import error
from binance_sandbox.platform import Platform
from binance_sandbox.web import BadRequest, Family, client_host, header_map, is_busy, parse_model

M = TypeVar("M", bound=BaseModel)


def render_connect_error(exc: Exception) -> tuple[Response, str | None]:
    if isinstance(exc, errors.ConnectError):
        return error(exc), exc.code
    if isinstance(exc, BadRequest):
        bad = errors.IllegalParameters(exc.message)
        return error(bad), bad.code
    if is_busy(exc):
        busy = errors.SysBusy("System busy, please retry in 1-2 seconds.")
        return error(busy), busy.code
    failure = errors.SysError("System error.")
    return error(failure), failure.code


CONNECT = Family("connect", render_connect_error, success_code=lambda _r: "000000")


@dataclass
class ConnectRequest:
    partner: PartnerAuth
    body: bytes

    def parse(self, model: type[M]) -> M:
        return parse_model(model, self.body)


def platform_of(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def connect_request(request: Request) -> ConnectRequest:
    """The FastAPI dependency that authenticates a Connect call before anything is read."""
    platform = platform_of(request)
    await platform.refresh_clock_if_stale()
    body = await request.body()
    if len(body) > platform.settings.max_body_bytes:
        raise errors.IllegalParameters("Request body is too large.")
    result = await authenticate(
        request.app.state.partners,
        platform.clock,
        headers=header_map(request),
        body=body,
        client_ip=client_host(request),
        recv_window_ms=platform.settings.connect_recv_window_ms,
    )
    if isinstance(result, AuthFailure):
        request.state.caller = result.caller
        request.state.explanation = result.explanation
        raise result.error
    request.state.caller = result.client_id
    return ConnectRequest(result, body)
