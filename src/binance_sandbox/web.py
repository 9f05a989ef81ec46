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
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

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
    """The database could not take the request now (locked, serialization failure)."""


def is_busy(exc: BaseException) -> bool:
    if isinstance(exc, PoolTimeout):
        return True
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
    return isinstance(exc, DataError | OverflowError)


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
    route_class: type[APIRoute] = field(init=False)

    def __post_init__(self) -> None:
        self.route_class = _route_class(self)


def _route_class(family: Family) -> type[APIRoute]:
    class FamilyRoute(APIRoute):
        def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
            super().__init__(path, _hooked(family, endpoint), **kwargs)

        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            original = super().get_route_handler()

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
                elapsed = time.perf_counter() - started
                metrics: Metrics | None = getattr(request.app.state, "metrics", None)
                if metrics is not None:
                    # The route's path template, never the raw path: bounded label values.
                    metrics.observe_request(
                        family=family.name,
                        endpoint=self.path,
                        code=code,
                        http_status=response.status_code,
                        seconds=elapsed,
                    )
                request_log: RequestLog | None = getattr(request.app.state, "request_log", None)
                if request_log is not None:
                    clock = getattr(request.app.state, "clock", None)
                    entry = LoggedRequest(
                        at=clock.now_ms() if clock else int(time.time() * 1000),
                        family=family.name,
                        method=request.method,
                        path=request.scope["path"],  # not `request.url`: it parses the whole URL
                        caller=getattr(request.state, "caller", None),
                        client_ip=request.client.host if request.client else None,
                        http_status=response.status_code,
                        code=code,
                        latency_ms=int(elapsed * 1000),
                        explanation=getattr(request.state, "explanation", None),
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
                            "endpoint": self.path,
                            "http_status": entry.http_status,
                            "code": entry.code,
                            "latency_ms": entry.latency_ms,
                            "caller": entry.caller,
                        },
                    )
                return response

            return handler

    FamilyRoute.__name__ = f"{family.name.title()}Route"
    return FamilyRoute
