"""Each role signs in (through MFA where the role requires it) and walks its navigation,
opening the menus as a person would; the menus work by keyboard, at 390 px and without
scripts, and axe finds nothing with them open. For each role the header is one row at 1280 px
and narrower, and never wider than a phone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.core.context_processors import MENUS, PERSONAL, PRIMARY, navigation_for
from haven.core.models import Role
from haven.demo.seed import FIRST_NAMES, LAST_NAMES
from tests.browser.helpers import AxeChecker, expect_heading, nav_link, path_of, sign_in
from tests.factories import make_person

# The heading each navigation entry opens on; {name} is the signed-in person's name.
HEADINGS = {
    "home": "Welcome, {name}",
    "support_home": "Peer support",
    "supporter_home": "Supporting colleagues",
    "coffee_home": "Coffee pairings",
    "activities": "Activities",
    "questions": "Questions to leadership",
    "coffee_rounds": "Coffee rounds",
    "coffee_round_settings": "Coffee settings",
    "activity_settings": "Activity settings",
    "recognition_feed": "Recognition",
    "recognition_moderation": "Recognition held for moderation",
    "recognition_insight": "Inclusion insight",
    "recognition_values": "Our values",
    "shared_attributes": "Shared attributes",
    "coach_practice": "Practice with the empathy coach",
    "programme": "Peer-support programme",
    "coach_progress": "Supporters' training",
    "directory": "Directory",
    "import_people": "Import people",
    "audit_log": "Audit log",
    "programme_settings": "Programme settings",
    "profile": "Profile and security",
    "case_inbox": "Your cases",
    "speakup_reports": "Your reports",
    "speakup_programme": "Speak-up programme",
    "speakup_settings": "Speak-up settings",
    "journal": "Your incident journal",
}

# Stated here, not derived, so the access table cannot drift unnoticed.
EVERYONE = {"home", "profile", "journal"}
ONLY_FOR = {
    "directory": {Role.COORDINATOR, Role.ADMINISTRATOR},
    "import_people": {Role.ADMINISTRATOR},
    "audit_log": {Role.ADMINISTRATOR},
}
# The menus each role sees beside its everyday pages (and its personal menu).
MENUS_OF = {
    "colleague": [],
    Role.SUPPORTER: [],
    Role.CASE_HANDLER: [],
    Role.COORDINATOR: ["Programme"],
    Role.ADMINISTRATOR: ["Programme", "Administration"],
}
ROLES = ["colleague", *Role.values]
EVERY_ROLE = (Role.ADMINISTRATOR, Role.COORDINATOR, Role.SUPPORTER, Role.CASE_HANDLER)
PHONE = {"width": 390, "height": 844}
# The demo's longest name: the personal menu's button is as wide as it gets there.
LONGEST_NAME = max((f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES), key=len)
MENU_TOGGLES = ".site-header .nav-menu > .nav-toggle"


def _header_height(page: Page) -> float:
    return page.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")


def _header_rows(page: Page) -> dict[str, float]:
    """The header's shown parts (brand, Menu button, each top-level entry): how far apart their
    vertical centres lie (0 on one row, as the header centres each row), the tallest part, and
    the header's height."""
    return page.evaluate("""() => {
        const header = document.querySelector(".site-header");
        const parts = [...header.querySelectorAll(".brand, .menu-button, .nav > li")]
            .filter((part) => part.getClientRects().length > 0)
            .map((part) => part.getBoundingClientRect());
        const centres = parts.map((box) => box.top + box.height / 2);
        return {spread: Math.max(...centres) - Math.min(...centres),
                tallest: Math.max(...parts.map((box) => box.height)),
                height: header.getBoundingClientRect().height};
    }""")


def _toggle_of(page: Page, name: str) -> Locator:
    return page.locator(MENU_TOGGLES, has_text=name)


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_each_role_opens_every_link_of_its_navigation_and_sees_no_other(
    page: Page, live_server: LiveServer, role: str
) -> None:
    person = make_person(*([] if role == "colleague" else [role]))
    sign_in(page, live_server, person)
    assert path_of(page) == "/"
    expect_heading(page, f"Welcome, {person.name}")

    navigation = navigation_for(person.roles)
    expected = [(link.url_name, str(link.label), link.url) for link in navigation.links()]
    names = {name for name, _label, _path in expected}
    assert names >= EVERYONE
    for name, roles in ONLY_FOR.items():
        assert (name in names) == (role in roles), f"{role} and {name}: the access table changed"
    missing = names - set(HEADINGS)
    assert not missing, f"Add the heading of {sorted(missing)} to HEADINGS in {__file__}"

    nav = page.get_by_role("navigation", name="Main")
    shown = [
        ((link.text_content() or "").strip(), link.get_attribute("href"))
        for link in nav.locator("a").all()
    ]
    assert shown == [(label, path) for _name, label, path in expected]
    menus = [(text or "").strip() for text in page.locator(MENU_TOGGLES).all_text_contents()]
    assert menus[:-1] == MENUS_OF[role] and menus[-1].endswith(person.name)
    every_entry = [
        *PRIMARY,
        *(item for menu in MENUS for section in menu.sections for item in section.items),
        *PERSONAL,
    ]
    for item in every_entry:
        if item.url_name not in names:
            path = reverse(item.url_name)
            assert page.locator(f'a[href="{path}"]').count() == 0, f"{role} sees {path}"

    for name, label, path in expected:
        with page.expect_navigation() as opened:
            nav_link(page, label).click()
        response = opened.value
        assert response is not None and response.status == 200, f"{label}: {response}"
        assert path_of(page) == path
        expect_heading(page, HEADINGS[name].format(name=person.name))
        current = page.locator('a[aria-current="page"]')
        assert (nav.locator(current).text_content() or "").strip() == label
        group = page.locator(".site-header .nav-menu").filter(has=current)
        if group.count():  # the closed menu holding the current page says so
            expect(group.locator("> .nav-toggle")).to_have_attribute("aria-current", "true")
            expect(group.locator("> .nav-toggle")).to_have_attribute("aria-expanded", "false")
        expect(page.locator('.nav-toggle[aria-current="true"]')).to_have_count(group.count())


def test_menus_open_with_enter_and_space_and_escape_closes_them_returning_focus(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, make_person(Role.ADMINISTRATOR))
    programme = _toggle_of(page, "Programme")
    panel = page.locator("#nav-programme")
    expect(panel).to_be_hidden()

    programme.focus()
    page.keyboard.press("Enter")
    expect(programme).to_have_attribute("aria-expanded", "true")
    expect(panel).to_be_visible()
    page.keyboard.press("Tab")
    expect(panel.get_by_role("link", name="Programme", exact=True)).to_be_focused()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(programme).to_have_attribute("aria-expanded", "false")
    expect(programme).to_be_focused()

    page.keyboard.press("Space")
    expect(panel).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(programme).to_be_focused()

    # One menu at a time: opening another, or moving focus out, closes the open one.
    programme.click()
    administration = _toggle_of(page, "Administration")
    administration.click()
    expect(panel).to_be_hidden()
    settings = page.locator("#nav-administration")
    expect(settings.get_by_role("list", name="Settings")).to_contain_text("Speak-up settings")
    page.locator("main").click()
    expect(settings).to_be_hidden()
    administration.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")
    expect(settings).to_be_hidden()


def test_at_390_pixels_the_administrators_header_is_one_line_until_menu_is_opened(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size(PHONE)
    administrator = make_person(
        Role.ADMINISTRATOR, Role.COORDINATOR, Role.SUPPORTER, Role.CASE_HANDLER
    )  # the most entries anyone has
    sign_in(page, live_server, administrator)
    menu = page.locator(".site-header .menu-button")
    nav = page.get_by_role("navigation", name="Main")
    expect(menu).to_be_visible()
    expect(nav).to_be_hidden()
    assert _header_height(page) < 80, f"closed, the header is {_header_height(page)} px tall"

    menu.click()
    expect(nav.get_by_role("link", name="Journal")).to_be_visible()
    assert not page.evaluate("document.scrollingElement.scrollWidth > innerWidth")
    administration = _toggle_of(page, "Administration")
    administration.click()
    expect(nav.get_by_role("link", name="Audit log")).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="Audit log")).to_be_hidden()
    expect(administration).to_be_focused()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()
    expect(menu).to_have_attribute("aria-expanded", "false")
    assert _header_height(page) < 80


def _expect_one_row(page: Page, width: int) -> None:
    rows = _header_rows(page)
    assert rows["spread"] <= 1, f"at {width} px the header's parts lie on several rows: {rows}"
    assert rows["height"] < 2 * rows["tallest"], f"at {width} px the header is tall: {rows}"


@pytest.mark.parametrize(
    "roles",
    [*(() if role == "colleague" else (role,) for role in ROLES), EVERY_ROLE],
    ids=[*ROLES, "every_role"],
)
def test_the_header_is_one_row_at_1280_pixels_and_never_wider_than_a_phone(
    page: Page, live_server: LiveServer, roles: tuple[str, ...]
) -> None:
    person = make_person(*roles, name=LONGEST_NAME)
    sign_in(page, live_server, person)
    nav = page.get_by_role("navigation", name="Main")
    menu = page.locator(".site-header .menu-button")

    # 1280 px: every entry is shown, on the brand's row (the personal menu maybe as its avatar
    # alone, the labels maybe without icons: nav.js chooses).
    expect(menu).to_be_hidden()
    for link in navigation_for(person.roles).primary:
        expect(nav.get_by_role("link", name=str(link.label), exact=True)).to_be_visible()
    _expect_one_row(page, 1280)
    personal = page.locator(".site-header .nav-menu--personal > .nav-toggle")
    expect(personal).to_have_accessible_name(f"Your account: {person.name}")
    personal.click()  # the name is always to be seen: on the button or atop its menu
    name_on_button = page.locator(".nav-personal__name").bounding_box()
    if not name_on_button or name_on_button["width"] <= 1:
        expect(
            page.locator("#nav-personal").get_by_text(f"Signed in as {person.name}")
        ).to_be_visible()
    page.keyboard.press("Escape")

    # Narrower windows: one row still, the entries shown or behind the Menu button.
    for width in (1152, 1025):
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_function("w => innerWidth === w", arg=width)
        # nav.js measures in the frame after a resize: wait two.
        page.evaluate(
            "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
        _expect_one_row(page, width)
        assert not page.evaluate("document.scrollingElement.scrollWidth > innerWidth")

    page.set_viewport_size(PHONE)
    expect(menu).to_be_visible()
    _expect_one_row(page, PHONE["width"])
    menu.click()
    expect(nav).to_be_visible()
    assert not page.evaluate("document.scrollingElement.scrollWidth > innerWidth")


@pytest.mark.parametrize("roles", [(), (Role.ADMINISTRATOR,)], ids=["colleague", "administrator"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "390px"])
def test_no_accessibility_violations_with_each_menu_open(
    page: Page,
    live_server: LiveServer,
    axe: AxeChecker,
    roles: tuple[str, ...],
    viewport: dict[str, int] | None,
) -> None:
    if viewport:
        page.set_viewport_size(viewport)
    sign_in(page, live_server, make_person(*roles, name="Ana Lima"))
    violations = axe.violations(page)  # closed
    menu = page.locator(".site-header .menu-button")
    if viewport:
        menu.click()
        violations += axe.violations(page)
    toggles = page.locator(MENU_TOGGLES)
    assert toggles.count() == (3 if roles else 1)
    for toggle in toggles.all():
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        violations += axe.violations(page)
    assert not violations, "axe-core found violations:\n" + "\n".join(violations)


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "390px"])
def test_without_scripts_every_link_is_shown(
    browser: Browser, live_server: LiveServer, viewport: dict[str, int] | None
) -> None:
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        viewport=viewport or {"width": 1280, "height": 800},
    )
    try:
        page = context.new_page()
        sign_in(page, live_server, make_person(Role.ADMINISTRATOR))
        links = page.get_by_role("navigation", name="Main").locator("a")
        assert links.count() > 15
        for link in links.all():
            expect(link).to_be_visible()
        expect(page.locator(".site-header .nav-toggle").first).to_be_hidden()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    finally:
        context.close()
