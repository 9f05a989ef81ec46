"""The Connect envelope `{success, code, data, message}` (guide §11)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from starlette.responses import Response

from binance_sandbox import jsonwire
from binance_sandbox.connect.errors import ConnectError

SUCCESS = "000000"
T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    """For the OpenAPI document; responses are written by `ok` and `error`."""

    success: bool
    code: str
    data: T | None = None
    message: str | None = None


def ok(data: Any) -> Response:
    body = {"success": True, "code": SUCCESS, "data": data, "message": None}
    return Response(jsonwire.dumps(body), media_type="application/json")


def error(exc: ConnectError, http_status: int | None = None) -> Response:
    body = {"success": False, "code": exc.code, "data": exc.data, "message": exc.message}
    return Response(
        jsonwire.dumps(body),
        status_code=http_status or exc.http_status,
        media_type="application/json",
    )
