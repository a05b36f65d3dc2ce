"""Screenshots of the seeded demo for the README: `make screenshots`.

Starts the whole demo in a child process (its own database under a temporary var/, see
haven/demo/child.py), signs in through the real pages as each role with Debian's Chromium, and
writes docs/screenshots/*.png. Nothing here is faked: what the pictures show is what `make
demo` shows a new user.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import django
from playwright.sync_api import Page, sync_playwright

# The browser helpers shared with the tests import Django's models (settings only; this script
# never opens a database of its own: the demo child has one).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings_test")
django.setup()

from haven.demo.child import DemoProcess  # noqa: E402
from haven.demo.seed import DEMO_ACCOUNTS  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS  # noqa: E402
from tests.browser.helpers import sign_in_to_demo  # noqa: E402
from tests.browser.plugin import chromium_path  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 900}
# A supporter's draft that the coach has something to say about: it validates, then pushes
# advice nobody asked for.
DRAFT = ("That sounds really hard, and it makes sense you feel drained. "
         "You should just tell your manager tomorrow.")


def shoot(page: Page, name: str) -> None:
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    print(f"screenshots: wrote {path.relative_to(OUT.parents[1])}")


def coach_in_conversation(page: Page) -> None:
    """The supporter's open conversation, a draft typed and the coach's feedback beside it."""
    page.goto("/supporter/")
    page.locator("main a[href^='/conversations/']").first.click()
    page.locator("textarea[name=text]").fill(DRAFT)
    page.locator("[data-coach-output] *").first.wait_for(timeout=15_000)
    page.evaluate("document.querySelector('textarea[name=text]')"
                  ".scrollIntoView({block: 'start'})")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    roles = {account.role for account in DEMO_ACCOUNTS}
    with tempfile.TemporaryDirectory(prefix="haven-screenshots-") as tmp, \
            DemoProcess(Path(tmp) / "var") as demo, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=CHROMIUM_ARGS, headless=True)
        for role in ("colleague", "supporter", "coordinator"):
            assert role in roles
            context = browser.new_context(base_url=demo.url, viewport=VIEWPORT)
            page = context.new_page()
            sign_in_to_demo(page, role)
            page.goto("/")
            shoot(page, f"{role}-home")
            if role == "supporter":
                coach_in_conversation(page)
                shoot(page, "conversation-coach")
            if role == "coordinator":
                page.goto("/programme/")
                shoot(page, "coordinator-programme")
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
