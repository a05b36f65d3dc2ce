"""Playwright fixtures: one Chromium for all browser tests, a fresh context and page per test.

The page under test keeps Haven's strict CSP; console errors, CSP violations ("Refused to …")
and uncaught exceptions fail the test. Axe runs in a separate context (see helpers.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.browser.asgi_server import AsgiServer
from tests.browser.helpers import AxeChecker, BrowserErrors
from tests.browser.plugin import chromium_path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ERRORS_KEY = pytest.StashKey[BrowserErrors]()
TIMEOUT_MS = 10_000  # auto-waits end well before pytest would hang on a broken page


# Scope "package", not "session": Playwright's sync API keeps an asyncio loop running in this
# thread from start() to stop(). The tests after tests/browser (tests/support's consumers, any
# async_to_sync) refuse to run beside it, and the ORM's async-safety check must stay on there.
# Every browser test lives in this package, so it still shares one Chromium.


@pytest.fixture(scope="package", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    """Django's ORM refuses to run next to Playwright's loop (SynchronousOnlyOperation)
    although every call here is synchronous: allow it, for the browser tests only."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(_orm_beside_playwright: None) -> Iterator[Browser]:
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="package")
def axe(browser: Browser) -> Iterator[AxeChecker]:
    """axe-core, run in its own context that bypasses the CSP (see AxeChecker)."""
    checker = AxeChecker(browser)
    yield checker
    checker.close()


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A fresh browser profile (cookies, storage) per test, with the CSP enforced."""
    context = browser.new_context(base_url=live_server.url,
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def browser_errors(request: pytest.FixtureRequest) -> BrowserErrors:
    errors = BrowserErrors()
    request.node.stash[ERRORS_KEY] = errors
    return errors


@pytest.fixture
def page(context: BrowserContext, browser_errors: BrowserErrors) -> Page:
    page = context.new_page()
    browser_errors.watch(page)
    return page


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail the test itself, not its teardown, when the browser reported errors."""
    result = yield
    errors = item.stash.get(ERRORS_KEY, None)
    if errors is not None and errors.unexpected():
        raise AssertionError("The browser reported errors:\n" + "\n".join(errors.unexpected()))
    return result


@pytest.fixture(scope="session")
def asgi_server(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[AsgiServer]:
    """Haven's real ASGI server (uvicorn, websockets included) in a subprocess on the test
    database, started once; see asgi_server.py. Tests use asgi_live_server."""
    server = AsgiServer(tmp_path_factory.mktemp("asgi") / "server.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def asgi_live_server(asgi_server: AsgiServer, transactional_db: None) -> AsgiServer:
    """The ASGI server for one test: committed data is shared with it both ways. It has the
    same `url` as pytest-django's live_server, so helpers.sign_in works with either."""
    if not asgi_server.running:  # a test that stopped it failed before starting it again
        asgi_server.start()
    return asgi_server
