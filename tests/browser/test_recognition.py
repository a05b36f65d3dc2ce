"""A colleague recognises someone, sees a held recognition explained and reacts, comments (one
comment held and explained) and deletes a comment; a coordinator moderates recognition and
comments and opens the inclusion insight. Every page has 0 axe-core violations under the
strict CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.core.models import Role
from haven.recognition import services as recognition
from haven.recognition.models import Recognition
from tests.browser.helpers import AxeChecker, BrowserErrors, expect_heading, path_of, sign_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_colleague_recognises_and_reacts(page: Page, live_server: LiveServer,
                                           axe: AxeChecker,
                                           browser_errors: BrowserErrors) -> None:
    person = make_person(name="Amara Okafor")
    colleague = make_person(name="Hiro Tanaka")
    recognition.add_value(name="Courage")
    violations: list[str] = []
    sign_in(page, live_server, person)

    page.goto(f"{live_server.url}/recognition/")
    expect_heading(page, "Recognition")
    expect(page.get_by_text("No recognition yet.")).to_be_visible()
    violations += axe.violations(page)

    page.get_by_role("link", name="Recognise someone").click()
    expect_heading(page, "Recognise someone")
    page.get_by_label("Colleague", exact=True).fill(person.email)
    page.get_by_label("What did they do?").fill("Me again")
    browser_errors.allow("400")  # the refused form answers 400 Bad Request
    page.get_by_role("button", name="Send recognition").click()
    expect(page.get_by_text("You cannot recognise yourself").first).to_be_visible()
    violations += axe.violations(page)

    page.get_by_label("Colleague", exact=True).fill(colleague.email)
    page.get_by_label("Courage").check()
    page.get_by_label("What did they do?").fill("You calmed the incident call down.")
    page.get_by_role("button", name="Send recognition").click()
    assert path_of(page) == "/recognition/"
    expect(page.get_by_text("You calmed the incident call down.")).to_be_visible()
    violations += axe.violations(page)

    page.get_by_role("button", name="Celebrate (0)").click()
    expect(page.get_by_role("button", name="Celebrate (1)")).to_have_attribute(
        "aria-pressed", "true")

    page.get_by_role("link", name="Recognise someone").click()
    page.get_by_label("Colleague", exact=True).fill(colleague.email)
    page.get_by_label("Courage").check()
    page.get_by_label("What did they do?").fill("Thanks for nothing.")
    page.get_by_role("button", name="Send recognition").click()
    expect(page.get_by_text("mocking or sarcastic thanks").first).to_be_visible()
    violations += axe.violations(page)

    page.goto(f"{live_server.url}/recognition/settings/")
    expect_heading(page, "Milestones and e-mail")
    violations += axe.violations(page)

    assert not violations, "axe-core found violations:\n" + "\n".join(violations)


def test_a_coordinator_moderates_and_reads_the_insight(page: Page, live_server: LiveServer,
                                                       axe: AxeChecker) -> None:
    coordinator = make_person(Role.COORDINATOR)
    held = recognition.give_recognition(giver=make_person(), recipient_email=make_person().email,
                                        message="Thanks genius.", audience="organisation")
    violations: list[str] = []
    sign_in(page, live_server, coordinator)

    page.goto(f"{live_server.url}/recognition/moderation/")
    expect_heading(page, "Recognition held for moderation")
    violations += axe.violations(page)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("No recognition is waiting.")).to_be_visible()
    held.refresh_from_db()
    assert held.status == "published"

    page.goto(f"{live_server.url}/recognition/insight/")
    expect_heading(page, "Inclusion insight")
    violations += axe.violations(page)

    assert Recognition.objects.count() == 1
    assert not violations, "axe-core found violations:\n" + "\n".join(violations)


def test_a_colleague_comments_and_a_coordinator_moderates_a_comment(
        page: Page, live_server: LiveServer, axe: AxeChecker,
        browser_errors: BrowserErrors) -> None:
    person = make_person(name="Amara Okafor")
    given = recognition.give_recognition(
        giver=make_person(name="Hiro Tanaka"), recipient_email=make_person(name="Lea Roy").email,
        message="You calmed the incident call down.", audience="organisation")
    violations: list[str] = []
    sign_in(page, live_server, person)

    page.goto(f"{live_server.url}/recognition/")
    page.get_by_role("link", name="Comment", exact=True).click()
    expect_heading(page, "Hiro Tanaka recognised Lea Roy")
    expect(page.get_by_text("No comments yet.")).to_be_visible()
    violations += axe.violations(page)

    browser_errors.allow("400")  # the refused form answers 400 Bad Request
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Write your comment first.")).to_be_visible()
    violations += axe.violations(page)

    page.get_by_label("Your comment").fill("Well deserved, Lea!")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is posted.")).to_be_visible()
    expect(page.locator(".comment").filter(has_text="Well deserved, Lea!")).to_contain_text(
        "Amara Okafor")

    page.get_by_label("Your comment").fill("Thanks genius, about time.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Your comment is waiting for a coordinator because it reads as "
                            "mocking or sarcastic thanks")).to_be_visible()
    held = page.locator(".comment").filter(has_text="Thanks genius, about time.")
    expect(held).to_contain_text("Waiting for a coordinator because it reads as mocking")
    violations += axe.violations(page)

    page.goto(f"{live_server.url}/recognition/")
    expect(page.get_by_text("Well deserved, Lea!")).to_be_visible()
    page.locator(".comment").filter(has_text="Well deserved, Lea!").get_by_role(
        "link", name="Delete my comment").click()
    expect_heading(page, "Delete your comment?")
    violations += axe.violations(page)
    page.get_by_role("button", name="Delete my comment").click()
    expect(page.get_by_text("Your comment is deleted.")).to_be_visible()
    expect(page.get_by_text("Well deserved, Lea!")).to_have_count(0)

    page.context.clear_cookies()  # sign in as someone else
    sign_in(page, live_server, make_person(Role.COORDINATOR))
    page.goto(f"{live_server.url}/recognition/moderation/")
    expect(page.get_by_role("heading", name="Comments waiting for a decision")).to_be_visible()
    expect(page.get_by_text("Comment by Amara Okafor")).to_be_visible()
    violations += axe.violations(page)
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("Say why it is not published")).to_be_visible()
    expect(page.get_by_label("Reason (needed to reject; its author will read it)")).to_be_focused()
    violations += axe.violations(page)
    page.get_by_label("Reason (needed to reject; its author will read it)").fill(
        "Please thank without the sarcasm.")
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_text("No comment is waiting.")).to_be_visible()

    assert given.comments.get().status == "rejected"
    assert not violations, "axe-core found violations:\n" + "\n".join(violations)
