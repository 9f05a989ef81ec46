"""The request chain of the API families, read top to bottom.

Every request to a family's operation goes through the same links, in this order:

    body limit → rate limit → authenticate → fault hook → handler → envelope → request record

A family (`ApiFamily`) plugs in its own links: how large a body may be, its rate limit (only
the Wallet API has one), its authentication (which gives the handler its `Call`: who is
calling, and the request's body or parameters), its envelope for an answer and its renderer
for every failure (domain errors, unreadable requests, a busy database, bugs). The fault hook
(`FaultHook`, `app.state.request_hook`) is the sandbox's fault injection; the chain knows it
only by this protocol. Each family is one Starlette `Mount` of plain routes (`mount`), which
answers an unknown path or method under its prefix in the family's own envelope.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send

from binance_sandbox import clock
from binance_sandbox.web.errors import UnknownEndpoint, expected, is_bug
from binance_sandbox.web.requestlog import record

log = logging.getLogger("binance_sandbox")

C = TypeVar("C")
Handler = Callable[[C], Awaitable[Any]]
Declare = Callable[[Handler[C]], Handler[C]]


@dataclass(slots=True)
class Exchange:
    """One request on its way through the chain, and what the links noted about it."""

    request: Request
    body: bytes = b""
    # Who the request claims to be (even when authentication refused it), and why a
    # signature did not match: for the request log and the console.
    caller: str | None = None
    explanation: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)  # a family's or a hook's own
    _headers: dict[str, str] | None = None

    def headers(self) -> dict[str, str]:
        """The request's headers by name, the last of a repeated one. ASGI servers give the
        names in lower case, as Starlette's own lookups rely on."""
        if self._headers is None:
            self._headers = {
                name.decode("latin-1"): value.decode("latin-1")
                for name, value in self.request.scope["headers"]
            }
        return self._headers


@dataclass(frozen=True)
class Operation(Generic[C]):
    """One documented operation: its method and full path, the handler (parse the request
    with the family's schemas, call the service, return the answer's data), what the family
    checks before it (`guard`: the Wallet API's security type and weight), and the keywords
    that document it in the OpenAPI document (`fastapi.APIRouter.add_api_route`'s)."""

    method: str
    path: str
    handler: Handler[C]
    guard: Any = None
    doc: dict[str, Any] = field(default_factory=dict)


class Operations(list[Operation[C]]):
    """A family's operations under one prefix, declared with `@operations.post(path, …)`."""

    def __init__(self, prefix: str, tag: str) -> None:
        super().__init__()
        self.prefix, self.tag = prefix, tag

    def add(self, method: str, path: str, *, guard: Any = None, **doc: Any) -> Declare[C]:
        def declare(handler: Handler[C]) -> Handler[C]:
            documented = {"tags": [self.tag], "name": handler.__name__, **doc}
            self.append(Operation(method, self.prefix + path, handler, guard, documented))
            return handler

        return declare

    def get(self, path: str, **kwargs: Any) -> Declare[C]:
        return self.add("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Declare[C]:
        return self.add("POST", path, **kwargs)


class ApiFamily(Protocol[C]):
    """What a family plugs into the chain. `name` labels its requests in the request log and
    the metrics; `fault_family` names it in fault rules (docs/faults.md)."""

    name: str
    fault_family: str
    success_code: str | None

    def check_body(self, exchange: Exchange) -> None:
        """Body limit: refuse a body too large to read (the family's error)."""

    async def admit(self, exchange: Exchange, operation: Operation[C]) -> None:
        """Rate limit: count the request's weight, refuse it past the limit."""

    async def authenticate(self, exchange: Exchange, operation: Operation[C]) -> C:
        """Authenticate (noting `exchange.caller`), or raise the family's error."""
        ...

    def render(self, data: Any) -> Response:
        """The family's envelope around a handler's answer."""
        ...

    def render_error(self, exc: Exception) -> tuple[Response, str | None]:
        """Any failure in the family's envelope, and the code to log for it."""
        ...

    def finish(self, exchange: Exchange, response: Response) -> None:
        """The family's last word on every answer (the Wallet API's weight headers)."""

    # What the fault hook needs to act as this family would.
    def identity(self, exchange: Exchange) -> dict[str, str | None]: ...

    def injected_error(self, code: str, message: str) -> Exception: ...

    def rate_limited(self) -> Exception: ...


class FaultHook(Protocol):
    """Runs once authentication knows the caller (`before`), and sees the answer (`after`)."""

    async def before(self, family: ApiFamily[Any], exchange: Exchange) -> None: ...

    def after(self, exchange: Exchange, response: Response) -> Response: ...


async def handle(family: ApiFamily[C], operation: Operation[C], request: Request) -> Response:
    started = time.perf_counter()
    exchange = Exchange(request)
    hook: FaultHook | None = getattr(request.app.state, "request_hook", None)
    code: str | None
    try:
        # Authentication may pin the request to its tenant's test clock (`binance_sandbox.clock`).
        with clock.scope():
            exchange.body = await request.body()
            family.check_body(exchange)
            await family.admit(exchange, operation)
            call = await family.authenticate(exchange, operation)
            if hook is not None:
                await hook.before(family, exchange)
            response = family.render(await operation.handler(call))
            code = family.success_code
    except Exception as exc:  # every failure gets the family's envelope
        failure = expected(exc)
        if is_bug(failure):
            log.exception("unexpected error on %s %s", request.method, request.scope["path"])
        response, code = family.render_error(failure)
    if hook is not None:
        response = hook.after(exchange, response)
    family.finish(exchange, response)
    record(
        request,
        family=family.name,
        endpoint=operation.path,
        started=started,
        http_status=response.status_code,
        code=code,
        caller=exchange.caller,
        explanation=exchange.explanation,
    )
    return response


def unknown(family: ApiFamily[Any], status_code: int) -> Response:
    response, _code = family.render_error(UnknownEndpoint(status_code))
    response.status_code = status_code
    return response


class _Path:
    """The ASGI app of one path: its operations by method, and a 405 for any other method
    (Starlette would answer that itself, outside the family's envelope)."""

    def __init__(self, family: ApiFamily[C], by_method: dict[str, Operation[C]]) -> None:
        if "GET" in by_method:
            by_method.setdefault("HEAD", by_method["GET"])
        self.family, self.by_method = family, by_method

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        operation = self.by_method.get(request.method)
        if operation is None:
            response = unknown(self.family, 405 if self.by_method else 404)
        else:
            response = await handle(self.family, operation, request)
        await response(scope, receive, send)


def mount(root: str, family: ApiFamily[C], operations: Iterable[Operation[C]]) -> Mount:
    """The family's operations under `root` (a path prefix of each), one route per path, and
    a last route that answers every other path under `root` as unknown."""
    paths: dict[str, dict[str, Operation[C]]] = {}
    for operation in operations:
        assert operation.path.startswith(root + "/"), operation.path
        paths.setdefault(operation.path.removeprefix(root), {})[operation.method] = operation
    routes: list[BaseRoute] = [
        Route(path, _Path(family, by_method)) for path, by_method in paths.items()
    ]
    routes.append(Route("/{path:path}", _Path(family, {})))  # no operation: every method 404s
    return Mount(root, routes=routes, name=family.name)
