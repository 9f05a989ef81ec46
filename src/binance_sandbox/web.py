"""HTTP plumbing every family shares.

Each family declares a `Family`: how its errors render. Its routes use `family.route_class`,
which turns *every* exception raised while handling a request — domain errors, malformed
bodies, database trouble, bugs — into that family's envelope, and writes the request log.
Nothing else builds error JSON.
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from binance_sandbox import jsonwire
from binance_sandbox.observability.metrics import Metrics

log = logging.getLogger("binance_sandbox")
request_logger = logging.getLogger("binance_sandbox.requests")

M = TypeVar("M", bound=BaseModel)


class BadRequest(Exception):
    """The request could not be read (not JSON, not an object, a field of the wrong kind)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Busy(Exception):
    """The database could not take the request now (locked, serialization failure, a
    connection it dropped)."""


def is_busy(exc: BaseException) -> bool:
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True  # the database dropped the connection (a restart): a retry gets a new one
    if isinstance(exc, OperationalError | DBAPIError):
        text = str(exc.orig if isinstance(exc, DBAPIError) else exc).lower()
        return any(
            marker in text
            for marker in (
                "database is locked",
                "could not serialize",
                "deadlock detected",
                "lock timeout",
                "canceling statement due to lock timeout",
                "busy",
            )
        )
    return False


def is_bad_value(exc: BaseException) -> bool:
    """The database or its driver refused a value the request carried: a NUL character or a
    string longer than its column (PostgreSQL), an integer past the column's range."""
    if isinstance(exc, DataError | OverflowError):
        return True
    if isinstance(exc, DBAPIError):
        # asyncpg's errors reach SQLAlchemy as its generic `DBAPIError`: PostgreSQL's "data
        # exception" class (SQLSTATE 22…), or a value asyncpg itself could not encode.
        sqlstate = str(getattr(exc.orig, "sqlstate", None) or "")
        cause = exc.orig.__cause__ if exc.orig is not None else None
        return sqlstate.startswith("22") or isinstance(cause, ValueError)
    return False


BAD_VALUE = (
    "Illegal parameter: a value cannot be stored or looked up "
    "(a NUL character, too long, or a number out of range)."
)


def describe_validation(exc: ValidationError) -> str:
    return describe_errors(exc.errors())


def describe_errors(errors: Sequence[Any]) -> str:
    parts = []
    for err in list(errors)[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


def header_map(request: Request) -> dict[str, str]:
    """The request's headers by name, the last of a repeated one. ASGI servers give the names
    in lower case (Starlette's own lookups rely on it); read from the scope, without
    Starlette's `Headers` decoding them a second time."""
    return {
        name.decode("latin-1"): value.decode("latin-1") for name, value in request.scope["headers"]
    }


class AppState(State):
    """`app.state` whose values are the object's own attributes.

    Starlette's `State` keeps them in a dictionary read by `__getattr__`, which Python calls
    only once its ordinary lookup has failed and formatted an AttributeError: for every read,
    several a request. Here that dictionary is the instance's own, so a read finds the value
    at once; setting, deleting and a missing name behave as in `State`."""

    def __init__(self) -> None:
        """Empty; `State.__init__` would set `_state` as an attribute of its own."""

    @property
    def _state(self) -> dict[str, Any]:  # type: ignore[override]
        return self.__dict__


def noted(request: Request, name: str) -> Any:
    """What the request's handling noted under `name` (`request.state.<name> = …`), or None.

    Starlette keeps those notes in the scope's "state" dictionary; reading it there costs a
    lookup, where `getattr(request.state, name, None)` raises and formats an AttributeError
    for every name not set."""
    return request.scope.get("state", {}).get(name)


def client_host(request: Request) -> str | None:
    """The caller's address, from the ASGI scope (without building Starlette's `Address`)."""
    client = request.scope.get("client")
    return client[0] if client else None


def parse_json_object(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        value = jsonwire.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("Request body is not valid JSON.") from exc
    except RecursionError as exc:
        raise BadRequest("Request body is nested too deeply.") from exc
    if not isinstance(value, dict):
        raise BadRequest("Request body must be a JSON object.")
    return value


def parse_model(model: type[M], raw: bytes) -> M:
    try:
        return model.model_validate(parse_json_object(raw))
    except ValidationError as exc:
        raise BadRequest(f"Illegal parameter: {describe_validation(exc)}") from exc


def openapi_body(model: type[BaseModel]) -> dict[str, Any]:
    """Document a JSON body that the route reads itself (it must verify the raw bytes
    before parsing them, and parse numbers as decimals)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline_schema(model)}},
        }
    }


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its nested models written in place: pydantic refers to
    them as `#/$defs/…`, a pointer that in an OpenAPI document would lead nowhere."""
    schema = model.model_json_schema()
    defs: dict[str, Any] = schema.pop("$defs", {})

    def inline(node: Any, within: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(item, within) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            name = ref.removeprefix("#/$defs/")
            if name in within:
                raise TypeError(f"{model.__name__}: {name} contains itself; cannot inline it")
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return inline({**defs[name], **rest}, (*within, name))
        return {key: inline(value, within) for key, value in node.items()}

    result: dict[str, Any] = inline(schema, ())
    return result


@dataclass
class LoggedRequest:
    at: int
    family: str
    method: str
    path: str
    caller: str | None
    client_ip: str | None
    http_status: int
    code: str | None
    latency_ms: int
    explanation: str | None


@dataclass
class RequestLog:
    """Recent requests, kept in memory and flushed to the database in batches so that
    logging never adds a write to the request's own path."""

    capacity: int = 10_000
    pending: deque[LoggedRequest] = field(default_factory=deque)

    def add(self, entry: LoggedRequest) -> None:
        if len(self.pending) >= self.capacity:
            self.pending.popleft()
        self.pending.append(entry)

    def drain(self) -> list[LoggedRequest]:
        items = list(self.pending)
        self.pending.clear()
        return items


ErrorRenderer = Callable[[Exception], tuple[Response, str | None]]


class RequestHook(Protocol):
    """Runs around a family's endpoint (`app.state.request_hook`): `before` once the route's
    dependencies (authentication) have run, `after` on the answer. The sandbox's faults."""

    async def before(self, family: str, request: Request) -> None: ...

    def after(self, family: str, request: Request, response: Response) -> Response: ...


_current_request: ContextVar[Request | None] = ContextVar("bsx_request", default=None)


def _hooked(family: Family, endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The endpoint, preceded by the request hook. FastAPI reads the signature through
    `functools.wraps`, so the dependencies (authentication) still run first."""

    is_async = inspect.iscoroutinefunction(endpoint)

    @functools.wraps(endpoint)
    async def call(*args: Any, **kwargs: Any) -> Any:
        request = _current_request.get()
        hook: RequestHook | None = (
            getattr(request.app.state, "request_hook", None) if request is not None else None
        )
        if hook is not None and request is not None:
            await hook.before(family.name, request)
        if is_async:
            return await endpoint(*args, **kwargs)
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return call


@dataclass
class Family:
    name: str
    render_error: ErrorRenderer
    success_code: Callable[[Response], str | None] = lambda _r: None
    # Whether its requests go to the request log, the log and the metrics (not health checks).
    logged: bool = True
    route_class: type[APIRoute] = field(init=False)

    def __post_init__(self) -> None:
        self.route_class = _route_class(self)


Handler = Callable[[Request], Coroutine[Any, Any, Response]]
_PARAMETER_KINDS = ("path_params", "query_params", "header_params", "cookie_params", "body_params")
_SPECIAL_PARAMETERS = (
    "websocket_param_name",
    "http_connection_param_name",
    "response_param_name",
    "background_tasks_param_name",
    "security_scopes_param_name",
)


def _is_async(call: Any) -> bool:
    # A dependency may be an object with an `async def __call__` (the Wallet API's guards).
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(type(call).__call__)


def takes_only_the_request(dependant: Dependant) -> bool:
    """Whether an endpoint's parameters are the request and dependencies that, in turn, take
    only the request: what every family endpoint declares (it reads and verifies the raw
    body itself). Such an endpoint needs nothing of FastAPI's per-request parameter solving."""
    if any(getattr(dependant, kind) for kind in _PARAMETER_KINDS):
        return False
    if any(getattr(dependant, name) is not None for name in _SPECIAL_PARAMETERS):
        return False
    return all(
        sub.call is not None
        and _is_async(sub.call)
        and not sub.own_oauth_scopes
        and takes_only_the_request(sub)
        for sub in dependant.dependencies
    )


async def _solve(dependant: Dependant, request: Request, cache: dict[Any, Any]) -> dict[str, Any]:
    """The arguments of a call that `takes_only_the_request`; each dependency runs once per
    request, as FastAPI's cache would have it."""
    values: dict[str, Any] = {}
    if dependant.request_param_name is not None:
        values[dependant.request_param_name] = request
    for sub in dependant.dependencies:
        call = sub.call
        assert call is not None and sub.name is not None
        if sub.use_cache and call in cache:
            value = cache[call]
        else:
            value = await call(**await _solve(sub, request, cache))
            if sub.use_cache:
                cache[call] = value
        values[sub.name] = value
    return values


def _direct_handler(route: APIRoute) -> Handler:
    """Call the endpoint with the request and its dependencies' values; it answers with a
    `Response` of its own (the family's envelope), so nothing is serialized here."""
    dependant = route.dependant
    endpoint = dependant.call
    assert endpoint is not None

    async def handler(request: Request) -> Response:
        response = await endpoint(**await _solve(dependant, request, {}))
        if not isinstance(response, Response):
            raise TypeError(f"{route.path} answered {type(response).__name__}, not a Response")
        return response

    return handler


def _route_class(family: Family) -> type[APIRoute]:
    class FamilyRoute(APIRoute):
        def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
            super().__init__(path, _hooked(family, endpoint), **kwargs)
            # `get_route_handler` again, now that the route is built: the whole handler,
            # subclasses' wrappers included, for `StaticRoutes` to call.
            self.direct: Handler | None = (
                self.get_route_handler() if self._is_direct() and "{" not in path else None
            )

        def _is_direct(self) -> bool:
            # A `Response` the endpoint returns goes out as it is (a `response_model` only
            # documents it): the direct handler must never have a value to serialize.
            answers = get_typed_return_annotation(self.endpoint)
            return (
                isinstance(answers, type)
                and issubclass(answers, Response)
                and not self.dependencies
                and takes_only_the_request(self.dependant)
            )

        def get_route_handler(self) -> Handler:
            original = _direct_handler(self) if self._is_direct() else super().get_route_handler()

            async def handler(request: Request) -> Response:
                started = time.perf_counter()
                code: str | None
                _current_request.set(request)
                try:
                    response = await original(request)
                    code = family.success_code(response)
                except RequestValidationError as exc:
                    response, code = family.render_error(
                        BadRequest(f"Illegal parameter: {describe_errors(exc.errors())}")
                    )
                except Exception as exc:  # every failure gets the family's envelope
                    failure: Exception = BadRequest(BAD_VALUE) if is_bad_value(exc) else exc
                    expected = isinstance(failure, BadRequest | Busy) or is_busy(failure)
                    if not expected and not getattr(failure, "code", None):
                        log.exception("unexpected error on %s %s", request.method, request.url.path)
                    response, code = family.render_error(failure)
                hook: RequestHook | None = getattr(request.app.state, "request_hook", None)
                if hook is not None:
                    response = hook.after(family.name, request, response)
                if family.logged:
                    _record(request, family.name, self.path, started, response, code)
                return response

            return handler

    FamilyRoute.__name__ = f"{family.name.title()}Route"
    return FamilyRoute


def _record(
    request: Request,
    family: str,
    endpoint: str,
    started: float,
    response: Response,
    code: str | None,
) -> None:
    """The request's metrics, its entry in the request log and its log line."""
    state = request.app.state
    elapsed = time.perf_counter() - started
    metrics: Metrics | None = getattr(state, "metrics", None)
    if metrics is not None:
        # The route's path template, never the raw path: bounded label values.
        metrics.observe_request(
            family=family,
            endpoint=endpoint,
            code=code,
            http_status=response.status_code,
            seconds=elapsed,
        )
    request_log: RequestLog | None = getattr(state, "request_log", None)
    if request_log is None:
        return
    clock = getattr(state, "clock", None)
    entry = LoggedRequest(
        at=clock.now_ms() if clock else int(time.time() * 1000),
        family=family,
        method=request.method,
        path=request.scope["path"],  # not `request.url`: it parses the whole URL
        caller=noted(request, "caller"),
        client_ip=client_host(request),
        http_status=response.status_code,
        code=code,
        latency_ms=int(elapsed * 1000),
        explanation=noted(request, "explanation"),
    )
    request_log.add(entry)
    request_logger.info(
        "%s %s %s %s",
        entry.method,
        entry.path,
        entry.http_status,
        entry.code,
        extra={
            "family": entry.family,
            "method": entry.method,
            "path": entry.path,
            "endpoint": endpoint,
            "http_status": entry.http_status,
            "code": entry.code,
            "latency_ms": entry.latency_ms,
            "caller": entry.caller,
        },
    )


def direct_routes(routes: Sequence[Any]) -> dict[tuple[str, str], APIRoute]:
    """(method, path) → the route the router would pick for it, for the routes with a direct
    handler. A path that an earlier route's pattern also matches (`/users/{id}` before
    `/users/search`) stays with the router, which tries them in order."""
    table: dict[tuple[str, str], APIRoute] = {}
    earlier: list[Any] = []
    for route in routes:
        path = getattr(route, "path", None)
        direct = getattr(route, "direct", None)
        if direct is not None and isinstance(path, str):
            shadowed = any(
                other.path_regex.match(path)
                for other in earlier
                if getattr(other, "path_regex", None) is not None
            )
            if not shadowed:
                for method in route.methods:
                    table.setdefault((method, path), route)
        earlier.append(route)
    return table


class StaticRoutes:
    """ASGI middleware: family endpoints at fixed paths, found by one dictionary lookup.

    FastAPI's router tries every route in turn, the routes of each included router behind
    the ones before it: with the few hundred routes of this app that walk was most of the
    cost of a request to a route near the end (~70 % of `GET /healthz`, profiled). A family
    route whose handler is direct (`FamilyRoute.direct`: it takes only the request and renders
    every failure in its family's envelope) is called straight from here; every other request
    (a path with parameters, a page, an unknown path) goes on to the router unchanged.
    """

    def __init__(self, app: ASGIApp, routes: Callable[[], Sequence[Any]]) -> None:
        """`routes`: the app's routes in the order the router tries them, read on the first
        request (when every route is in place)."""
        self.app = app
        self._routes = routes
        self._table: dict[tuple[str, str], APIRoute] | None = None

    def table(self) -> dict[tuple[str, str], APIRoute]:
        if self._table is None:
            self._table = direct_routes(self._routes())
        return self._table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope.get("root_path"):
            route = self.table().get((scope["method"], scope["path"]))
            if route is not None:
                scope["route"], scope["endpoint"], scope["path_params"] = route, route.endpoint, {}
                request = Request(scope, receive, send)
                response = await route.direct(request)  # type: ignore[attr-defined]
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
