"""An integrator's first run: the package built as a wheel, installed with its `testing` extra
into a fresh virtualenv, and an example of docs/integration-testing.md, written only against
the plugin's documented fixtures, passing there with nothing else of this project around.

Slow (a build and an install, from uv's cache and the package index), so it runs once, in the
SQLite run of the check. It uses the uv that runs the check (`UV`, set by `uv run`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox_harness import PG_URL

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests" / "plugin" / "examples" / "test_example_pay_order.py"
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(600),
    pytest.mark.skipif(bool(PG_URL), reason="builds and installs the package: the SQLite run does"),
]


def find_uv() -> str:
    uv = os.environ.get("UV") or shutil.which("uv")
    if uv is None:
        message = "uv is needed to build and install the package (run the check with uv)"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    return uv


def run(*cmd: str | Path, cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(part) for part in cmd],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_an_example_passes_in_a_fresh_virtualenv_that_installed_the_wheel(tmp_path: Path) -> None:
    uv = find_uv()
    # Nothing of this project's environment: no virtualenv, path or settings leak in.
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("BSX_", "PYTEST_", "VIRTUAL_ENV", "PYTHON", "UV_PROJECT"))
    }
    dist, venv, work = tmp_path / "dist", tmp_path / "venv", tmp_path / "integration"
    work.mkdir()

    run(uv, "build", "--wheel", "--out-dir", dist, ROOT, cwd=tmp_path, env=env)
    [wheel] = dist.glob("binance_sandbox-*.whl")
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path, env=env)
    python = venv / "bin" / "python"
    run(uv, "pip", "install", "--python", python, f"{wheel}[testing]", cwd=tmp_path, env=env)

    where = run(
        python, "-c", "import binance_sandbox; print(binance_sandbox.__file__)", cwd=work, env=env
    )
    assert Path(where.strip()).is_relative_to(venv), where
    shutil.copy(EXAMPLE, work / EXAMPLE.name)
    out = run(
        python, "-m", "pytest", "-q", "-p", "no:cacheprovider", EXAMPLE.name, cwd=work, env=env
    )
    assert "2 passed" in out, out
