"""Real Chromium through Playwright (Debian's chromium, no browser download).

Locally these tests are skipped when Chromium is not installed; .ci/run sets
RAPPORT_REQUIRE_BROWSER=1, and then a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# to set up data are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


CSP_PREFIX = "CSP violation:"
CSP_REPORTER = (
    'document.addEventListener("securitypolicyviolation", (e) => console.error('
    f'"{CSP_PREFIX} " + e.violatedDirective + " " + (e.blockedURI || "inline") + " at " + e.sourceFile));'
)


HTMX_ABORT = ("htmx:sendAbort", "htmx:afterRequest")


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        if os.environ.get("RAPPORT_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required here (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1360, "height": 900}, locale="en-US")
    # Every CSP violation is reported to the console twice over: Chromium's own message and
    # the page's securitypolicyviolation event, which cannot be missed whatever the wording.
    context.add_init_script(CSP_REPORTER)
    page = context.new_page()
    errors: list[str] = []
    violations: list[str] = []

    def on_console(msg) -> None:
        # A live filter cancels its request in flight when the user types on (hx-sync), and
        # htmx logs that abort as two errors; a failed request still shows as htmx:sendError.
        if msg.type == "error" and not msg.text.startswith(HTMX_ABORT):
            errors.append(msg.text)
        if "Content Security Policy" in msg.text or msg.text.startswith(CSP_PREFIX):
            violations.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    page.csp_violations = violations
    yield page
    context.close()
    if not getattr(page, "csp_violations_expected", False):
        assert violations == [], f"Content-Security-Policy violations: {violations}"


def screenshot(page, name: str) -> None:
    """Screenshots for the README, refreshed by every browser run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def sign_in(page, username: str, password: str = "pw-for-tests-1") -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def file_chinese_complaint(page, email: str = "wang@example.com", *, shot: str = "") -> str:
    """On the open public form: a customer's complaint in Chinese, sent (``shot``: the
    screenshot of the filled form to take first); returns the reference."""
    page.check("#id_family_0")  # a customer
    page.check("#id_kind_0")  # a complaint
    page.fill("#id_name", "王芳")
    page.fill("#id_email", email)
    page.fill("#id_company", "蓝天贸易")
    page.fill("#id_subject", "发票重复")
    page.fill("#id_description", "订单1001的发票开了两次。")
    if shot:
        screenshot(page, shot)
    page.click("#feedback button[type=submit]")
    page.wait_for_selector("#feedback-thanks")
    return page.locator("#case-reference").inner_text().strip()
