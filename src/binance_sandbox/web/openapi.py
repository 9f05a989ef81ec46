"""The OpenAPI document (`/openapi.json`, `/docs`): FastAPI's own routes, and every family's
operations, documented by routes that are never mounted (FastAPI's "Extending OpenAPI")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.routing import BaseRoute

from binance_sandbox.web.chain import Operation


# Never called (the family's chain answers the operation); no docstring, which FastAPI would
# publish as each operation's description.
async def _documented_only() -> None:
    return None


def documenting_routes(operations: Iterable[Operation[Any]]) -> list[BaseRoute]:
    router = APIRouter()
    for operation in operations:
        router.add_api_route(
            operation.path, _documented_only, methods=[operation.method], **operation.doc
        )
    return router.routes


def publish(app: FastAPI, operations: Iterable[Operation[Any]]) -> None:
    """`app.openapi()` with the families' operations first, as the app lists its routes."""
    documented = documenting_routes(operations)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                summary=app.summary,
                description=app.description,
                routes=[*documented, *app.routes],
                tags=app.openapi_tags,
                servers=app.servers,
                separate_input_output_schemas=app.separate_input_output_schemas,
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
