"""The sandbox's own routes on FastAPI (control API, console, hosted pages, health): each
group's route class renders every failure in the group's envelope and records the request.

`route_class` follows FastAPI's "Custom Request and APIRoute class" page: the handler FastAPI
builds, wrapped."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.responses import Response

from binance_sandbox.web.errors import BadRequest, expected, is_bug
from binance_sandbox.web.requestlog import record
from binance_sandbox.web.schema import describe_errors

log = logging.getLogger("binance_sandbox")

ErrorRenderer = Callable[[Exception], tuple[Response, str | None]]
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


@dataclass
class Family:
    name: str
    render_error: ErrorRenderer
    # Whether its requests go to the request log, the log and the metrics (not health checks).
    logged: bool = True
    route_class: type[APIRoute] = field(init=False)

    def __post_init__(self) -> None:
        self.route_class = _route_class(self)


def _route_class(family: Family) -> type[APIRoute]:
    class FamilyRoute(APIRoute):
        def get_route_handler(self) -> Handler:
            original = super().get_route_handler()

            async def handler(request: Request) -> Response:
                started = time.perf_counter()
                code: str | None = None
                try:
                    response = await original(request)
                except RequestValidationError as exc:
                    bad = BadRequest(f"Illegal parameter: {describe_errors(exc.errors())}")
                    response, code = family.render_error(bad)
                except Exception as exc:  # every failure gets the family's envelope
                    failure = expected(exc)
                    if is_bug(failure):
                        log.exception("unexpected error on %s %s", request.method, request.url.path)
                    response, code = family.render_error(failure)
                if family.logged:
                    record(
                        request,
                        family=family.name,
                        endpoint=self.path,
                        started=started,
                        http_status=response.status_code,
                        code=code,
                    )
                return response

            return handler

    FamilyRoute.__name__ = f"{family.name.title()}Route"
    return FamilyRoute
