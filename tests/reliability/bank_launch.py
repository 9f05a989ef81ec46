"""`binance-sandbox <arguments>`, started as a warm standby: the package is imported at once,
`READY_FILE` is created, and the command runs when a line arrives on stdin (EOF: exit). A
killed process is then replaced within the time the platform itself takes to start, not the
seconds Python takes to import it, as after a crash and a supervisor's restart.

    python bank_launch.py READY_FILE serve --no-worker --port 8080 --database sqlite:///x.db
"""

from __future__ import annotations

import sys
from pathlib import Path

# The slow imports (uvicorn, the package), done before the go signal.
import uvicorn

import binance_sandbox.app
import binance_sandbox.runner
import binance_sandbox.storage.migrate
from binance_sandbox.cli import main

_ = (binance_sandbox.app, binance_sandbox.runner, binance_sandbox.storage.migrate, uvicorn)

if __name__ == "__main__":
    Path(sys.argv[1]).touch()
    if not sys.stdin.readline():
        sys.exit(0)
    sys.argv = ["binance-sandbox", *sys.argv[2:]]
    main()
