"""A coordinator proposes an activity and moderates a question; a colleague joins the
waitlist, gives up a place with a confirmation and asks anonymously; an organiser changes an
activity, then calls it off. Every page has 0 axe-core violations and runs under the strict
CSP without errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.activities import services as activities
from haven.activities.models import Activity, ActivityAudit, ActivitySignup
from haven.core.models import AuditEvent, Role
from haven.questions import services as questions
from tests.activities.test_activities import an_activity
from tests.browser.helpers import AxeChecker, BrowserErrors, expect_heading, sign_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinator_proposes_and_moderates(page: Page, live_server: LiveServer,
                                              axe: AxeChecker,
                                              browser_errors: BrowserErrors) -> None:
    coordinator = make_person(Role.COORDINATOR)
    questions.ask(person=make_person(), text="Why are you so useless?", anonymous=True)
    browser_errors.allow("status of 400")  # the form sent empty, on purpose
    violations: list[str] = []
    sign_in(page, live_server, coordinator)

    page.goto(f"{live_server.url}/activities/")
    expect_heading(page, "Activities")
    violations += axe.violations(page)
    page.get_by_role("link", name="Propose an activity").click()
    expect_heading(page, "Propose an activity")
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Publish the activity").click()
    expect(page.locator(".error-summary")).to_be_visible()
    violations += axe.violations(page)  # errors shown
    start = timezone.now() + timedelta(days=5)
    page.get_by_label("Title").fill("Climbing wall")
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT17:00"))
    page.get_by_label("Ends").fill(start.strftime("%Y-%m-%dT19:00"))
    page.get_by_label("Time zone").select_option("Europe/Madrid")
    page.get_by_label("Place", exact=True).fill("Gym")
    page.get_by_label("Places").fill("1")
    page.get_by_role("button", name="Publish the activity").click()
    expect_heading(page, "Climbing wall")
    violations += axe.violations(page)

    page.goto(f"{live_server.url}/questions/moderation/")
    expect_heading(page, "Questions waiting for moderation")
    expect(page.get_by_text("Held for a closer look")).to_be_visible()
    violations += axe.violations(page)
    page.get_by_label("Do not publish").check()
    page.get_by_label("Reason (shown to the author if not published)").fill("Please rephrase.")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_text("Nothing is waiting.")).to_be_visible()
    assert not violations, violations
    assert Activity.objects.get().time_zone == "Europe/Madrid"


def test_a_colleague_waits_cancels_and_asks(page: Page, live_server: LiveServer,
                                            axe: AxeChecker,
                                            browser_errors: BrowserErrors) -> None:
    person = make_person(name="Ines Duarte")
    start = timezone.now() + timedelta(days=2)
    activity = Activity.objects.create(
        title="Choir", starts_at=start, ends_at=start + timedelta(hours=1),
        time_zone="Europe/Lisbon", place="Hall", capacity=1,
        accessibility="Step-free access.", organiser=make_person(Role.COORDINATOR, mfa=False))
    activities.sign_up(person=make_person(), activity=activity)
    violations: list[str] = []
    sign_in(page, live_server, person)

    page.goto(f"{live_server.url}/activities/{activity.pk}/")
    page.get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_text("The activity is full, so you are on the waitlist.")).to_be_visible()
    violations += axe.violations(page)
    page.get_by_label("Yes, leave the waitlist").check()
    page.get_by_role("button", name="Leave the waitlist").click()
    expect(page.get_by_text("Done: you are no longer signed up.")).to_be_visible()
    assert not ActivitySignup.objects.filter(person=person).exists()

    page.goto(f"{live_server.url}/questions/")
    expect_heading(page, "Questions to leadership")
    violations += axe.violations(page)
    page.get_by_role("link", name="Ask a question").click()
    page.get_by_label("Your question").fill("Will we keep Fridays remote?")
    page.get_by_label("Anonymously: nobody is shown who asked").check()
    violations += axe.violations(page)
    page.get_by_role("button", name="Send the question").click()
    expect_heading(page, "Your questions")
    expect(page.get_by_text("Will we keep Fridays remote?")).to_be_visible()
    violations += axe.violations(page)
    assert not violations, violations


def test_an_organiser_changes_then_calls_off_an_activity(page: Page, live_server: LiveServer,
                                                         axe: AxeChecker,
                                                         browser_errors: BrowserErrors) -> None:
    organiser = make_person(name="Noor Haddad")
    activity = an_activity(title="Book club", place="Library", zone="Europe/Dublin",
                           starts_in=timedelta(days=4), organiser=organiser)
    for _ in range(2):
        activities.sign_up(person=make_person(), activity=activity)
    browser_errors.allow("status of 400")  # too few places, and the missing tick, on purpose
    violations: list[str] = []
    sign_in(page, live_server, organiser)

    page.goto(f"{live_server.url}/activities/{activity.pk}/")
    page.get_by_role("link", name="Change the activity").click()
    expect_heading(page, "Change “Book club”")
    expect(page.get_by_label("Title")).to_have_value("Book club")
    violations += axe.violations(page)
    page.get_by_label("Places").fill("1")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.locator("#id_capacity_error")).to_contain_text(
        "2 people already have a place, so keep at least 2 places.")
    violations += axe.violations(page)  # errors shown
    page.get_by_label("Places").fill("3")
    page.get_by_label("Place", exact=True).fill("Reading room")
    page.get_by_role("button", name="Save the changes").click()
    expect_heading(page, "Book club")
    expect(page.get_by_text("The activity is changed.")).to_be_visible()
    expect(page.get_by_text("Reading room")).to_be_visible()

    page.get_by_role("link", name="Call off the activity").click()
    expect_heading(page, "Call off “Book club”")
    violations += axe.violations(page)
    page.get_by_label("A note to the people signed up (optional)").fill("The author is ill.")
    page.get_by_role("button", name="Call off the activity").click()
    expect(page.locator("#id_confirm_error")).to_have_text(
        "Tick the box to confirm; the activity is still on.")
    expect(page.get_by_label("A note to the people signed up (optional)")).to_have_value(
        "The author is ill.")
    page.get_by_label("Yes, call off this activity").check()
    page.get_by_role("button", name="Call off the activity").click()
    expect(page.get_by_role("heading", name="Called off")).to_be_visible()
    expect(page.get_by_text("The author is ill.")).to_be_visible()
    expect(page.get_by_role("link", name="Change the activity")).to_have_count(0)
    violations += axe.violations(page)
    assert not violations, violations
    activity.refresh_from_db()
    assert (activity.place, activity.capacity, activity.sequence) == ("Reading room", 3, 2)
    assert activity.cancelled_at is not None
    assert AuditEvent.objects.filter(action=ActivityAudit.ACTIVITY_CALLED_OFF).count() == 1
