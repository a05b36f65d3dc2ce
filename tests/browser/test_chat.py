"""Live chat in two real browsers (a colleague and a supporter) through Haven's real ASGI
server: messages, typing and the crisis path arrive without a reload, the page has no axe
violations for either role, and a server restart mid-conversation loses and duplicates
nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from haven.core import times
from haven.core.models import Person, Role
from haven.support import offers
from haven.support.models import Conversation, SupportRequest
from tests.browser.asgi_server import AsgiServer
from tests.browser.helpers import AxeChecker, BrowserErrors, sign_in, sign_out_button
from tests.factories import LocationFactory, make_person
from tests.support.chat_setup import open_chat, stored_texts
from tests.support.conftest import make_supporter, open_request

pytestmark = pytest.mark.django_db(transaction=True)

SHOUTED_AT = "It is my manager. Every meeting ends with me being shouted at."
TIMEOUT_MS = 10_000  # as in conftest.py: auto-waits end well before pytest would hang
CRISIS_PHRASE = "Honestly, some days I feel I want to die."
# Back-off is at most 8 s between attempts; the server needs a few seconds to come back.
RECONNECT_MS = 40_000
BUBBLES_JS = """items => items.map(li => ({
    clientId: li.dataset.clientId, id: Number(li.dataset.id || 0),
    text: li.querySelector("p").textContent,
    pending: li.classList.contains("bubble--pending")}))"""


def new_chat(colleague: Person, supporter: Person, first_message: str) -> Conversation:
    """open_chat, in a thread of its own: sending broadcasts through async_to_sync, which
    refuses to run in this thread, where Playwright's sync API keeps an event loop."""

    def work() -> Conversation:
        try:
            return open_chat(colleague, supporter, first_message=first_message)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


@dataclass
class Side:
    """One person's browser tab on the conversation page."""

    person: Person
    page: Page

    @property
    def composer(self) -> Locator:
        return self.page.locator("#composer")

    @property
    def box(self) -> Locator:
        return self.page.get_by_role("textbox", name="Your message")

    @property
    def typing(self) -> Locator:
        return self.page.locator("#typing")

    def message(self, text: str) -> Locator:
        """The list item whose message is exactly TEXT."""
        return self.page.locator("#messages > li").filter(
            has=self.page.locator("p", has_text=re.compile(f"^{re.escape(text)}$")))

    def say(self, text: str) -> None:
        self.box.fill(text)
        self.composer.get_by_role("button", name="Send").click()

    def expect_live(self, timeout: float = TIMEOUT_MS) -> None:
        expect(self.composer).to_have_attribute("data-connection", "ready", timeout=timeout)

    def bubbles(self) -> list[dict[str, Any]]:
        return self.page.locator("#messages > li[data-client-id]").evaluate_all(BUBBLES_JS)

    def mark(self) -> None:
        """Mark the page; still_the_same_page() is true only if it was never reloaded."""
        self.page.evaluate("window.havenTestMark = true")

    def still_the_same_page(self) -> bool:
        return bool(self.page.evaluate("window.havenTestMark === true"))


@pytest.fixture
def supporter() -> Person:  # no MFA requirement for supporters, as in production
    return make_person(Role.SUPPORTER)


@pytest.fixture
def open_side(browser: Browser, asgi_live_server: AsgiServer, browser_errors: BrowserErrors
              ) -> Iterator[Callable[..., Side]]:
    """Sign PERSON in, in a browser profile of their own, and open the conversation page."""
    contexts: list[BrowserContext] = []

    def open_(person: Person, conversation: Conversation, *, accept: bool = False) -> Side:
        """ACCEPT: a supporter gets there by accepting the offer on their home page."""
        context = browser.new_context(base_url=asgi_live_server.url,
                                      viewport={"width": 1280, "height": 800})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        browser_errors.watch(page)
        sign_in(page, asgi_live_server, person)
        if accept:
            page.goto("/supporter/")
            page.get_by_role("button", name="Accept").click()
            page.wait_for_url(f"**/conversations/{conversation.pk}/")
        else:
            response = page.goto(f"/conversations/{conversation.pk}/")
            assert response is not None and response.status == 200
        side = Side(person, page)
        side.expect_live()
        side.mark()
        return side

    yield open_
    for context in contexts:
        context.close()


def assert_pages_match_the_database(conversation: Conversation, *sides: Side) -> None:
    """Every page shows each stored message exactly once, in stored order, none pending."""
    stored = [{"id": pk, "clientId": client_id, "text": text, "pending": False}
              for pk, client_id, text in stored_texts(conversation)]
    assert len({s["clientId"] for s in stored}) == len(stored)
    for side in sides:
        assert side.bubbles() == stored, f"the page of {side.person.email} differs"


def test_colleague_and_supporter_chat_live(open_side: Callable[[Person, Conversation], Side],
                                           axe: AxeChecker, colleague: Person,
                                           supporter: Person) -> None:
    chat = new_chat(colleague, supporter, "Can we talk about my team?")
    them = open_side(colleague, chat)
    us = open_side(supporter, chat)
    for side in (them, us):
        expect(side.message("Can we talk about my team?")).to_have_count(1)
        axe.assert_accessible(side.page)

    us.say("Of course. What is on your mind?")
    expect(them.message("Of course. What is on your mind?")).to_have_class(
        re.compile(r"\bbubble--theirs\b"))
    expect(us.message("Of course. What is on your mind?")).to_have_class(
        re.compile(r"\bbubble--mine\b"))
    expect(us.page.locator(".bubble--pending")).to_have_count(0)

    them.box.fill("It is")  # typing, not sent
    expect(us.typing).to_have_text("Your colleague is typing…")
    expect(them.typing).to_have_text("")  # only the other side is told
    them.say(SHOUTED_AT)
    expect(us.message(SHOUTED_AT)).to_have_count(1)

    # The crisis path: resources for the colleague, the protocol for the supporter.
    expect(them.page.locator("#crisis")).to_be_hidden()
    expect(us.page.locator("#protocol")).to_be_hidden()
    them.say(CRISIS_PHRASE)
    expect(them.page.get_by_role("alert").filter(
        has_text="If you are in danger, please reach help now")).to_be_visible()
    expect(us.page.get_by_role("alert").filter(has_text="Escalation protocol")).to_be_visible()
    expect(us.page.get_by_role("button", name="Alert the safety contact")).to_be_visible()
    expect(them.page.locator("#protocol")).to_have_count(0)  # never sent to the colleague
    expect(us.page.locator("#crisis")).to_be_hidden()
    expect(us.message(CRISIS_PHRASE)).to_have_count(1)

    for side in (them, us):
        axe.assert_accessible(side.page)
        assert side.still_the_same_page(), "the page was reloaded"
    assert_pages_match_the_database(chat, them, us)


THREE = "three, while the server is down"
FOUR = "four, also while it is down"
FIVE = "five, after the restart"


@pytest.mark.parametrize("crash", [False, True], ids=["graceful-restart", "crash-restart"])
def test_a_server_restart_mid_conversation_loses_and_duplicates_nothing(
        open_side: Callable[[Person, Conversation], Side], asgi_live_server: AsgiServer,
        browser_errors: BrowserErrors, colleague: Person, supporter: Person,
        crash: bool) -> None:
    browser_errors.allow("WebSocket connection to")  # Chromium logs each refused reconnect
    chat = new_chat(colleague, supporter, "Hello, is anyone there?")
    them = open_side(colleague, chat)
    us = open_side(supporter, chat)
    them.say("one")
    expect(us.message("one")).to_have_count(1)
    us.say("two")
    expect(them.message("two")).to_have_count(1)

    asgi_live_server.stop(crash=crash)
    for side in (them, us):
        expect(side.composer).not_to_have_attribute("data-connection", "ready")
    them.say(THREE)
    us.say(FOUR)
    for side, text in [(them, THREE), (us, FOUR)]:
        waiting = side.message(text)
        expect(waiting).to_have_class(re.compile(r"\bbubble--pending\b"))
        expect(waiting).to_contain_text("Not sent yet")
    assert len(stored_texts(chat)) == 3

    asgi_live_server.start()
    for side in (them, us):
        side.expect_live(timeout=RECONNECT_MS)
    for side in (them, us):
        for text in (THREE, FOUR):
            expect(side.message(text)).not_to_have_class(re.compile(r"\bbubble--pending\b"),
                                                         timeout=RECONNECT_MS)
        expect(side.page.locator(".bubble--pending")).to_have_count(0)
    them.say(FIVE)
    expect(us.message(FIVE)).to_have_count(1)
    expect(them.message(FIVE)).not_to_have_class(re.compile(r"\bbubble--pending\b"))

    texts = [text for _id, _client_id, text in stored_texts(chat)]
    assert texts[:3] == ["Hello, is anyone there?", "one", "two"]
    assert sorted(texts[3:5]) == sorted([THREE, FOUR])  # whichever page reconnected first
    assert texts[5:] == [FIVE]
    assert_pages_match_the_database(chat, them, us)
    for side in (them, us):
        assert side.still_the_same_page(), "the page was reloaded"


def test_signing_out_in_another_tab_ends_the_live_chat_and_keeps_what_was_written(
        open_side: Callable[[Person, Conversation], Side], colleague: Person,
        supporter: Person) -> None:
    chat = new_chat(colleague, supporter, "Hello")
    them = open_side(colleague, chat)
    other_tab = them.page.context.new_page()
    other_tab.goto("/")
    with other_tab.expect_navigation():
        sign_out_button(other_tab).click()

    unsent = "Something I do not want to lose"
    them.say(unsent)
    expect(them.composer).to_have_attribute("data-connection", "closed")
    expect(them.page.locator("#connection")).to_contain_text("You are signed out")
    expect(them.box).to_have_value(unsent)
    expect(them.page.locator(".bubble--pending")).to_have_count(0)
    them.composer.get_by_role("button", name="Send").click()  # no post to a sign-in page
    expect(them.box).to_have_value(unsent)
    assert them.still_the_same_page()
    assert [text for _id, _client_id, text in stored_texts(chat)] == ["Hello"]


def test_a_message_the_server_refuses_comes_back_with_the_reason_and_is_never_resent(
        open_side: Callable[[Person, Conversation], Side], asgi_live_server: AsgiServer,
        browser_errors: BrowserErrors, colleague: Person, supporter: Person) -> None:
    # An unpaired surrogate (a JavaScript string may hold one; JSON.stringify escapes it)
    # used to crash the server's consumer, and the page sent it again on every reconnect.
    browser_errors.allow("WebSocket connection to")
    chat = new_chat(colleague, supporter, "Hello")
    them = open_side(colleague, chat)
    written = "Please read this \\ud800 carefully"  # built in the page: a JS string literal
    them.box.evaluate(f'(box) => {{ box.value = "{written}"; }}')
    them.composer.get_by_role("button", name="Send").click()

    expect(them.page.locator("#connection")).to_have_text(
        "The text contains a character that cannot be stored: an unpaired surrogate (U+D800) "
        "at position 18. Remove it and try again.")
    assert them.box.evaluate(f'(box) => box.value === "{written}"'), "the text was not kept"
    expect(them.page.locator(".bubble--pending")).to_have_count(0)
    expect(them.composer).to_have_attribute("data-connection", "ready")  # still connected

    asgi_live_server.stop()
    expect(them.composer).not_to_have_attribute("data-connection", "ready")
    asgi_live_server.start()
    them.expect_live(timeout=RECONNECT_MS)
    them.box.fill("Please read this carefully")
    them.composer.get_by_role("button", name="Send").click()
    expect(them.message("Please read this carefully")).not_to_have_class(
        re.compile(r"\bbubble--pending\b"))
    assert [text for _id, _client_id, text in stored_texts(chat)] == [
        "Hello", "Please read this carefully"]
    assert them.still_the_same_page()


# Live states and times (issue 14) -------------------------------------------------------------

SHOWN_TIME = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}( \d{4})?, "
                        r"\d{2}:\d{2}$")
TIMES_JS = "items => items.map(t => [t.dateTime, t.textContent])"
QUIET_MS = 2_000  # well under the page's 4 s quiet time: a clear this fast was a real event


def waiting_request(colleague: Person) -> SupportRequest:
    """A chat request nobody can take yet (there is no supporter), in a thread of its own."""

    def work() -> SupportRequest:
        try:
            return open_request(colleague, mode=SupportRequest.Mode.CHAT,
                                first_message="Is anyone there?")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def offer_to_the_supporter(support_request: SupportRequest) -> None:
    def work() -> None:
        try:
            assert offers.offer_to_next_supporter(support_request=support_request) is not None
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(work).result()


def test_the_colleague_sees_the_supporter_join_and_type_live_with_times_in_one_format(
        open_side: Callable[..., Side], axe: AxeChecker) -> None:
    colleague = make_person(location=LocationFactory(name="Toronto",
                                                     time_zone="America/Toronto"))
    support_request = waiting_request(colleague)
    conversation = support_request.conversation
    them = open_side(colleague, conversation)
    expect(them.page.get_by_role("heading", level=1)).to_have_text("Waiting for a peer supporter")
    expect(them.page.locator("#conversation-state")).to_have_text("Waiting for a supporter")
    expect(them.page.locator("#waiting-note")).to_have_count(1)

    supporter = make_supporter(name="Robin Example")
    offer_to_the_supporter(support_request)
    us = open_side(supporter, conversation, accept=True)

    # Joined, live: the colleague's page names the supporter and stops saying "waiting".
    expect(them.page.locator("#messages > li.chat-event")).to_have_text("Robin Example joined")
    expect(them.page.get_by_role("heading", level=1)).to_have_text(
        "Conversation with Robin Example")
    expect(them.page.locator("#conversation-state")).to_have_text("Open")
    expect(them.page.locator("#waiting-note")).to_have_count(0)
    axe.assert_accessible(them.page)

    # Typing ends when the message comes, when the box is emptied, after a quiet spell, and
    # when the typist's page goes away.
    us.box.fill("I am")
    expect(them.typing).to_have_text("Your supporter is typing…")
    us.say("I am here. Take your time.")
    expect(them.message("I am here. Take your time.")).to_have_count(1)
    expect(them.typing).to_have_text("", timeout=QUIET_MS)
    us.page.wait_for_timeout(2_100)  # the page tells "typing" at most every 2 s
    us.box.press_sequentially("Sorry")
    expect(them.typing).to_have_text("Your supporter is typing…")
    us.box.fill("")
    expect(them.typing).to_have_text("", timeout=QUIET_MS)
    us.page.wait_for_timeout(2_100)
    us.box.press_sequentially("Hm")
    expect(them.typing).to_have_text("Your supporter is typing…")
    expect(them.typing).to_have_text("", timeout=8_000)  # stopped typing: the quiet time
    us.page.wait_for_timeout(2_100)
    us.box.press_sequentially("Bye")
    expect(them.typing).to_have_text("Your supporter is typing…")
    us.page.close()
    expect(them.typing).to_have_text("", timeout=QUIET_MS)

    # One format: the time of the message rendered by the server and of the one that came
    # live read alike, in the colleague's zone, and as the server renders both after a reload.
    live = them.page.locator("#messages time").evaluate_all(TIMES_JS)
    assert len(live) == 2 and all(SHOWN_TIME.match(text) for _iso, text in live), live
    zone = ZoneInfo("America/Toronto")
    assert [text for _iso, text in live] == [
        times.shown_time(datetime.fromisoformat(iso), zone) for iso, _text in live]
    them.page.reload()
    rendered = them.page.locator("#messages time").evaluate_all(TIMES_JS)
    assert [text for _iso, text in rendered] == [text for _iso, text in live]
    assert [datetime.fromisoformat(iso) for iso, _text in rendered] == [
        datetime.fromisoformat(iso) for iso, _text in live]  # the same moments
