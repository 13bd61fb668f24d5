"""End-to-end fixtures: the session `app` served over HTTP, and Debian's headless Chromium driven by Playwright.

No pytest-playwright: the browser, the context and the page are plain fixtures here. Playwright's own
browsers are never downloaded; the system Chromium (/usr/bin/chromium) is launched instead.
"""
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def live_server(app):
    """The base URL of the session app, served by a threaded werkzeug server on a free port.

    The database is a file (SQLite) or PostgreSQL, so requests handled in the server thread see what
    the test has committed, and the test sees what they commit.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    # Module scope, not session: while Playwright's sync API is open it keeps an asyncio loop marked as
    # running in the main thread, and asyncio.run() in a later, non-browser test would then fail.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(request, browser, live_server, artifacts_dir):
    """A fresh browser context (no cookies) per test; a screenshot is kept when the test fails (or xfails)."""
    context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and (report.failed or hasattr(report, "wasxfail")):
        page.screenshot(path=artifacts_dir / f"{request.node.name}-failure.png", full_page=True)
    context.close()
