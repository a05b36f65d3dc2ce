"""The pages for changing and calling off an activity: who sees and may use them (403 and
404), the form filled in with the activity's own times, bad input kept with a message, the
confirmation before calling off, and a called-off activity as colleagues then see it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.test import Client
from django.utils import timezone

from haven.activities import services as activities
from haven.activities.models import Activity, ActivitySignup
from haven.core.models import Person, Role
from tests.activities.test_activities import an_activity
from tests.activities.test_activities_pages import _form
from tests.conftest import signed_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser() -> Person:
    return make_person(name="Olu Organiser")


@pytest.fixture
def as_organiser(organiser: Person) -> Client:
    return signed_in(organiser)


def test_the_organiser_sees_how_to_change_or_call_off(organiser: Person, as_organiser: Client,
                                                      as_colleague: Client) -> None:
    activity = an_activity(organiser=organiser)

    page = as_organiser.get(f"/activities/{activity.pk}/").content.decode()
    assert f'href="/activities/{activity.pk}/edit/"' in page
    assert f'href="/activities/{activity.pk}/call-off/"' in page
    other = as_colleague.get(f"/activities/{activity.pk}/").content.decode()
    assert "/edit/" not in other and "/call-off/" not in other


@pytest.mark.parametrize("path", ["/activities/{id}/edit/", "/activities/{id}/call-off/"])
def test_other_colleagues_are_refused(as_colleague: Client, path: str) -> None:
    activity = an_activity(organiser=make_person(mfa=False))

    assert as_colleague.get(path.format(id=activity.pk)).status_code == 403
    response = as_colleague.post(path.format(id=activity.pk), {**_form(), "confirm": "on"})

    assert response.status_code == 403
    activity.refresh_from_db()
    assert (activity.title, activity.cancelled_at) == ("Board games", None)


@pytest.mark.parametrize("path", ["/activities/999/edit/", "/activities/999/call-off/"])
def test_unknown_activities_are_404(as_coordinator: Client, path: str) -> None:
    assert as_coordinator.get(path).status_code == 404
    assert as_coordinator.post(path).status_code == 404


@pytest.mark.parametrize("path", ["/activities/{id}/edit/", "/activities/{id}/call-off/"])
def test_wrong_methods_are_refused(as_organiser: Client, organiser: Person, path: str) -> None:
    activity = an_activity(organiser=organiser)
    assert as_organiser.delete(path.format(id=activity.pk)).status_code == 405


def test_the_form_shows_the_activitys_own_wall_clock(organiser: Person,
                                                     as_organiser: Client) -> None:
    activity = an_activity(organiser=organiser, zone="Asia/Tokyo")
    local = activity.starts_at.astimezone(ZoneInfo("Asia/Tokyo"))

    page = as_organiser.get(f"/activities/{activity.pk}/edit/").content.decode()

    assert "<h1>Change “Board games”</h1>" in page
    for field in ("title", "starts_at", "ends_at", "time_zone", "place", "capacity"):
        assert f'<label for="id_{field}">' in page
    assert f'value="{local:%Y-%m-%dT%H:%M}"' in page
    assert '<option value="Asia/Tokyo" selected>' in page


def test_a_coordinator_changes_the_time_in_the_chosen_zone(as_coordinator: Client) -> None:
    activity = an_activity(organiser=make_person(mfa=False))

    response = as_coordinator.post(f"/activities/{activity.pk}/edit/",
                                   _form(title="Quiz night", time_zone="America/Chicago"))

    assert response.status_code == 302
    assert response["Location"] == f"/activities/{activity.pk}/"
    activity.refresh_from_db()
    local = activity.starts_at.astimezone(ZoneInfo("America/Chicago"))
    assert (activity.title, local.hour, activity.sequence) == ("Quiz night", 18, 1)


def test_too_few_places_is_explained_beside_the_field_and_keeps_the_input(
        organiser: Person, as_organiser: Client) -> None:
    activity = an_activity(organiser=organiser, capacity=3)
    for _ in range(2):
        activities.sign_up(person=make_person(), activity=activity)

    response = as_organiser.post(f"/activities/{activity.pk}/edit/",
                                 _form(title="Quiz night", capacity="1"))

    body = response.content.decode()
    assert response.status_code == 400
    assert ('<p class="error" id="id_capacity_error">2 people already have a place, so keep at '
            "least 2 places.") in body
    assert 'value="Quiz night"' in body
    activity.refresh_from_db()
    assert (activity.capacity, activity.title) == (3, "Board games")


def test_a_started_activity_cannot_be_opened_for_changes(organiser: Person,
                                                        as_organiser: Client) -> None:
    activity = an_activity(organiser=organiser, starts_in=timedelta(minutes=-5))

    body = as_organiser.get(f"/activities/{activity.pk}/edit/", follow=True).content.decode()

    assert "This activity has already started, so it can no longer be changed." in body
    response = as_organiser.post(f"/activities/{activity.pk}/edit/", _form())
    assert response.status_code == 400
    assert "already started" in response.content.decode()
    assert Activity.objects.get().title == "Board games"


def test_calling_off_needs_the_confirmation(organiser: Person, as_organiser: Client) -> None:
    activity = an_activity(organiser=organiser)
    activities.sign_up(person=make_person(), activity=activity)

    page = as_organiser.get(f"/activities/{activity.pk}/call-off/").content.decode()
    assert "<h1>Call off “Board games”</h1>" in page
    assert "1 going, 0 on the waitlist" in page
    assert '<label for="id_note">' in page and '<label for="id_confirm">' in page

    response = as_organiser.post(f"/activities/{activity.pk}/call-off/",
                                 {"note": "Rain forecast."})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Tick the box to confirm; the activity is still on." in body
    assert "Rain forecast." in body  # kept
    assert Activity.objects.get().cancelled_at is None


def test_a_called_off_activity_is_marked_and_refuses_sign_ups(
        organiser: Person, as_organiser: Client, colleague: Person,
        as_colleague: Client) -> None:
    activity = an_activity(organiser=organiser, title="Kayaking")

    response = as_organiser.post(f"/activities/{activity.pk}/call-off/",
                                 {"note": "The river is too high.", "confirm": "on"},
                                 follow=True)

    assert "The activity is called off." in response.content.decode()
    page = as_colleague.get(f"/activities/{activity.pk}/").content.decode()
    assert "<h2>Called off</h2>" in page
    assert "The river is too high." in page
    assert "This activity is called off: sign-up is closed." in page
    assert ">Sign up</button>" not in page
    body = as_colleague.post(f"/activities/{activity.pk}/sign-up/",
                             follow=True).content.decode()
    assert "This activity has been called off: sign-up is closed." in body
    assert not ActivitySignup.objects.exists()

    listing = as_colleague.get("/activities/").content.decode()
    coming_up = listing.split("<h2>Coming up</h2>")[1].split("<h2>")[0]
    assert "Kayaking" not in coming_up
    assert "No activities coming up yet." in coming_up
    called_off = listing.split("<h2>Called off</h2>")[1].split("<h2>")[0]
    assert "Kayaking" in called_off and "The river is too high." in called_off

    again = as_organiser.get(f"/activities/{activity.pk}/call-off/", follow=True)
    assert "This activity has already been called off." in again.content.decode()
    assert as_organiser.get(f"/activities/{activity.pk}/edit/").status_code == 302


def test_feedback_on_a_called_off_activity_is_refused(colleague: Person,
                                                      as_colleague: Client) -> None:
    activity = an_activity()
    activities.sign_up(person=colleague, activity=activity)
    activities.call_off(organiser=activity.organiser, activity=activity)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1))

    page = as_colleague.get(f"/activities/{activity.pk}/").content.decode()
    assert "How was it?" not in page
    body = as_colleague.post(f"/activities/{activity.pk}/feedback/", {"score": "4"},
                             follow=True).content.decode()
    assert "This activity was called off, so there is nothing to give feedback on." in body


def test_the_download_after_calling_off_cancels(as_colleague: Client) -> None:
    activity = an_activity()
    activities.call_off(organiser=make_person(Role.COORDINATOR, mfa=False), activity=activity)

    page = as_colleague.get(f"/activities/{activity.pk}/").content.decode()
    assert "Take it out of your calendar (.ics)" in page
    response = as_colleague.get(f"/activities/{activity.pk}/invitation.ics")
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert (event["STATUS"], event["SEQUENCE"]) == ("CANCELLED", 1)
