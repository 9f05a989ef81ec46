"""Structured logs: the JSON formatter, and `serve --log-format json` writing one JSON object
per line, with one line per API request."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import httpx

from binance_sandbox.observability.logging import TEXT_FORMAT, JsonFormatter, TextFormatter
from binance_sandbox.serving import free_port


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    logger = logging.getLogger("binance_sandbox.test")
    return logger.makeRecord(
        logger.name, logging.INFO, __file__, 1, message, args, None, extra=extra
    )


def test_formatter_writes_one_json_object_with_the_extras() -> None:
    line = JsonFormatter().format(
        record("%s %s", "POST", "/x", family="connect", code="000000", latency_ms=3)
    )
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "INFO"
    assert entry["logger"] == "binance_sandbox.test"
    assert entry["message"] == "POST /x"
    assert entry["family"] == "connect" and entry["code"] == "000000"
    assert entry["latency_ms"] == 3
    assert entry["time"].endswith("+00:00")
    assert "args" not in entry and "msg" not in entry


def test_text_formatter_writes_what_the_standard_formatter_writes() -> None:
    """The same lines as `logging.Formatter`, within a second, across seconds and back."""
    ours, standard = TextFormatter(TEXT_FORMAT), logging.Formatter(TEXT_FORMAT)
    base = 1_800_000_000.0
    for created in (base, base + 0.001, base + 0.999, base + 1.0, base + 61.5, base + 0.5):
        record = logging.LogRecord("bsx", logging.INFO, "", 0, "GET %s", ("/x",), None)
        record.created, record.msecs = created, int((created - int(created)) * 1000)
        assert ours.format(record) == standard.format(record)
    assert ours.formatTime(record, "%H") == standard.formatTime(record, "%H")


def test_formatter_keeps_the_traceback() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        rec = record("failed")
        rec.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(rec))
    assert "ValueError: boom" in entry["exc_info"]


def test_serve_log_format_json_logs_each_request_as_json(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "binance_sandbox",
            "serve",
            "--port",
            str(port),
            "--database",
            f"sqlite:///{tmp_path / 'json.db'}",
            "--admin-token",
            "json-token",
            "--log-format",
            "json",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz")
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.1)
        r = httpx.post(f"http://127.0.0.1:{port}/papi/v1/ramp/connect/prime/quote", json={})
        assert r.json()["code"] == "1230201"
    finally:
        proc.terminate()
        err = proc.communicate(timeout=30)[1].decode()
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, err
    entries = [json.loads(line) for line in lines]  # every line is a JSON object
    for entry in entries:
        assert {"time", "level", "logger", "message"} <= set(entry), entry
    requests = [e for e in entries if e["logger"] == "binance_sandbox.requests"]
    assert len(requests) == 1, entries
    (request,) = requests
    assert request["level"] == "INFO"
    assert request["family"] == "connect"
    assert request["path"] == "/papi/v1/ramp/connect/prime/quote"
    assert request["code"] == "1230201"
    assert isinstance(request["latency_ms"], int)
    assert "caller" in request
