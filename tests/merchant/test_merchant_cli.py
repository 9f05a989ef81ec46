"""The CLI, the settings, and the kit's independence from the server."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer
from pydantic import ValidationError
from typer.testing import CliRunner

from binance_sandbox.merchant import MerchantSettings
from binance_sandbox.merchant.cli import merchant_cli
from binance_sandbox.merchant.storage import normalize_database_url


def test_serve_options_and_their_environment_variables():
    group = typer.main.get_command(merchant_cli)
    serve = group.commands["serve"]  # type: ignore[attr-defined]
    options = {opt: param.envvar for param in serve.params for opt in param.opts}
    for option, envvar in {
        "--host": "BSX_MERCHANT_HOST",
        "--port": "BSX_MERCHANT_PORT",
        "--database": "BSX_MERCHANT_DATABASE",
        "--api-token": "BSX_MERCHANT_API_TOKEN",
        "--webhook-public-key": "BSX_MERCHANT_WEBHOOK_PUBLIC_KEY",
        "--client-id": "BSX_MERCHANT_CLIENT_ID",
        "--auto-complete": "BSX_MERCHANT_AUTO_COMPLETE",
        "--check-pending-polls": "BSX_MERCHANT_CHECK_PENDING_POLLS",
    }.items():
        assert options[option] == envvar
    result = CliRunner().invoke(merchant_cli, ["serve", "--help"])
    assert result.exit_code == 0, result.output


def test_serve_refuses_a_bad_key():
    result = CliRunner().invoke(merchant_cli, ["serve", "--webhook-public-key", "bm90IGEga2V5"])
    assert result.exit_code == 2
    assert "webhook_public_key" in result.output


def test_serve_reads_the_environment():
    result = CliRunner().invoke(
        merchant_cli, ["serve"], env={"BSX_MERCHANT_WEBHOOK_PUBLIC_KEY": "bm90IGEga2V5"}
    )
    assert result.exit_code == 2


def test_settings_reject_bad_values():
    with pytest.raises(ValidationError):
        MerchantSettings(check_pending_polls=-1)
    with pytest.raises(ValidationError):
        MerchantSettings(
            webhook_public_key="-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----"
        )


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("merchant.db", "sqlite+aiosqlite:///merchant.db"),
        ("sqlite:///merchant.db", "sqlite+aiosqlite:///merchant.db"),
        ("sqlite+aiosqlite:///merchant.db", "sqlite+aiosqlite:///merchant.db"),
        ("postgresql://u:p@db/merchant", "postgresql+psycopg://u:p@db/merchant"),
        ("postgresql+psycopg://u:p@db/merchant", "postgresql+psycopg://u:p@db/merchant"),
    ],
)
def test_database_urls(given, used):
    assert normalize_database_url(given) == used


def test_the_kit_imports_nothing_of_the_server():
    code = (
        "import sys, binance_sandbox.merchant, binance_sandbox.merchant.cli;"
        "print('\\n'.join(m for m in sys.modules if m.startswith('binance_sandbox')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    allowed = ("binance_sandbox.merchant", "binance_sandbox.signing", "binance_sandbox.wire")
    for module in result.stdout.split():
        assert module == "binance_sandbox" or module.startswith(allowed), module
