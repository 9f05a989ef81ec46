"""Shared fixtures: the sandbox on a real loopback port (see `sandbox_harness`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sandbox_harness import Sandbox, start_sandbox


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    box, stop = start_sandbox(tmp_path_factory.mktemp("sandbox"), "main")
    yield box
    stop()


@pytest.fixture(scope="module")
def make_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Sandbox]]:
    """Extra servers with their own settings and database, stopped at the end of the module.

    Each server keeps its pool's connections open while it runs; stopping it with its module
    keeps the suite's PostgreSQL connections well under the server's `max_connections`."""
    stops: list[Callable[[], None]] = []

    def make(name: str, **overrides: Any) -> Sandbox:
        box, stop = start_sandbox(tmp_path_factory.mktemp(name), name, **overrides)
        stops.append(stop)
        return box

    yield make
    for stop in stops:
        stop()
