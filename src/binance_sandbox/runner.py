"""A delivery worker process without the HTTP server."""

from __future__ import annotations

import asyncio
import signal
import sys

from binance_sandbox.app import build_services, build_worker
from binance_sandbox.config import Settings
from binance_sandbox.faults.rules import FaultBook
from binance_sandbox.platform import open_platform


async def run_worker_forever(settings: Settings) -> None:
    platform = await open_platform(settings)
    faults = FaultBook(platform.db, settings.seed, refresh_ms=settings.fault_refresh_ms)
    worker = build_worker(platform, await build_services(platform), faults=faults)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    if sys.platform != "win32":  # Windows event loops take no signal handlers
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    try:
        await worker.run(stop)
    finally:
        await platform.aclose()
