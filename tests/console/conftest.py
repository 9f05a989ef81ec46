"""The console's browser tests: Debian's Chromium once per module, a page per test, and a
webhook endpoint that acknowledges every delivery."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from console_support import launch_browser, new_page
from playwright.sync_api import Browser, Page
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox_harness import ServerThread


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launch_browser()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from new_page(browser)


@pytest.fixture(scope="module")
def hook_url() -> Iterator[str]:
    """A partner's and a merchant's webhook endpoint: acknowledges every delivery."""

    async def ack(request: Request) -> JSONResponse:
        return JSONResponse({"returnCode": "SUCCESS", "returnMessage": None})

    server = ServerThread(Starlette(routes=[Route("/hook", ack, methods=["POST"])])).start()
    yield f"{server.url}/hook"
    server.stop()
