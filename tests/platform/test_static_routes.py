"""`StaticRoutes` and the direct family handler (web.py): a fixed path is found by one lookup
and its endpoint called without FastAPI's parameter solving, with the same answers, errors,
dependency caching and route precedence as FastAPI's router gives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.responses import JSONResponse, Response

from binance_sandbox.app import create_app
from binance_sandbox.config import Settings
from binance_sandbox.serving import BackgroundServer
from binance_sandbox.web import Family, StaticRoutes, direct_routes


class Refused(Exception):
    pass


def render(exc: Exception) -> tuple[Response, str | None]:
    code = "REFUSED" if isinstance(exc, Refused) else "BROKEN"
    return JSONResponse({"fail": code}, status_code=418), code


THINGS = Family("things", render, logged=False)
calls: list[str] = []


async def caller(request: Request) -> str:
    calls.append("caller")
    return request.headers.get("x-caller", "nobody")


async def greeting(who: Annotated[str, Depends(caller)]) -> str:
    return f"hello {who}"


Caller = Annotated[str, Depends(caller)]
Greeting = Annotated[str, Depends(greeting)]

router = APIRouter(route_class=THINGS.route_class)


@router.get("/things/{name}")
async def thing(name: str) -> Response:
    return JSONResponse({"thing": name})


@router.get("/things/search")  # behind /things/{name}: FastAPI's router never reaches it
async def search(who: Caller) -> Response:
    return JSONResponse({"search": who})


@router.get("/plain")
async def plain(who: Caller, hello: Greeting, request: Request) -> Response:
    return JSONResponse({"who": who, "hello": hello, "path": request.scope["path"]})


@router.post("/refuse")
async def refuse(who: Caller) -> Response:
    raise Refused(who)


@router.post("/broken")
async def broken() -> Response:
    raise RuntimeError("a bug")


@router.get("/typed")
async def typed(x: int) -> Response:
    return JSONResponse({"x": x})


def small_app() -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    app.add_middleware(StaticRoutes, routes=lambda: router.routes)
    return app


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    server = BackgroundServer(small_app()).start()
    try:
        yield server.url
    finally:
        server.stop()


def test_only_unshadowed_fixed_paths_of_direct_endpoints_are_in_the_table() -> None:
    table = direct_routes(router.routes)
    assert sorted(table) == [("GET", "/plain"), ("POST", "/broken"), ("POST", "/refuse")]


def test_a_direct_endpoint_gets_its_dependencies_each_run_once(url: str) -> None:
    calls.clear()
    answer = httpx.get(f"{url}/plain", headers={"x-caller": "ana"})
    assert answer.status_code == 200
    assert answer.json() == {"who": "ana", "hello": "hello ana", "path": "/plain"}
    assert calls == ["caller"]  # used twice, run once: FastAPI's cache


def test_failures_of_a_direct_endpoint_get_the_family_envelope(url: str) -> None:
    refused = httpx.post(f"{url}/refuse")
    assert (refused.status_code, refused.json()) == (418, {"fail": "REFUSED"})
    broken = httpx.post(f"{url}/broken")
    assert (broken.status_code, broken.json()) == (418, {"fail": "BROKEN"})


def test_everything_else_goes_to_the_router_as_before(url: str) -> None:
    # The earlier pattern still wins, as in FastAPI's router.
    assert httpx.get(f"{url}/things/search").json() == {"thing": "search"}
    assert httpx.get(f"{url}/typed", params={"x": "7"}).json() == {"x": 7}
    # A wrong method on a fixed path: FastAPI's 405, with its Allow header.
    wrong = httpx.post(f"{url}/plain")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET"
    assert httpx.get(f"{url}/nowhere").status_code == 404


def test_the_hot_endpoints_of_every_family_are_direct(tmp_path: Any) -> None:
    """Each family's signed endpoints take only the request; a parameter FastAPI would have
    to solve (a query or header parameter, a typed body) would take one off the fast path."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'routes.db'}"))
    (middleware,) = [m for m in app.user_middleware if m.cls is StaticRoutes]
    table = direct_routes(middleware.kwargs["routes"]())
    for hot in [
        ("GET", "/healthz"),
        ("POST", "/papi/v1/ramp/connect/prime/quote"),
        ("POST", "/papi/v1/ramp/connect/prime/quote/execute"),
        ("POST", "/papi/v1/ramp/connect/prime/transaction"),
        ("POST", "/papi/v1/ramp/connect/deposit/authorization"),
        ("POST", "/binancepay/openapi/v2/order"),
        ("POST", "/binancepay/openapi/v3/order/create"),
        ("POST", "/binancepay/openapi/v2/order/query"),
        ("GET", "/wapi/v3/depositHistory.html"),
        ("POST", "/wapi/v3/withdraw.html"),
    ]:
        assert hot in table, hot
