"""The control plane's errors: what an operator action (a family's `admin.py`, a fault rule, a
scenario) refuses with, as `{"error": {"code", "message"}}` and an HTTP status. They sit
below every family so that any family's control-side use cases may raise them; the control
API renders them (`control/errors.py`)."""

from __future__ import annotations


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
