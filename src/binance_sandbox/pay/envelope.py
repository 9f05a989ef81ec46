"""The Pay envelope `{status, code, data, errorMessage}` (pay-openapi.txt, "Response"), and
the Pay family's part in the request chain: its body limit, its authentication, and its
renderer for every failure."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from binance_sandbox import wire
from binance_sandbox.pay import errors
from binance_sandbox.pay.auth import PayCall, authenticate_request, check_body
from binance_sandbox.web import BadRequest, is_busy
from binance_sandbox.web.chain import Exchange, Operation
from binance_sandbox.web.errors import UnknownEndpoint

SUCCESS = "000000"


def ok(data: Any) -> Response:
    body = {"status": "SUCCESS", "code": SUCCESS, "data": data, "errorMessage": ""}
    return Response(wire.encode(body), media_type="application/json")


def error_response(exc: errors.PayError, http_status: int | None = None) -> Response:
    message = errors.error_message(exc.code, exc.message)
    body = {"status": "FAIL", "code": exc.code, "data": exc.data, "errorMessage": message}
    return Response(
        wire.encode(body),
        status_code=http_status or exc.http_status,
        media_type="application/json",
    )


def as_pay_error(exc: Exception) -> errors.PayError:
    if isinstance(exc, errors.PayError):
        return exc
    if isinstance(exc, UnknownEndpoint):
        if exc.status_code == 405:
            return errors.BadHttpMethod("Request method not supported.")
        return errors.InvalidRequest("Unknown endpoint.")
    if isinstance(exc, BadRequest):
        return errors.InvalidRequest(exc.message)
    if is_busy(exc):
        return errors.UnknownError("The system is busy; try again later.")
    return errors.UnknownError("An unknown error occurred while processing the request.")


def render_pay_error(exc: Exception) -> tuple[Response, str | None]:
    failure = as_pay_error(exc)
    status = exc.status_code if isinstance(exc, UnknownEndpoint) else None
    return error_response(failure, status), failure.code


class PayFamily:
    name: str = "pay"
    fault_family: str = "pay"
    success_code: str | None = SUCCESS

    def check_body(self, exchange: Exchange) -> None:
        limit = exchange.request.app.state.platform.settings.pay_max_body_bytes
        check_body(exchange.headers(), exchange.body, limit)

    async def admit(self, exchange: Exchange, operation: Operation[PayCall]) -> None:
        """No rate limit: Pay's documents publish none."""

    async def authenticate(self, exchange: Exchange, operation: Operation[PayCall]) -> PayCall:
        return await authenticate_request(exchange)

    def render(self, data: Any) -> Response:
        return ok(data)

    def render_error(self, exc: Exception) -> tuple[Response, str | None]:
        return render_pay_error(exc)

    def finish(self, exchange: Exchange, response: Response) -> None:
        pass

    def identity(self, exchange: Exchange) -> dict[str, str | None]:
        return {"merchant_id": exchange.caller}

    def injected_error(self, code: str, message: str) -> Exception:
        injected = errors.PayError(message)
        injected.code = code
        return injected

    def rate_limited(self) -> Exception:
        return errors.UnknownError("Too many requests; try again later.")


PAY = PayFamily()
