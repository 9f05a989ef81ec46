"""What every part of `binance-sandbox demo` is made of: numbered steps that say how long
they took, and waiting (in real time) for what the servers do in the background."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console

T = TypeVar("T")


class Demo:
    def __init__(self, console: Console, workdir: Path) -> None:
        self.console = console
        self.workdir = workdir
        self.started = time.monotonic()
        self.step_no = 0

    def step(self, title: str, action: Callable[[], T], show: Callable[[T], str] = str) -> T:
        self.step_no += 1
        began = time.monotonic()
        with self.console.status(f"[{self.step_no:2}] {title}"):
            result = action()
        took = (time.monotonic() - began) * 1000
        self.console.print(
            f"[green]✓[/] [{self.step_no:2}] {title}  [dim]{took:.0f} ms[/]  {show(result)}"
        )
        return result


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("the demo waited too long")
        time.sleep(0.1)
