"""What the console's browser tests share: Debian's Chromium under Playwright, a page per
test, signing in, and screenshots for the docs.

Chromium is `/usr/bin/chromium` (scripts/check.py installs it in CI)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from sandbox_harness import ADMIN, Sandbox

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shoot(page: Page, name: str, tmp: Path) -> None:
    """docs/screenshots/console-*.png only with BSX_UPDATE_SCREENSHOTS=1 (else to tmp)."""
    target = DOCS if os.environ.get("BSX_UPDATE_SCREENSHOTS") else tmp
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"console-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000


def launch_browser() -> Iterator[Browser]:
    """The body of a module-scoped `browser` fixture."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is required in CI (scripts/check.py installs it).")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def new_page(browser: Browser) -> Iterator[Page]:
    """The body of a `page` fixture: a fresh context, so no cookie carries over."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in(page: Page, box: Sandbox, path: str = "/console") -> None:
    page.goto(box.url + path)
    page.fill("#token", ADMIN)
    page.click("#signin")
    page.wait_for_load_state()


def kinds(page: Page) -> list[str]:
    """The kinds of the entries on a timeline, in order."""
    return page.locator("#timeline .kind").all_inner_texts()
