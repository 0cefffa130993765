"""Browser tests of the console's pages: the same Playwright fixtures as tests/e2e (Debian's chromium)."""

from tests.e2e.conftest import browser, page, screenshot  # noqa: F401  (fixtures, shared)
