"""Control API errors: `{"error": {"code", "message"}}` with an HTTP status."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from binance_sandbox.connect.errors import ConnectError
from binance_sandbox.pay.errors import PayError
from binance_sandbox.web import BadRequest, Family, is_busy


class ControlError(Exception):
    code = "INTERNAL"
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthorized(ControlError):
    code, http_status = "UNAUTHORIZED", 401


class NotFound(ControlError):
    code, http_status = "NOT_FOUND", 404


class Invalid(ControlError):
    code, http_status = "INVALID", 400


class Conflict(ControlError):
    code, http_status = "CONFLICT", 409


def render_control_error(exc: Exception) -> tuple[Response, str | None]:
    if isinstance(exc, ControlError):
        code, status, message = exc.code, exc.http_status, exc.message
    elif isinstance(exc, BadRequest):
        code, status, message = "INVALID", 400, exc.message
    elif isinstance(exc, ConnectError | PayError):
        # An operator action refused by a family rule (e.g. 1230314, 400204) keeps its code.
        code, status, message = exc.code, 409, exc.message
    elif is_busy(exc):
        code, status, message = "BUSY", 503, "The database is busy; retry."
    else:
        code, status, message = "INTERNAL", 500, "Internal error (see the server log)."
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status), code


CONTROL = Family("control", render_control_error)
