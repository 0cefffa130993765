"""Helpers of the console-look browser tests: log a user in, widths, the axe-core sweep."""

from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.test import Client

# Vendored by scripts/vendor-static.sh; only the browser tests inject it, so it lives here and
# is not among the console's static files.
AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def log_in(page, live_server, user) -> None:
    """Give the browser a session of `user`, as logging in would."""
    client = Client()
    client.force_login(user)
    cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "domain": urlparse(live_server.url).hostname,
        "path": "/",
    }
    page.context.add_cookies([cookie])


def page_width(page) -> int:
    """How wide the document is: more than the viewport means the page scrolls sideways."""
    return page.evaluate("document.scrollingElement.scrollWidth")


def axe_violations(page) -> list[dict]:
    """axe-core's critical and serious violations on the page as it stands."""
    # Evaluated through the DevTools protocol: our CSP (rightly) blocks an injected inline script.
    page.evaluate(AXE_SCRIPT.read_text())
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, { resultTypes: ["violations"] });
            return result.violations
                .filter((v) => v.impact === "critical" || v.impact === "serious")
                .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5)
                    .map((n) => n.target.join(" ") + " :: " + n.failureSummary) }));
        }"""
    )
