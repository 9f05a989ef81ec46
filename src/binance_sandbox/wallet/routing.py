"""The Wallet API's HTTP side: its three path families and their envelopes, the weight
headers, and the guard every route depends on (rate limit, then authentication).

- `/wapi/v3/…`: HTTP 200 `{"success": false, "msg": …}` for errors, with the api-style error
  JSON inside `msg` for the request filters (key, signature, timestamp, parameters).
- `/sapi/v1/…` and `/api/v3/…`: `{"code": …, "msg": …}` with the error's HTTP status.
- In every family, rate limits (429/418, `Retry-After`) and server errors (5xx) answer
  `{"code", "msg"}`, since clients read any non-2xx answer that way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from binance_sandbox import jsonwire
from binance_sandbox.platform import Platform
from binance_sandbox.wallet import errors
from binance_sandbox.wallet.auth import API_KEY, AuthFailure, WalletKey, authenticate
from binance_sandbox.wallet.params import Params
from binance_sandbox.wallet.service import Wapi
from binance_sandbox.web import BadRequest, Family, client_host, is_busy, noted

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
    response = Response(jsonwire.dumps(body), status_code=status, media_type="application/json")
    if isinstance(error, errors.RateLimited):
        response.headers["Retry-After"] = str(error.retry_after_s)
    return response


def api_error_body(error: errors.WalletError) -> dict[str, Any]:
    return {"code": error.code, "msg": error.message}


def render_api_error(exc: Exception) -> tuple[Response, str | None]:
    error = as_wallet_error(exc)
    return _json(api_error_body(error), error.http_status, error), str(error.code)


def render_wapi_error(exc: Exception) -> tuple[Response, str | None]:
    error = as_wallet_error(exc)
    if isinstance(error, errors.RateLimited | errors.ServerError):
        return render_api_error(error)
    if isinstance(error, errors.FilterError):
        msg = json.dumps(api_error_body(error), separators=(",", ":"))
    else:
        msg = error.message
    return _json({"success": False, "msg": msg}, 200, error), str(error.code)


def unknown_path(status_code: int, message: str) -> Response:
    """A path under /wapi, /sapi or /api that does not exist (404) or a wrong method (405):
    `{"code","msg"}`, as every non-2xx answer of these families."""
    return _json({"code": errors.Unknown.code, "msg": message}, status_code)


def _weighted(family: Family) -> type[APIRoute]:
    """The family's route class, plus the IP's used weight on every answer."""

    class WeightedRoute(family.route_class):  # type: ignore[name-defined,misc]
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def with_weight(request: Request) -> Response:
                response: Response = await handler(request)
                used = noted(request, "used_weight")
                if used is not None:
                    for name in WEIGHT_HEADERS:
                        response.headers[name] = str(used)
                return response

            return with_weight

    WeightedRoute.__name__ = f"Weighted{family.route_class.__name__}"
    return WeightedRoute


WAPI = Family("wapi", render_wapi_error)
SAPI = Family("sapi", render_api_error)
API = Family("api", render_api_error)
WAPI_ROUTE, SAPI_ROUTE, API_ROUTE = _weighted(WAPI), _weighted(SAPI), _weighted(API)


def ok(body: Any) -> Response:
    return Response(jsonwire.dumps(body), media_type="application/json")


@dataclass
class WalletCall:
    params: Params
    key: WalletKey | None
    now_ms: int

    @property
    def user_id(self) -> str:
        assert self.key is not None
        return self.key.user_id


class Guard:
    """The dependency of a route of `security` (the spec's security type) and `weight`:
    counts the request's weight, then authenticates a SIGNED one, then refuses it while the
    system is under maintenance. The endpoint reads its parameters only after all pass."""

    def __init__(self, security: str, weight: int = 1) -> None:
        self.security = security
        self.weight = weight
        self.signed = security in ("TRADE", "USER_DATA")

    async def __call__(self, request: Request) -> WalletCall:
        platform: Platform = request.app.state.platform
        wapi: Wapi = request.app.state.wapi
        await platform.refresh_clock_if_stale()
        now = platform.clock.now_ms()
        client_ip = client_host(request)
        api_key = request.headers.get("x-mbx-apikey", "").strip()
        lookup = self.signed and API_KEY.match(api_key) is not None
        known = await wapi.keys.get(api_key) if lookup else None
        try:
            request.state.used_weight = await wapi.limiter.admit(
                ip=client_ip or "unknown",
                api_key=known.api_key if known else None,
                weight=self.weight,
                now_ms=now,
            )
        except errors.RateLimited as exc:
            request.state.used_weight = exc.used_weight
            raise
        raw_query: bytes = request.scope.get("query_string", b"")
        raw_body = await request.body()
        limit = platform.settings.max_body_bytes
        if len(raw_body) > limit:
            raise errors.RequestTooLarge(f"Request body is larger than {limit} bytes.")
        params = Params.parse(raw_query, raw_body)
        if not self.signed:
            return WalletCall(params, None, now)
        try:
            key = await authenticate(
                wapi.keys,
                platform.clock,
                api_key=api_key,
                security=self.security,
                params=params,
                raw_query=raw_query,
                raw_body=raw_body,
                client_ip=client_ip,
            )
        except AuthFailure as failure:
            request.state.caller = failure.caller
            request.state.explanation = failure.explanation
            raise failure.error from None
        request.state.caller = key.user_id
        status = await wapi.status.system()
        if status.status != 0:
            raise errors.Maintenance()
        return WalletCall(params, key, now)


NONE = Guard("NONE")
USER_DATA = Guard("USER_DATA")
TRADE = Guard("TRADE")
