"""Collection-time switches for the browser tests: find Chromium, then mark, skip or refuse.

Loaded from tests/conftest.py (`pytest_plugins`) because pytest prints its header before it
reads tests/browser/conftest.py; nothing here imports Playwright or touches the database.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DEFAULT_CHROMIUM = "/usr/bin/chromium"
BROWSER_TESTS = Path(__file__).resolve().parent


def chromium_path() -> str:
    return os.environ.get("HAVEN_CHROMIUM") or DEFAULT_CHROMIUM


def chromium_missing() -> str | None:
    """Why the browser tests cannot run, in one line; None when Chromium is there."""
    path = chromium_path()
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return None
    return f"Chromium not found at {path}: install it with `sudo apt-get install -y chromium`"


def _is_browser_test(item: pytest.Item) -> bool:
    return BROWSER_TESTS in Path(item.path).resolve().parents


def pytest_report_header(config: pytest.Config) -> str:
    return chromium_missing() or f"browser tests: Chromium at {chromium_path()}"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = chromium_missing()
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(pytest.mark.skip(reason=missing))


def pytest_collection_finish(session: pytest.Session) -> None:
    missing = chromium_missing()
    if (missing and os.environ.get("HAVEN_REQUIRE_BROWSER") == "1"
            and any(_is_browser_test(item) for item in session.items)):
        pytest.exit(f"HAVEN_REQUIRE_BROWSER=1 and the browser tests cannot run. {missing}",
                    returncode=pytest.ExitCode.USAGE_ERROR)
