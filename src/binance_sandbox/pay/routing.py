"""The Pay family's HTTP side: its envelope, its error rendering, the authenticated request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from binance_sandbox import jsonwire
from binance_sandbox.pay import errors
from binance_sandbox.pay.auth import MerchantAuth, PayAuthFailure, authenticate
from binance_sandbox.platform import Platform
from binance_sandbox.web import (
    BadRequest,
    Family,
    client_host,
    header_map,
    is_busy,
    parse_json_object,
)

M = TypeVar("M", bound=BaseModel)
SUCCESS = "000000"


def ok(data: Any) -> Response:
    body = {"status": "SUCCESS", "code": SUCCESS, "data": data, "errorMessage": ""}
    return Response(jsonwire.dumps(body), media_type="application/json")


def error_response(exc: errors.PayError) -> Response:
    body = {"status": "FAIL", "code": exc.code, "data": exc.data, "errorMessage": exc.message}
    return Response(
        jsonwire.dumps(body), status_code=exc.http_status, media_type="application/json"
    )


def render_pay_error(exc: Exception) -> tuple[Response, str | None]:
    if isinstance(exc, errors.PayError):
        return error_response(exc), exc.code
    if isinstance(exc, BadRequest):
        bad = errors.InvalidRequest(exc.message)
        return error_response(bad), bad.code
    if is_busy(exc):
        busy = errors.UnknownError("The system is busy; try again later.")
        return error_response(busy), busy.code
    failure = errors.UnknownError("An unknown error occurred while processing the request.")
    return error_response(failure), failure.code


PAY = Family("pay", render_pay_error, success_code=lambda _r: SUCCESS)

# pydantic error types → the Pay code for that kind of bad parameter.
_LENGTH = {"string_too_long", "string_too_short", "too_long", "too_short"}
_ILLEGAL = {"string_pattern_mismatch"}
_MISSING = {
    "missing",
    "string_type",
    "int_type",
    "int_parsing",
    "decimal_parsing",
    "decimal_type",
    "bool_type",
    "bool_parsing",
    "dict_type",
    "model_type",
    "list_type",
    "none_required",
}


def pay_validation_error(exc: ValidationError) -> errors.PayError:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "body"
    kind = err["type"]
    if kind in _LENGTH:
        return errors.InvalidParamWrongLength(f"{where}: {err['msg']}")
    if kind in _ILLEGAL:
        return errors.InvalidParamIllegalChar(f"{where}: contains illegal characters")
    if kind in _MISSING:
        return errors.MandatoryParamEmptyOrMalformed(f"{where}: {err['msg']}")
    cause = err.get("ctx", {}).get("error")
    if isinstance(cause, errors.PayValueError):
        return cause.error
    return errors.InvalidParamWrongValue(f"{where}: {err['msg']}")


@dataclass
class PayRequest:
    merchant: MerchantAuth
    body: bytes
    _data: dict[str, Any] | None = field(default=None, init=False, repr=False)

    def data(self) -> dict[str, Any]:
        """The body's JSON object, parsed once."""
        if self._data is None:
            try:
                self._data = parse_json_object(self.body)
            except BadRequest as exc:
                raise errors.InvalidRequestBody("Request body is not a valid json object.") from exc
        return self._data

    def parse(self, model: type[M]) -> M:
        try:
            return model.model_validate(self.data())
        except ValidationError as exc:
            raise pay_validation_error(exc) from exc


async def pay_request(request: Request) -> PayRequest:
    """The FastAPI dependency that authenticates a Pay call before anything is read."""
    platform: Platform = request.app.state.platform
    await platform.refresh_clock_if_stale()
    body = await request.body()
    result = await authenticate(
        request.app.state.merchants,
        platform.nonces,
        platform.clock,
        headers=header_map(request),
        body=body,
        client_ip=client_host(request),
        recv_window_ms=platform.settings.pay_recv_window_ms,
        max_body_bytes=platform.settings.pay_max_body_bytes,
    )
    if isinstance(result, PayAuthFailure):
        request.state.caller = result.caller
        request.state.explanation = result.explanation
        raise result.error
    request.state.caller = result.merchant_id
    return PayRequest(result, body)
