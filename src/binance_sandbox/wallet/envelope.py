"""The Wallet API's envelopes, and its part in the request chain (body limit, rate limit with
its weight headers, authentication).

- `/wapi/v3/…`: HTTP 200 `{"success": false, "msg": …}` for errors, with the api-style error
  JSON inside `msg` for the request filters (key, signature, timestamp, parameters).
- `/sapi/v1/…` and `/api/v3/…`: `{"code": …, "msg": …}` with the error's HTTP status.
- In every family, rate limits (429/418, `Retry-After`), server errors (5xx) and unknown paths
  answer `{"code", "msg"}`, since clients read any non-2xx answer that way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from binance_sandbox import wire
from binance_sandbox.wallet import errors
from binance_sandbox.wallet.auth import WalletCall, admit_request, api_key_of, authenticate_request
from binance_sandbox.web import BadRequest, is_busy
from binance_sandbox.web.chain import Exchange, Operation
from binance_sandbox.web.errors import UnknownEndpoint

WEIGHT_HEADERS = ("X-MBX-USED-WEIGHT-1M", "X-MBX-USED-WEIGHT")


def as_wallet_error(exc: Exception) -> errors.WalletError:
    if isinstance(exc, errors.WalletError):
        return exc
    if isinstance(exc, BadRequest):
        return errors.IllegalChars(exc.message)
    if is_busy(exc):
        return errors.Busy()
    return errors.Unknown()


def _json(body: Any, status: int, error: errors.WalletError | None = None) -> Response:
    response = Response(wire.encode(body), status_code=status, media_type="application/json")
    if isinstance(error, errors.RateLimited):
        response.headers["Retry-After"] = str(error.retry_after_s)
    return response


def api_error_body(error: errors.WalletError) -> dict[str, Any]:
    return {"code": error.code, "msg": error.message}


def render_api_error(exc: Exception) -> tuple[Response, str | None]:
    if isinstance(exc, UnknownEndpoint):
        # A path under /wapi, /sapi or /api that does not exist (404), or a wrong method (405).
        return _json({"code": errors.Unknown.code, "msg": exc.message}, exc.status_code), None
    error = as_wallet_error(exc)
    return _json(api_error_body(error), error.http_status, error), str(error.code)


def render_wapi_error(exc: Exception) -> tuple[Response, str | None]:
    if isinstance(exc, UnknownEndpoint):
        return render_api_error(exc)
    error = as_wallet_error(exc)
    if isinstance(error, errors.RateLimited | errors.ServerError):
        return render_api_error(error)
    if isinstance(error, errors.FilterError):
        msg = json.dumps(api_error_body(error), separators=(",", ":"))
    else:
        msg = error.message
    return _json({"success": False, "msg": msg}, 200, error), str(error.code)


class WalletFamily:
    """One of the Wallet API's three path families: one rule for requests, its own envelope."""

    fault_family: str = "wallet"
    success_code: str | None = None

    def __init__(
        self, name: str, render_error: Callable[[Exception], tuple[Response, str | None]]
    ) -> None:
        self.name = name
        self.render_error = render_error

    def check_body(self, exchange: Exchange) -> None:
        limit = exchange.request.app.state.platform.settings.max_body_bytes
        if len(exchange.body) > limit:
            raise errors.RequestTooLarge(f"Request body is larger than {limit} bytes.")

    async def admit(self, exchange: Exchange, operation: Operation[WalletCall]) -> None:
        await admit_request(exchange, operation.guard)

    async def authenticate(
        self, exchange: Exchange, operation: Operation[WalletCall]
    ) -> WalletCall:
        return await authenticate_request(exchange, operation.guard)

    def render(self, data: Any) -> Response:
        return Response(wire.encode(data), media_type="application/json")

    def finish(self, exchange: Exchange, response: Response) -> None:
        """The IP's used weight on every answer, refused ones included."""
        used = exchange.notes.get("used_weight")
        if used is not None:
            for name in WEIGHT_HEADERS:
                response.headers[name] = str(used)

    def identity(self, exchange: Exchange) -> dict[str, str | None]:
        return {"user_id": exchange.caller, "api_key": api_key_of(exchange)}

    def injected_error(self, code: str, message: str) -> Exception:
        injected = errors.WalletError(message)
        try:
            injected.code = int(code)
        except ValueError:
            injected.code = errors.WalletError.code
        return injected

    def rate_limited(self) -> Exception:
        return errors.TooManyRequests(
            "Too many requests; current limit is reached (sandbox fault).",
            retry_after_s=1,
            used_weight=0,
        )


WAPI = WalletFamily("wapi", render_wapi_error)
SAPI = WalletFamily("sapi", render_api_error)
API = WalletFamily("api", render_api_error)
