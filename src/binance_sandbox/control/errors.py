"""The control API's error envelope, `{"error": {"code", "message"}}` with an HTTP status.
The errors themselves are `binance_sandbox.admin_errors`, below the families that raise them."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from binance_sandbox.admin_errors import Conflict as Conflict
from binance_sandbox.admin_errors import ControlError as ControlError
from binance_sandbox.admin_errors import Invalid as Invalid
from binance_sandbox.admin_errors import NotFound as NotFound
from binance_sandbox.admin_errors import Unauthorized as Unauthorized
from binance_sandbox.connect.errors import ConnectError
from binance_sandbox.pay.errors import PayError
from binance_sandbox.web import BadRequest, Family, is_busy


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
