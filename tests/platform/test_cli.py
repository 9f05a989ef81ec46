"""The CLI: `serve` as a real process, `keys generate`, and `demo` end to end."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from binance_sandbox.demo import run_demo
from binance_sandbox.serving import free_port
from binance_sandbox.signing import load_private_key, load_public_key
from binance_sandbox.signing.connect import sign_connect, verify_connect

CLI = [sys.executable, "-m", "binance_sandbox"]


def test_serve_starts_a_server_with_the_given_database(tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "served.db"
    proc = subprocess.Popen(
        [
            *CLI,
            "serve",
            "--port",
            str(port),
            "--database",
            f"sqlite:///{db}",
            "--admin-token",
            "cli-token",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz").json()
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "serve did not come up"
                time.sleep(0.1)
        assert health["database"] == "sqlite"
        r = httpx.get(
            f"http://127.0.0.1:{port}/sandbox/v1/clock",
            headers={"Authorization": "Bearer cli-token"},
        )
        assert r.status_code == 200 and r.json()["frozen"] is False
        assert db.exists()
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0].decode()
    assert "admin token: cli-token" in out


def test_serve_reads_a_config_file_and_options_win(tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "configured.db"
    config = tmp_path / "sandbox.env"
    config.write_text(
        f"BSX_DATABASE_URL=sqlite:///{db}\nBSX_ADMIN_TOKEN=file-token\nBSX_CLOCK_START_MS=1767225600000\n"
    )
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--config", str(config), "--seed", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
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
        r = httpx.get(
            f"http://127.0.0.1:{port}/sandbox/v1/clock",
            headers={"Authorization": "Bearer file-token"},
        )
        assert r.status_code == 200 and r.json()["nowMs"] == 1767225600000
        assert db.exists()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_a_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [*CLI, "worker", "--config", str(tmp_path / "absent.env")], capture_output=True, text=True
    )
    assert done.returncode == 2
    # Typer draws the message in a box as wide as the terminal, wrapping long paths.
    text = " ".join(done.stderr.replace("│", " ").split())
    assert "config file" in text and "does not exist" in text, done.stderr


def test_serve_help_lists_its_options(tmp_path: Path) -> None:
    out = subprocess.run(
        [*CLI, "serve", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--database" in out and "--port" in out


def test_keys_generate_writes_a_connect_key_pair(tmp_path: Path) -> None:
    subprocess.run(
        [*CLI, "keys", "generate", "--bits", "1024", "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    private = load_private_key((tmp_path / "private.pem").read_text())
    public = load_public_key((tmp_path / "public.b64").read_text())
    assert private.key_size == 1024
    assert verify_connect(public, b"{}", "1", sign_connect(private, b"{}", "1"))


def test_merchant_serve_is_mounted() -> None:
    out = subprocess.run(
        [*CLI, "merchant", "serve", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--webhook-public-key" in out


def test_demo_runs_a_buy_and_a_sell(tmp_path: Path, capsys: Any) -> None:
    console = Console(record=True, width=120)
    run_demo(console, tmp_path)
    text = console.export_text()
    assert "FILLED: " in text and "platform calls the Transfer API" in text
    assert "ledger audit: balanced, conserved, nothing negative" in text
    assert text.count("webhook prime_order_event received and verified") == 2
    for step in (
        "pay  ",
        "webhook PAY_SUCCESS received and verified",
        "refunded 10 of 25",
        "FULL_REFUNDED",
        "SUCCESS, paid 12",
        "AUTHORIZED: T",
        "40 USDT credited",
        "COMPLETED, txId",
        "the other user receives it on chain",
    ):
        assert step in text, step
