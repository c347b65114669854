"""Browser fixtures: Debian's Chromium driven by Python Playwright, and where screenshots go.

Chromium is the system one (``/usr/bin/chromium``; ``make test`` installs it with apt-get), never a
Playwright download. Each test gets a fresh browser profile. Screenshots are test artifacts under
``$SEALROOM_TEST_ARTIFACTS`` or ``test-artifacts/`` at the repository root.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    folder = Path(os.environ.get("SEALROOM_TEST_ARTIFACTS") or ROOT / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser(tmp_path) -> Iterator[BrowserContext]:
    """A headless Chromium with a fresh profile (a persistent context on a temporary folder)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's chromium (apt-get install -y chromium chromium-driver; `make test` installs it)")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: BrowserContext) -> Page:
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.set_default_timeout(30_000)
    return page
