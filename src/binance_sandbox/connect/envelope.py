"""The Connect envelope `{success, code, data, message}` (guide §11), and the Connect family's
part in the request chain: its body limit, its authentication, and its renderer for every
failure."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from starlette.responses import Response

from binance_sandbox import wire
from binance_sandbox.connect import errors
from binance_sandbox.connect.auth import ConnectCall, authenticate_request
from binance_sandbox.web import BadRequest, is_busy
from binance_sandbox.web.chain import Exchange, Operation
from binance_sandbox.web.errors import UnknownEndpoint

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
    return Response(wire.encode(body), media_type="application/json")


def error(exc: errors.ConnectError, http_status: int | None = None) -> Response:
    body = {"success": False, "code": exc.code, "data": exc.data, "message": exc.message}
    return Response(
        wire.encode(body),
        status_code=http_status or exc.http_status,
        media_type="application/json",
    )


def as_connect_error(exc: Exception) -> errors.ConnectError:
    if isinstance(exc, errors.ConnectError):
        return exc
    if isinstance(exc, BadRequest | UnknownEndpoint):
        return errors.IllegalParameters(exc.message)
    if is_busy(exc):
        return errors.SysBusy("System busy, please retry in 1-2 seconds.")
    return errors.SysError("System error.")


def render_connect_error(exc: Exception) -> tuple[Response, str | None]:
    failure = as_connect_error(exc)
    status = exc.status_code if isinstance(exc, UnknownEndpoint) else None
    return error(failure, status), failure.code


class ConnectFamily:
    """Connect Prime and Connect Deposit: one authentication, one envelope."""

    name: str = "connect"
    fault_family: str = "connect"
    success_code: str | None = SUCCESS

    def check_body(self, exchange: Exchange) -> None:
        limit = exchange.request.app.state.platform.settings.max_body_bytes
        if len(exchange.body) > limit:
            raise errors.IllegalParameters("Request body is too large.")

    async def admit(self, exchange: Exchange, operation: Operation[ConnectCall]) -> None:
        """No rate limit: the guide publishes none."""

    async def authenticate(
        self, exchange: Exchange, operation: Operation[ConnectCall]
    ) -> ConnectCall:
        return await authenticate_request(exchange)

    def render(self, data: Any) -> Response:
        return ok(data)

    def render_error(self, exc: Exception) -> tuple[Response, str | None]:
        return render_connect_error(exc)

    def finish(self, exchange: Exchange, response: Response) -> None:
        pass

    def identity(self, exchange: Exchange) -> dict[str, str | None]:
        return {"partner_client_id": exchange.caller}

    def injected_error(self, code: str, message: str) -> Exception:
        known = {cls.code: cls for cls in errors.ConnectError.__subclasses__()}
        injected = known.get(code, errors.ConnectError)(message)
        injected.code = code
        return injected

    def rate_limited(self) -> Exception:
        # SYS_BUSY: the guide's answer to retry after 1–2 s (§11).
        return errors.SysBusy("System busy, please retry in 1-2 seconds.")


CONNECT = ConnectFamily()
