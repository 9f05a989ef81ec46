"""The `{success, code, data, message}` envelope (guide §9, §11), the one place error JSON is
built for callback calls and the merchant's own API. Bodies are written with `wire`, so a
`Decimal` (in a stored webhook body) stays exact."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from binance_sandbox import wire
from binance_sandbox.merchant.errors import InternalError, InvalidRequest, MerchantError

SUCCESS = "000000"

log = logging.getLogger(__name__)


class WireJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return wire.dumps(content).encode()


def ok(data: Any) -> WireJSONResponse:
    return WireJSONResponse({"success": True, "code": SUCCESS, "data": data, "message": None})


def failure(error: MerchantError) -> WireJSONResponse:
    return WireJSONResponse(
        {"success": False, "code": error.code, "data": None, "message": error.message},
        status_code=error.http_status,
    )


async def on_merchant_error(_request: Request, exc: Exception) -> WireJSONResponse:
    assert isinstance(exc, MerchantError)
    return failure(exc)


async def on_validation_error(_request: Request, exc: Exception) -> WireJSONResponse:
    """Path and query parameters FastAPI validates (the bodies are parsed by `schemas`)."""
    assert isinstance(exc, RequestValidationError)
    error = exc.errors()[0]
    field = str(error["loc"][-1]) if error.get("loc") else "request"
    return failure(InvalidRequest(f"Invalid field {field}: {error['msg']}."))


async def on_unexpected_error(request: Request, exc: Exception) -> WireJSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return failure(InternalError())
