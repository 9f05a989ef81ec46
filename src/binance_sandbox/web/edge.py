"""The ASGI app the server runs: the families' mounts and the health check first, then
FastAPI for everything else (control API, console, hosted pages, documentation, metrics).

A family's request goes from the server straight to its mount: no FastAPI middleware, no
match against FastAPI's routes. The chain catches every failure itself (`web.chain.handle`),
so nothing is left for FastAPI's error middleware to do there. FastAPI, mounted at the root,
still answers every other path as before (its exception handlers, `/openapi.json`).

Starlette runs only the outermost app's lifespan: the edge runs it, on the FastAPI app's own
`State`, so that `request.app.state` is the same object behind a family's mount and behind a
FastAPI route."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from starlette.routing import BaseRoute, Router
from starlette.types import Lifespan, Receive, Scope, Send


class Edge:
    def __init__(self, api: FastAPI, routes: Iterable[BaseRoute], lifespan: Lifespan[Any]) -> None:
        self.api = api
        self.state = api.state
        # FastAPI as the router's default rather than a mount at the root: a mount matches no
        # path with a line break in it (`%0A`), and the router's own 404 is no answer of ours.
        self.router = Router(routes=list(routes), default=api, lifespan=lifespan)

    def openapi(self) -> dict[str, Any]:
        """The OpenAPI document `/openapi.json` serves."""
        return self.api.openapi()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # `request.app` (and the lifespan's argument) is the edge, with the shared state.
        scope["app"] = self
        await self.router(scope, receive, send)
