"""How long a `binance_sandbox` server lives: a module's tests by default, or what the ini option
`binance_sandbox_scope` or the command-line option `--binance-sandbox-scope` (which wins)
says. Each case runs a small suite of its own with pytest, in this environment, where the
plugin is installed; the suite writes down which server each test got."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox_harness import PG_URL

# The plugin runs on SQLite whatever the suite's database: once is enough.
pytestmark = pytest.mark.skipif(bool(PG_URL), reason="the plugin's server runs on SQLite")

RECORDING_TEST = """
import os


def record(request, sandbox):
    with open(os.environ["SERVERS_FILE"], "a") as out:
        out.write(f"{request.node.name.removeprefix('test_')} {sandbox.url}\\n")


def test_FIRST(request, binance_sandbox):
    record(request, binance_sandbox)


def test_SECOND(request, binance_sandbox):
    record(request, binance_sandbox)
"""


def suite(first: str, second: str) -> str:
    return RECORDING_TEST.replace("FIRST", first).replace("SECOND", second)


def run_suite(
    tmp_path: Path, ini: str, *args: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    (tmp_path / "pytest.ini").write_text(f"[pytest]\n{ini}\n")
    (tmp_path / "test_first.py").write_text(suite("one", "two"))
    (tmp_path / "test_second.py").write_text(suite("three", "four"))
    servers = tmp_path / "servers.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=tmp_path,
        env={**env, "SERVERS_FILE": str(servers)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return result, servers


@pytest.mark.parametrize(
    ("ini", "args", "together"),
    [
        ("", [], [{"one", "two"}, {"three", "four"}]),
        ("binance_sandbox_scope = session", [], [{"one", "two", "three", "four"}]),
        (
            "binance_sandbox_scope = session",
            ["--binance-sandbox-scope", "function"],
            [{"one"}, {"two"}, {"three"}, {"four"}],
        ),
    ],
    ids=["module by default", "session from the ini", "function from the command line"],
)
def test_tests_share_a_server_for_the_scope_configured(
    tmp_path: Path, ini: str, args: list[str], together: list[set[str]]
) -> None:
    result, servers = run_suite(tmp_path, ini, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    by_url: dict[str, set[str]] = {}
    for line in servers.read_text().splitlines():
        test, url = line.split()
        by_url.setdefault(url, set()).add(test)
    assert sorted(by_url.values(), key=sorted) == sorted(together, key=sorted)


def test_a_scope_that_is_not_one_is_a_usage_error(tmp_path: Path) -> None:
    result, servers = run_suite(tmp_path, "binance_sandbox_scope = weekly")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert "binance_sandbox_scope is 'weekly'; use one of function, class, module" in (
        result.stderr
    )
    assert not servers.exists()
