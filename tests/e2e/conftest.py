"""Browser tests: Playwright drives Debian's Chromium against Django's live server.

Browsers cannot be downloaded here, so the Playwright release is pinned to the one
whose bundled Chromium has the same major version as Debian's ``chromium``.

Every page runs under the site's Content-Security-Policy, and a test fails when
the browser reports a violation (see ``new_context``).
"""

import os
import re
from pathlib import Path

import pytest

from ..factories import PASSWORD

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by
# the test itself (setup through the services) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); "
            "Playwright's own browsers are not downloaded here.",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": LAUNCH_ARGS}


# Chromium logs each blocked script, style or request on the console ("Refused to ... because it violates the
# following Content Security Policy directive"); the securitypolicyviolation event reports every violation too,
# in case a message is worded otherwise. The init script runs outside the page's CSP.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
});
"""


def is_csp_violation(text):
    return text.startswith("CSP violation:") or "Content Security Policy" in text


@pytest.fixture
def csp_violations():
    """Every CSP violation any page of this test reported, as ``"<page url>: <message>"``."""
    return []


@pytest.fixture
def new_context(new_context, csp_violations):
    """pytest-playwright's ``new_context``, with every context watching for CSP violations; the test fails on one."""

    def record(message):
        if is_csp_violation(message.text):
            csp_violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def watched(**kwargs):
        context = new_context(**kwargs)
        context.add_init_script(script=REPORT_VIOLATIONS)
        context.on("console", record)
        return context

    yield watched
    if csp_violations:
        pytest.fail("The Content-Security-Policy was violated:\n" + "\n".join(csp_violations), pytrace=False)


@pytest.fixture
def artifacts(request):
    """A folder for this test's screenshots under test-artifacts/ (ignored by git)."""
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# The final approval issues the dossier: tests run Celery eagerly, so that request renders and signs the PDF
# before it answers (in production a worker does it after the response). Under a full parallel run on two cores
# that takes longer than the default action timeout; the clicks that trigger it wait this long.
ISSUES_DOSSIER_MS = 60_000


@pytest.fixture
def browse(new_context, live_server):
    """``browse(user, viewport=...)`` opens a browser tab logged in as ``user`` through the real login form."""

    def open_as(user, viewport=None):
        context = new_context(base_url=live_server.url, viewport=viewport or DESKTOP)
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, user.get_username())
        return page

    return open_as


def log_in(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(HOME_URL)


HOME_URL = re.compile(r"^https?://[^/]+/$")
