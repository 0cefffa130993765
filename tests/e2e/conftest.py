"""Browser tests: Playwright driving Debian's chromium against the live server.

Screenshots of each journey's key pages go to test-artifacts/screenshots/ (see README).
"""

import re
from pathlib import Path

import pytest

from kernel.testing import debian_program

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _ensure_chromium() -> None:
    debian_program("chromium")


# Module scope, not session: while Playwright's sync API is open it keeps an asyncio loop running in
# the main thread, and later tests that call asyncio.run() would fail.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    _ensure_chromium()
    # Playwright's sync API keeps an event loop in the test's thread; the ORM calls the tests make
    # between browser steps are ordinary blocking calls, which is what this flag permits. It is
    # set only while the browser is open, so no other test or subprocess inherits it.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page, request):
    """`screenshot("step")` saves test-artifacts/screenshots/<test>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name)

    def take(step: str) -> Path:
        path = SCREENSHOTS / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
