"""Keyboard use (skip link, tab order, visible focus) and a phone-sized screen."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.core.models import Role
from tests.browser.helpers import sign_in
from tests.factories import make_person

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), cls: el.className, href: el.getAttribute("href"),
    text: (el.textContent || "").trim(), inNav: !!el.closest("nav[aria-label='Main']"),
    expanded: el.getAttribute("aria-expanded"),
    inMain: !!el.closest("main"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
    onScreen: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0
      && box.right <= innerWidth,
  };
}"""


def _focus_is_visible(focused: dict) -> bool:
    return bool(focused["onScreen"] and (focused["outline"] or focused["shadow"]))


def test_tab_reaches_the_skip_link_first_and_enter_moves_focus_to_main(
        page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, make_person())
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert focused["cls"] == "skip-link", f"the first Tab stop is {focused}"
    assert _focus_is_visible(focused), f"the skip link shows no focus: {focused}"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["inMain"], "Tab after the skip link left the main content"


def test_every_navigation_link_is_reachable_by_tab_with_a_visible_focus(
        page: Page, live_server: LiveServer) -> None:
    """Tab moves through the navigation; Enter on a closed menu opens it, and Tab then
    reaches its links."""
    sign_in(page, live_server, make_person(Role.ADMINISTRATOR))  # the longest navigation
    page.goto("/")
    nav_links = set(page.locator("nav[aria-label='Main'] a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"))
    assert nav_links
    reached: set[str] = set()
    invisible = []
    for _stop in range(len(nav_links) + 15):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if not _focus_is_visible(focused):
            invisible.append(focused)
        if focused["inNav"] and focused["expanded"] == "false":
            page.keyboard.press("Enter")
        if focused["inNav"] and focused["href"]:
            reached.add(focused["href"])
        elif focused["inMain"]:
            break
    assert reached == nav_links, f"not reached by Tab: {sorted(nav_links - reached)}"
    assert not invisible, f"focused without a visible outline: {invisible}"


def test_the_home_page_has_no_horizontal_scroll_at_375_pixels(
        page: Page, live_server: LiveServer) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/accounts/login/")
    too_wide = "() => document.scrollingElement.scrollWidth > window.innerWidth"
    assert not page.evaluate(too_wide), "the sign-in page scrolls sideways"
    sign_in(page, live_server, make_person(Role.ADMINISTRATOR, Role.SUPPORTER,
                                           name="Maximiliana Oyelaran-Featherstonehaugh"))
    page.goto("/")
    assert not page.evaluate(too_wide), (
        "the home page scrolls sideways: "
        + str(page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")))
