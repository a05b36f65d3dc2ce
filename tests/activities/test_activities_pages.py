"""Activity pages: who may open them, proposing, signing up, the waitlist message, cancelling
with a confirmation, the calendar download, feedback, empty states and query counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from haven.activities import services as activities
from haven.activities.models import Activity, ActivitySignup
from haven.core.models import Person
from tests.activities.test_activities import an_activity
from tests.conftest import signed_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_the_list_has_empty_states(as_colleague: Client) -> None:
    body = as_colleague.get("/activities/").content.decode()

    assert "<h1>Activities</h1>" in body
    assert "No activities coming up yet." in body
    assert "No past activities." in body
    assert "Propose an activity" not in body


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    assert client.get("/activities/").status_code == 302
    assert client.post(f"/activities/{an_activity().pk}/sign-up/").status_code in (302, 403)
    assert not ActivitySignup.objects.exists()


def test_colleagues_may_not_propose_by_default(as_colleague: Client) -> None:
    assert as_colleague.get("/activities/new/").status_code == 403
    assert as_colleague.post("/activities/new/", {"title": "x"}).status_code == 403


def _form(**changes: str) -> dict[str, str]:
    start = timezone.now() + timedelta(days=10)
    data = {"title": "Quiz night", "description": "Teams of four.",
            "starts_at": start.strftime("%Y-%m-%dT18:00"),
            "ends_at": start.strftime("%Y-%m-%dT20:00"), "time_zone": "Asia/Tokyo",
            "place": "Canteen", "online_link": "", "capacity": "12",
            "accessibility": "Step-free."}
    data.update(changes)
    return data


def test_a_coordinator_proposes_in_the_chosen_time_zone(as_coordinator: Client) -> None:
    page = as_coordinator.get("/activities/new/").content.decode()
    for field in ("title", "description", "starts_at", "ends_at", "time_zone", "place",
                  "online_link", "capacity", "accessibility"):
        assert f'<label for="id_{field}">' in page

    response = as_coordinator.post("/activities/new/", _form())

    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/activities/{activity.pk}/"
    local = activity.starts_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert (local.hour, local.minute, activity.time_zone) == (18, 0, "Asia/Tokyo")


@pytest.mark.parametrize("changes", [
    {"title": ""}, {"title": "x" * 151}, {"capacity": "0"}, {"capacity": "many"},
    {"time_zone": "Nowhere/Atlantis"}, {"starts_at": "2001-01-01T10:00"},
    {"ends_at": "yesterday"}, {"place": "", "online_link": ""},
])
def test_bad_input_comes_back_with_an_error_and_saves_nothing(
        as_coordinator: Client, changes: dict[str, str]) -> None:
    response = as_coordinator.post("/activities/new/", _form(**changes))

    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not Activity.objects.exists()


def test_colleagues_propose_when_allowed(settings: Any, as_colleague: Client) -> None:
    settings.HAVEN_COLLEAGUES_PROPOSE_ACTIVITIES = True

    assert "Propose an activity" in as_colleague.get("/activities/").content.decode()
    assert as_colleague.post("/activities/new/", _form()).status_code == 302


def test_signing_up_then_the_waitlist_with_a_clear_message(colleague: Person,
                                                           as_colleague: Client) -> None:
    activity = an_activity(capacity=1)
    activities.sign_up(person=make_person(), activity=activity)

    page = as_colleague.get(f"/activities/{activity.pk}/").content.decode()
    assert "Join the waitlist" in page
    response = as_colleague.post(f"/activities/{activity.pk}/sign-up/", follow=True)

    body = response.content.decode()
    assert "The activity is full, so you are on the waitlist." in body
    assert "You are number 1 on the waitlist." in body
    assert ActivitySignup.objects.get(person=colleague).status == "waitlist"


def test_signing_up_for_a_past_activity_is_refused(colleague: Person,
                                                   as_colleague: Client) -> None:
    activity = an_activity(starts_in=timedelta(hours=-1))

    body = as_colleague.post(f"/activities/{activity.pk}/sign-up/",
                             follow=True).content.decode()

    assert "already started: sign-up is closed" in body
    assert not ActivitySignup.objects.exists()


def test_cancelling_needs_the_confirmation(colleague: Person, as_colleague: Client) -> None:
    activity = an_activity()
    activities.sign_up(person=colleague, activity=activity)

    body = as_colleague.post(f"/activities/{activity.pk}/cancel/", follow=True).content.decode()
    assert "Tick the box to confirm; you still have your place." in body
    assert ActivitySignup.objects.filter(person=colleague).exists()

    as_colleague.post(f"/activities/{activity.pk}/cancel/", {"confirm": "on"})
    assert not ActivitySignup.objects.filter(person=colleague).exists()


def test_the_invitation_downloads(as_colleague: Client) -> None:
    activity = an_activity(zone="Europe/Berlin")

    response = as_colleague.get(f"/activities/{activity.pk}/invitation.ics")

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"


@pytest.mark.parametrize(("method", "path"), [
    ("post", "/activities/"), ("get", "/activities/{id}/sign-up/"),
    ("get", "/activities/{id}/cancel/"), ("get", "/activities/{id}/feedback/"),
    ("post", "/activities/{id}/invitation.ics"),
])
def test_wrong_methods_are_refused(as_colleague: Client, method: str, path: str) -> None:
    activity = an_activity()
    assert getattr(as_colleague, method)(path.format(id=activity.pk)).status_code == 405


@pytest.mark.parametrize("path", ["/activities/999/", "/activities/999/invitation.ics",
                                  "/activities/99999999999999999999/"])
def test_unknown_activities_are_404(as_colleague: Client, path: str) -> None:
    assert as_colleague.get(path).status_code == 404


def test_feedback_after_the_activity_and_the_organisers_view(colleague: Person,
                                                             as_colleague: Client,
                                                             settings: Any) -> None:
    settings.HAVEN_MIN_GROUP_SIZE = 2
    organiser = make_person(mfa=False)
    activity = an_activity(organiser=organiser)
    other = make_person(name="Ada Other")
    for person in (colleague, other):
        activities.sign_up(person=person, activity=activity)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1))
    activity.refresh_from_db()

    assert "Your score, from 1 (poor) to 5 (very good)" in as_colleague.get(
        f"/activities/{activity.pk}/").content.decode()
    as_colleague.post(f"/activities/{activity.pk}/feedback/", {"score": "9"})
    as_colleague.post(f"/activities/{activity.pk}/feedback/", {"score": "4"})
    body = as_colleague.post(f"/activities/{activity.pk}/feedback/", {"score": "2"},
                             follow=True).content.decode()
    assert "You have already given feedback on this activity." in body
    assert "You gave it 4 out of 5." in body

    as_organiser = signed_in(organiser)
    page = as_organiser.get(f"/activities/{activity.pk}/").content.decode()
    assert "Ada Other" in page
    assert "1 answer so far" in page
    activities.give_feedback(person=other, activity=activity, score=5)
    assert "An average of 4.5 out of 5, from 2 people." in as_organiser.get(
        f"/activities/{activity.pk}/").content.decode()
    assert "Ada Other" not in as_colleague.get(f"/activities/{activity.pk}/").content.decode()


def test_the_list_queries_do_not_grow(colleague: Person, as_colleague: Client) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert as_colleague.get("/activities/").status_code == 200
        return len(queries)

    first = an_activity()
    activities.sign_up(person=colleague, activity=first)
    count()  # the first visit also creates the activity settings row
    few = count()
    for _ in range(6):
        activity = an_activity()
        activities.sign_up(person=make_person(), activity=activity)
    an_activity(starts_in=timedelta(days=-2))

    assert count() == few
