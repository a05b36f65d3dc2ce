"""The people picker (haven/static/haven/picker.js): a recognition recipient chosen with the
keyboard alone, each suggestion drawn with the avatar the {% avatar %} tag draws, two people
added to a journal entry as chips and one removed, and 0 axe-core violations with the list of
people open, on a desktop and on a 390 px phone."""

from __future__ import annotations

import html
import re

import pytest
from django.template import Context, Template
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.recognition.models import Recognition
from haven.speakup.models import JournalEntry
from tests.browser.helpers import AxeChecker, BrowserErrors, expect_heading, path_of, sign_in
from tests.factories import TeamFactory, make_person

pytestmark = pytest.mark.django_db(transaction=True)

SCREENS = [(1280, 800), (390, 844)]


def _type_and_open(page: Page, label: str, text: str) -> None:
    box = page.get_by_role("combobox", name=label, exact=True)
    box.focus()
    page.keyboard.type(text)
    expect(box).to_have_attribute("aria-expanded", "true")


def test_a_recipient_is_picked_with_the_keyboard_alone(
    page: Page, live_server: LiveServer, browser_errors: BrowserErrors
) -> None:
    giver = make_person(name="Amara Okafor")
    hiro = make_person(name="Hiro Tanaka", team=TeamFactory(name="Payments"))
    make_person(name="Hiroko Sato")
    make_person(name="Hiro Ghost", is_active=False)
    sign_in(page, live_server, giver)
    page.goto(f"{live_server.url}/recognition/give/")
    expect_heading(page, "Recognise someone")

    box = page.get_by_role("combobox", name="Colleague", exact=True)
    _type_and_open(page, "Colleague", "hiro")
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options).to_have_count(2)  # never the deactivated Hiro
    expect(page.get_by_role("status").filter(has_text="people found")).to_have_text(
        "2 people found"
    )
    expect(options.first).to_contain_text("Hiro Tanaka")
    expect(options.first).to_contain_text("Payments")

    page.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id") or "")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")  # chooses; does not send the form
    expect(box).to_have_value("Hiro Tanaka")
    expect(box).to_have_attribute("aria-expanded", "false")
    assert path_of(page) == "/recognition/give/"

    page.keyboard.press("Tab")  # on to the team list, then the message
    page.get_by_label("What did they do?").focus()
    page.keyboard.type("You calmed the incident call down.")
    page.get_by_role("button", name="Send recognition").focus()
    page.keyboard.press("Enter")

    page.wait_for_url(f"{live_server.url}/recognition/")
    expect(page.get_by_text("You calmed the incident call down.")).to_be_visible()
    assert Recognition.objects.get().recipient == hiro


def test_each_suggestion_has_the_avatar_the_tag_draws(
    page: Page, live_server: LiveServer, browser_errors: BrowserErrors
) -> None:
    team = TeamFactory(name="Avatars")
    # Names whose letters are easy to get wrong: ß, a mark written apart (NFD), a bracket
    # before the first letter, no spaces, no letter at all.
    names = ["ßara Öz", "N\u0303andu Lopez", "(Sam) O'Neil", "李小龍", "— —"]
    for name in names:
        make_person(name=name, team=team)
    sign_in(page, live_server, make_person(name="Amara Okafor"))
    page.goto(f"{live_server.url}/recognition/give/")
    tag = Template("{% load haven_ui %}{% avatar name %}")

    _type_and_open(page, "Colleague", "avatars")
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options).to_have_count(len(names))
    for option in options.all():
        name = option.locator(".picker__name").text_content() or ""
        drawn = tag.render(Context({"name": name}))
        parts = re.fullmatch(r'<span class="([^"]+)" aria-hidden="true">([^<]+)</span>', drawn)
        assert parts, drawn
        classes, letters = parts.groups()
        circle = option.locator("span.avatar")
        expect(circle).to_have_count(1)
        assert circle.get_attribute("class") == classes, name
        assert circle.text_content() == html.unescape(letters), name
        assert circle.get_attribute("aria-hidden") == "true"


def test_escape_closes_the_list_and_typed_text_is_still_sent(
    page: Page, live_server: LiveServer, browser_errors: BrowserErrors
) -> None:
    giver = make_person(name="Amara Okafor")
    make_person(name="Sam Lee")
    make_person(name="Sam Lee")
    browser_errors.allow("400")  # the ambiguous name is refused
    sign_in(page, live_server, giver)
    page.goto(f"{live_server.url}/recognition/give/")

    box = page.get_by_role("combobox", name="Colleague", exact=True)
    _type_and_open(page, "Colleague", "Sam Lee")
    page.keyboard.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("listbox")).to_be_hidden()
    page.get_by_label("What did they do?").fill("Thanks!")
    page.get_by_role("button", name="Send recognition").click()

    expect(page.get_by_text("More than one person is called “Sam Lee”").first).to_be_visible()
    expect(page.get_by_role("combobox", name="Colleague", exact=True)).to_have_value("Sam Lee")
    assert not Recognition.objects.exists()


def test_two_journal_people_are_added_as_chips_and_one_removed(
    page: Page, live_server: LiveServer, browser_errors: BrowserErrors
) -> None:
    colleague = make_person(name="Nia Njoroge")
    make_person(name="Rex Rowe")
    make_person(name="Rita Rowe")
    sign_in(page, live_server, colleague)
    page.goto(f"{live_server.url}/journal/new/")
    expect_heading(page, "Write an entry")
    label = "Who was involved, from the directory (optional)"

    for name in ("Rex", "Rita"):
        _type_and_open(page, label, name)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
    chips = page.locator(".field").filter(has_text=label).locator(".picker__chip")
    expect(chips).to_have_text(["Rex Rowe×", "Rita Rowe×"])
    expect(page.get_by_role("combobox", name=label, exact=True)).to_have_value("")

    page.keyboard.type("Rowe")  # both are chosen already: nobody left to offer
    expect(page.get_by_role("status").filter(has_text="found")).to_have_text("Nobody found")
    expect(page.get_by_role("combobox", name=label, exact=True)).to_have_attribute(
        "aria-expanded", "false"
    )
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")

    remove = page.get_by_role("button", name="Remove Rex Rowe")
    remove.focus()
    page.keyboard.press("Enter")
    expect(chips).to_have_text(["Rita Rowe×"])
    expect(page.get_by_role("button", name="Remove Rita Rowe")).to_be_focused()

    # Witnesses take anyone: a person from the directory, or words typed and entered.
    witnesses = page.get_by_role("combobox", name="Witnesses (optional)", exact=True)
    witnesses.focus()
    page.keyboard.type("Sam from accounts")
    page.keyboard.press("Enter")
    _type_and_open(page, "Witnesses (optional)", "Rex")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator(".picker__chip").filter(has_text="Sam")).to_have_text("Sam from accounts×")
    assert path_of(page) == "/journal/new/"

    page.get_by_label("When did it happen?").fill(timezone.localdate().isoformat())
    page.get_by_label("What happened?").fill("Shouted at me in the corridor.")
    page.get_by_role("button", name="Save the entry").click()
    expect_heading(page, "Entry 1")
    expect(page.locator("dd").filter(has_text="Rita")).to_have_text("Rita Rowe")
    expect(page.locator("dd").filter(has_text="Sam from accounts")).to_contain_text("Rex Rowe")
    assert JournalEntry.objects.count() == 1


@pytest.mark.parametrize("screen", SCREENS, ids=[f"{w}px" for w, _h in SCREENS])
def test_the_open_list_has_no_axe_violations(
    page: Page,
    live_server: LiveServer,
    axe: AxeChecker,
    browser_errors: BrowserErrors,
    screen: tuple[int, int],
) -> None:
    page.set_viewport_size({"width": screen[0], "height": screen[1]})
    colleague = make_person(name="Nia Njoroge")
    team = TeamFactory(name="Customer operations and long team names")
    for name in ("Rex Rowe", "Rita Rowe", "Róisín Rowe-Fitzgerald"):
        make_person(name=name, team=team)
    sign_in(page, live_server, colleague)
    violations: list[str] = []

    page.goto(f"{live_server.url}/recognition/give/")
    _type_and_open(page, "Colleague", "rowe")
    page.keyboard.press("ArrowDown")
    violations += axe.violations(page)

    page.goto(f"{live_server.url}/journal/new/")
    label = "Who was involved, from the directory (optional)"
    _type_and_open(page, label, "rex")
    page.keyboard.press("Enter")  # nothing highlighted: nothing chosen, nothing sent
    assert path_of(page) == "/journal/new/"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    _type_and_open(page, label, "rowe")
    violations += axe.violations(page)
    box = page.get_by_role("combobox", name=label, exact=True).bounding_box()
    listbox = page.get_by_role("listbox").bounding_box()
    assert box and listbox and listbox["x"] + listbox["width"] <= screen[0]
    assert page.evaluate("document.documentElement.scrollWidth") <= screen[0]

    assert not violations, "axe-core found violations:\n" + "\n".join(violations)
