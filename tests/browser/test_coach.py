"""The empathy coach in a real browser: a supporter practises a scenario and sees feedback
appear as they type, revises, and sees the example reply; the try page; the coach in a live
conversation, beside chat.js, which still sends; axe finds 0 violations on each page."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.coach.models import PracticeAttempt
from haven.coach.scenarios import SCENARIOS
from haven.core.models import Person, Role
from haven.support.models import Conversation
from tests.browser.asgi_server import AsgiServer
from tests.browser.helpers import (
    AxeChecker,
    BrowserErrors,
    expect_heading,
    nav_link,
    path_of,
    sign_in,
)
from tests.coach.practice_helpers import practise_many
from tests.factories import make_person
from tests.support.chat_setup import open_chat, stored_texts

pytestmark = pytest.mark.django_db(transaction=True)

SCENARIO = SCENARIOS[0]
FIRST_DRAFT = "I promise I will never tell anyone, this stays between us no matter what."
REVISION = ("Seeing those photos when you were the only one missing sounds like it really hurt. "
            "It sounds like you feel like an outsider on your own team. What has this been "
            "like for you?")


def feedback(page: Page):  # noqa: ANN201 (a Locator)
    return page.locator("#coach-feedback")


def type_slowly(page: Page, selector: str, text: str) -> None:
    """Type as a person does, key by key, so the coach sees pauses and input events."""
    box = page.locator(selector)
    box.click()
    box.press_sequentially(text, delay=5)


def test_a_supporter_practises_a_scenario_with_live_feedback(
        page: Page, live_server: LiveServer, axe: AxeChecker) -> None:
    supporter = make_person(Role.SUPPORTER)
    sign_in(page, live_server, supporter)
    nav_link(page, "Practice").click()
    expect_heading(page, "Practice with the empathy coach")
    axe.assert_accessible(page)

    page.get_by_role("link", name=SCENARIO.title, exact=True).click()
    expect_heading(page, SCENARIO.title)
    expect(page.locator(".coach-situation")).to_contain_text("full squad!!")
    expect(page.locator("#example-reply")).to_have_count(0)
    box = page.get_by_role("textbox", name="Your reply")
    expect(box).to_be_visible()
    live = page.locator("#coach-feedback")
    expect(live).to_have_attribute("aria-live", "polite")

    # Feedback appears while typing, before anything is submitted.
    here = page.url
    type_slowly(page, "#id_reply", FIRST_DRAFT)
    expect(live.locator("mark.coach-mark--risk").first).to_be_visible()
    expect(live).to_contain_text("A promise of secrecy you can't keep")
    expect(live).to_contain_text("Try instead:")
    assert page.url == here
    assert not PracticeAttempt.objects.exists()  # typing records nothing
    axe.assert_accessible(page)

    page.get_by_role("button", name="Submit for feedback").click()
    expect(page.get_by_role("status").filter(has_text="Recorded")).to_contain_text("draft 1")
    expect(box).to_have_value(FIRST_DRAFT)
    axe.assert_accessible(page)

    # Revise: the live feedback follows the new text, then the revision is recorded.
    box.fill("")
    type_slowly(page, "#id_reply", REVISION)
    expect(live.locator("mark.coach-mark--risk")).to_have_count(0)
    expect(live).to_contain_text("Nothing to reconsider.")
    expect(live.locator("mark.coach-mark--strength").first).to_be_visible()
    page.get_by_role("button", name="Submit the revision").click()
    expect(page.get_by_role("status").filter(has_text="Recorded")).to_contain_text("draft 2")

    page.get_by_role("button", name="I'm done: show the example reply").click()
    expect(page.locator("#example-reply")).to_have_text(SCENARIO.example)
    expect(page.get_by_role("status")).to_contain_text(
        "You addressed the risk flag of your first draft.")
    axe.assert_accessible(page)

    attempt = PracticeAttempt.objects.get(supporter=supporter)
    assert attempt.revisions == 2 and attempt.first_flagged and not attempt.flagged
    assert attempt.finished_at is not None


def test_the_try_page_gives_live_feedback(page: Page, live_server: LiveServer,
                                          axe: AxeChecker) -> None:
    sign_in(page, live_server, make_person(Role.SUPPORTER))
    page.goto("/coach/try/")
    expect_heading(page, "Try the empathy coach")
    axe.assert_accessible(page)
    page.get_by_role("textbox", name="What the colleague wrote").fill(
        "I just need to vent. My manager laughed at my slides in front of everyone.")
    type_slowly(page, "#id_reply", "You should just ignore him, honestly.")
    expect(feedback(page).locator("mark").first).to_be_visible()
    expect(feedback(page)).to_contain_text("To reconsider")
    axe.assert_accessible(page)
    # An empty reply gets a gentle note, and no highlight.
    page.locator("#id_reply").fill("")
    expect(feedback(page)).to_contain_text("The draft is empty")
    expect(feedback(page).locator("mark")).to_have_count(0)


def test_the_coordinators_progress_page_is_accessible(page: Page, live_server: LiveServer,
                                                      axe: AxeChecker,
                                                      browser_errors: BrowserErrors) -> None:
    supporter = make_person(Role.SUPPORTER)
    practise_many(supporter, [6] * 10)
    learner = make_person(Role.SUPPORTER)
    practise_many(learner, [2, 5, 4])
    coordinator = make_person(Role.COORDINATOR)
    sign_in(page, live_server, coordinator)
    nav_link(page, "Training").click()
    expect_heading(page, "Supporters' training")
    expect(page.get_by_role("row").filter(has_text=supporter.name)).to_contain_text("certified")
    axe.assert_accessible(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Certify {learner.name}").click()
    expect(page.get_by_role("status")).to_contain_text(f"{learner.name} is certified")
    assert path_of(page) == "/coach/progress/"
    axe.assert_accessible(page)


def _new_chat(colleague: Person, supporter: Person, first_message: str) -> Conversation:
    """open_chat in a thread of its own (see test_chat.new_chat)."""

    def work() -> Conversation:
        try:
            return open_chat(colleague, supporter, first_message=first_message)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def test_the_coach_follows_the_supporters_draft_and_never_blocks_sending(
        browser: Browser, asgi_live_server: AsgiServer, axe: AxeChecker,
        browser_errors: BrowserErrors) -> None:
    colleague, supporter = make_person(), make_person(Role.SUPPORTER)
    chat = _new_chat(colleague, supporter, "My manager mocked my report in front of everyone.")
    context = browser.new_context(base_url=asgi_live_server.url,
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        browser_errors.watch(page)
        sign_in(page, asgi_live_server, supporter)
        page.goto(f"/conversations/{chat.pk}/")
        composer = page.locator("#composer")
        expect(composer).to_have_attribute("data-connection", "ready")
        type_slowly(page, "#id_text", "At least it was only one meeting, don't take it personally.")
        expect(feedback(page)).to_contain_text("Minimising")
        expect(feedback(page).locator("mark.coach-mark--risk").first).to_be_visible()
        axe.assert_accessible(page)

        # Sending works exactly as before; the coach then sees an empty box.
        composer.get_by_role("button", name="Send").click()
        expect(page.locator("#messages .bubble--mine").filter(
            has_text=re.compile("only one meeting"))).to_have_count(1)
        expect(page.locator(".bubble--pending")).to_have_count(0)
        expect(feedback(page)).to_contain_text("The draft is empty")
        texts = [text for _pk, _client, text in stored_texts(chat)]
        assert texts[-1] == "At least it was only one meeting, don't take it personally."
    finally:
        context.close()
