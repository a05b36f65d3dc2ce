"""Forms and text in a real browser: one unbroken 1,000-character word never makes a page wider
than the screen (desktop and a 390 px phone), and a text field with a limit counts as one
types and is refused, not cut, past it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.activities import services as activities
from haven.core.models import Person, PersonalAccessToken, Role
from haven.questions import services as questions
from haven.questions.models import Question
from haven.recognition import comments as recognition_comments
from haven.recognition import services as recognition
from haven.support import offers
from tests.browser.helpers import AxeChecker, BrowserErrors, sign_in
from tests.factories import make_person
from tests.support.conftest import make_supporter, open_request

WORD = ("Unbrokenword" * 84)[:1000]
SCREENS = [(1280, 800), (390, 844)]
WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def _pages_with_the_word(colleague: Person, coordinator: Person) -> list[tuple[Person, str]]:
    long_named = make_person(name=WORD[:150])
    published = questions.ask(person=long_named, text=f"Why {WORD[:990]}?", anonymous=False)
    questions.moderate(moderator=coordinator, question=published, publish=True)
    questions.ask(person=colleague, text=f"Pending {WORD[:990]}", anonymous=False)
    given = recognition.give_recognition(giver=long_named, recipient_email=colleague.email,
                                         message=f"Thanks {WORD[:990]}", audience="organisation")
    recognition_comments.post_comment(author=colleague, recognition=given, message=WORD[:500])
    activity = activities.propose(
        organiser=coordinator, title="Quiz", description=WORD,
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=2), time_zone="UTC",
        place=WORD[:200], online_link="", capacity=5)
    supporter = make_supporter()
    conversation = offers.accept_offer(
        offer=open_request(colleague, first_message=WORD).offers.get(), supporter=supporter)
    return [
        (colleague, "/questions/"), (colleague, "/questions/mine/"),
        (colleague, "/recognition/"), (colleague, f"/recognition/{given.pk}/"),
        (colleague, "/activities/"), (colleague, f"/activities/{activity.pk}/"),
        (colleague, f"/conversations/{conversation.pk}/"),
        (supporter, f"/conversations/{conversation.pk}/"), (supporter, "/supporter/"),
        (coordinator, "/questions/moderation/"), (coordinator, "/recognition/moderation/"),
        (coordinator, "/directory/"), (coordinator, f"/directory/{long_named.pk}/"),
        (long_named, "/"), (long_named, "/profile/"),
    ]


@pytest.mark.parametrize("screen", SCREENS, ids=["desktop", "phone"])
def test_a_thousand_character_word_wraps_on_every_page_showing_user_text(
        page: Page, live_server: LiveServer, browser_errors: BrowserErrors,
        screen: tuple[int, int]) -> None:
    browser_errors.allow("WebSocket connection")  # live chat needs the ASGI server: layout only
    colleague = make_person()
    coordinator = make_person(Role.COORDINATOR, Role.ADMINISTRATOR, mfa=True)
    visits = _pages_with_the_word(colleague, coordinator)
    page.set_viewport_size({"width": screen[0], "height": screen[1]})
    too_wide = []
    signed_in_as = None
    for person, path in visits:
        if person != signed_in_as:
            page.context.clear_cookies()
            sign_in(page, live_server, person)
            signed_in_as = person
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        scroll_width, inner_width = page.evaluate(WIDTH)
        if scroll_width > inner_width:
            too_wide.append((path, scroll_width))
    assert too_wide == [], f"wider than {screen[0]} px: {too_wide}"


def test_a_question_past_its_limit_is_counted_refused_and_kept(
        page: Page, live_server: LiveServer, browser_errors: BrowserErrors) -> None:
    browser_errors.allow("400 (Bad Request)")  # the refusal itself
    sign_in(page, live_server, make_person())
    page.goto(f"{live_server.url}/questions/ask/")
    box = page.locator("textarea[name=text]")
    assert box.get_attribute("maxlength") is None  # the browser must not cut it
    box.fill("a" * 1005)  # pasting, as a person does
    counter = page.locator("#id_text_counter")
    expect(counter).to_have_text("1005 / 1000")
    assert "counter--over" in (counter.get_attribute("class") or "")
    assert "id_text_counter" in (box.get_attribute("aria-describedby") or "")
    expect(page.locator("[aria-live=polite]").filter(has_text="too many")).to_have_count(1)

    page.locator("main form button[type=submit]").click()

    expect(page.locator("main")).to_contain_text("1005 characters long and the limit is 1000")
    assert page.locator("textarea[name=text]").input_value() == "a" * 1005
    assert Question.objects.count() == 0


def test_the_weekly_availability_editor_works_with_the_keyboard(
        page: Page, live_server: LiveServer, browser_errors: BrowserErrors,
        axe: AxeChecker) -> None:
    supporter = make_person(Role.SUPPORTER)
    sign_in(page, live_server, supporter)
    page.goto(f"{live_server.url}/supporter/profile/")
    expect(page.get_by_text(f"Times in {supporter.time_zone}")).to_be_visible()
    axe.assert_accessible(page)

    # Typed as a person does into Chromium's time input, whose hour, minute (and AM/PM, by
    # locale) parts are each a stop for Tab; Tab on until the next input.
    start, end = (page.get_by_label("Monday, time range 1, from"),
                  page.get_by_label("Monday, time range 1, to"))
    start.focus()
    page.keyboard.type("0900A")
    for _stop in range(3):
        if page.evaluate("() => document.activeElement.id") == "id_availability_0_0_end":
            break
        page.keyboard.press("Tab")
    expect(end).to_be_focused()
    page.keyboard.type("0500P")
    expect(start).to_have_value("09:00")
    expect(end).to_have_value("17:00")
    page.get_by_label("Tuesday, time range 1, from").fill("17:00")
    page.get_by_label("Tuesday, time range 1, to").fill("09:00")
    page.get_by_label("Tuesday, time range 1, to").press("Enter")  # sends the form

    expect(page.locator(".error-summary")).to_contain_text(
        "Tuesday: the end 09:00 is before the start 17:00.")
    expect(page.get_by_label("Monday, time range 1, to")).to_have_value("17:00")
    axe.assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(WIDTH)[0] <= 390  # the ranges wrap: no sideways scrolling
    page.get_by_label("Tuesday, time range 1, from").fill("09:00")
    page.get_by_label("Tuesday, time range 1, to").fill("12:00")
    page.get_by_label("Tuesday, time range 2, from").fill("11:00")
    page.get_by_label("Tuesday, time range 2, to").fill("17:00")
    page.get_by_label("Tuesday, time range 2, to").press("Enter")

    expect(page).to_have_url(f"{live_server.url}/supporter/")
    page.goto(f"{live_server.url}/supporter/profile/")
    expect(page.get_by_text("Mon, Tue 09:00–17:00")).to_be_visible()


def test_a_double_click_on_a_create_button_makes_one_record(
        page: Page, live_server: LiveServer, browser_errors: BrowserErrors) -> None:
    colleague = make_person()
    sign_in(page, live_server, colleague)
    page.goto(f"{live_server.url}/profile/tokens/")
    page.get_by_label("Token name").fill("HR sync")

    page.get_by_role("button", name="Create token").dblclick()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", name="Your tokens")).to_be_visible()
    assert PersonalAccessToken.objects.filter(person=colleague).count() == 1
