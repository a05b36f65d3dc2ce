"""The JSON API for activities and open questions: signing up and the waitlist, bad input as
clear JSON errors, and no response naming an anonymous author."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from haven.activities import services as activities
from haven.activities.models import Activity, ActivityFeedback, ActivitySignup
from haven.core.models import Person, Role
from haven.questions import services as questions
from haven.questions.models import Question, QuestionVote
from tests.activities.test_activities import an_activity
from tests.conftest import signed_in
from tests.factories import make_person
from tests.questions.test_questions import published

pytestmark = pytest.mark.django_db


def _post(client: Client, path: str, body: object | None = None) -> Any:
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def test_anonymous_callers_are_refused(client: Client) -> None:
    activity = an_activity()
    assert client.get("/api/v1/connect/activities").status_code == 401
    assert _post(client, f"/api/v1/connect/activities/{activity.pk}/signup").status_code == 401
    assert _post(client, "/api/v1/connect/questions", {"text": "Hi?"}).status_code == 401
    assert not ActivitySignup.objects.exists() and not Question.objects.exists()


def test_sign_up_waitlist_and_give_up(colleague: Person, as_colleague: Client) -> None:
    activity = an_activity(capacity=1)
    first = signed_in(make_person())
    assert _post(first, f"/api/v1/connect/activities/{activity.pk}/signup").json() == {
        "status": "going"}

    response = _post(as_colleague, f"/api/v1/connect/activities/{activity.pk}/signup")
    assert (response.status_code, response.json()) == (201, {"status": "waitlist"})
    again = _post(as_colleague, f"/api/v1/connect/activities/{activity.pk}/signup")
    assert again.status_code == 422
    assert again.json()["errors"][0]["message"] == "You are already on the waitlist."

    listed = as_colleague.get("/api/v1/connect/activities").json()
    assert [(a["id"], a["going"], a["waiting"], a["my_status"]) for a in listed] == [
        (activity.pk, 1, 1, "waitlist")]
    assert first.delete(f"/api/v1/connect/activities/{activity.pk}/signup").status_code == 204
    assert ActivitySignup.objects.get(person=colleague).status == "going"
    assert as_colleague.delete("/api/v1/connect/activities/999/signup").status_code == 404


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "x" * 1001}, {"text": 3},
                                  {"text": "Hi?", "anonymous": "yes"},
                                  {"text": "Hi?", "author": "me"}])
def test_bad_questions_get_clear_errors(as_colleague: Client, body: dict[str, Any]) -> None:
    response = _post(as_colleague, "/api/v1/connect/questions", body)

    assert response.status_code == 422
    assert response.json()["message"] == "The request is not valid."
    assert not Question.objects.exists()


def test_asking_and_voting_once(as_colleague: Client, settings: Any) -> None:
    response = _post(as_colleague, "/api/v1/connect/questions",
                     {"text": "Hybrid policy?", "anonymous": True})
    assert response.status_code == 201
    assert response.json()["status"] == "pending"

    question = published()
    assert _post(as_colleague, f"/api/v1/connect/questions/{question.pk}/vote").status_code == 204
    second = _post(as_colleague, f"/api/v1/connect/questions/{question.pk}/vote")
    assert second.status_code == 422
    assert "already voted" in second.json()["errors"][0]["message"]
    assert QuestionVote.objects.count() == 1


def test_no_response_names_an_anonymous_author(settings: Any) -> None:
    settings.HAVEN_MIN_GROUP_SIZE = 2
    author = make_person(name="Perpetua Lind", email="perpetua.lind@example.org")
    question = published("Office move?", anonymous=True, author=author)
    questions.vote(person=make_person(), question=question)
    named = published("Named?", author=make_person(name="Open Asker"))

    body = signed_in(make_person()).get("/api/v1/connect/questions")

    text = body.content.decode()
    assert "Perpetua" not in text and "perpetua" not in text
    shown = {q["id"]: q for q in body.json()["questions"]}
    assert shown[question.pk]["asked_by"] is None
    assert shown[named.pk]["asked_by"] == "Open Asker"
    schema = signed_in(make_person()).get("/api/v1/openapi.json").json()
    assert "author_hash" not in json.dumps(schema)


# Organisers change and call off; colleagues give feedback ------------------------------------

def _patch(client: Client, path: str, body: object) -> Any:
    return client.patch(path, json.dumps(body), content_type="application/json")


def test_the_organiser_changes_an_activity(django_capture_on_commit_callbacks: Any) -> None:
    organiser = make_person()
    activity = an_activity(organiser=organiser, capacity=1)
    going, waiting = make_person(), make_person()
    for person in (going, waiting):
        activities.sign_up(person=person, activity=activity)
    later = activity.starts_at + timedelta(days=2)

    with django_capture_on_commit_callbacks(execute=True):
        response = _patch(signed_in(organiser), f"/api/v1/connect/activities/{activity.pk}",
                          {"starts_at": later.isoformat(),
                           "ends_at": (later + timedelta(hours=1)).isoformat(),
                           "capacity": 2})

    assert response.status_code == 200
    body = response.json()
    assert (body["capacity"], body["going"], body["waiting"]) == (2, 2, 0)
    assert body["title"] == "Board games"  # left out: kept
    activity.refresh_from_db()
    assert (activity.starts_at, activity.sequence) == (later, 1)
    assert {message.to[0]: message.subject for message in mail.outbox} == {
        going.email: "Changed: Board games", waiting.email: "You have a place: Board games"}


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"capacity": 0}, "capacity", "Choose between 1 and 10000 places."),
    ({"title": "  "}, "title", "This cannot be empty."),
    ({"online_link": "ftp://x"}, "online_link", "Give a link that starts with https://."),
])
def test_bad_changes_get_the_pages_messages(body: dict[str, Any], field: str,
                                            message: str) -> None:
    organiser = make_person()
    activity = an_activity(organiser=organiser)

    response = _patch(signed_in(organiser), f"/api/v1/connect/activities/{activity.pk}", body)

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": field, "message": message}]
    activity.refresh_from_db()
    assert (activity.title, activity.capacity, activity.sequence) == ("Board games", 2, 0)


def test_too_few_places_for_the_people_going_is_a_clear_422() -> None:
    organiser = make_person()
    activity = an_activity(organiser=organiser, capacity=3)
    for _ in range(2):
        activities.sign_up(person=make_person(), activity=activity)

    response = _patch(signed_in(organiser), f"/api/v1/connect/activities/{activity.pk}",
                      {"capacity": 1})

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"].startswith(
        "2 people already have a place, so keep at least 2 places.")


@pytest.mark.parametrize("body", [{"starts_at": "2031-01-01T10:00:00"}, {"capacity": "5"},
                                  {"organiser": 1}, {"title": None, "sequence": 9}])
def test_malformed_changes_are_refused(body: dict[str, Any]) -> None:
    organiser = make_person()
    activity = an_activity(organiser=organiser)

    response = _patch(signed_in(organiser), f"/api/v1/connect/activities/{activity.pk}", body)

    assert response.status_code == 422
    assert Activity.objects.get().sequence == 0


def test_others_may_not_change_or_call_off(as_colleague: Client) -> None:
    activity = an_activity(organiser=make_person())
    path = f"/api/v1/connect/activities/{activity.pk}"

    changed = _patch(as_colleague, path, {"title": "Mine"})
    called_off = _post(as_colleague, f"{path}/call-off", {"note": "No."})

    assert (changed.status_code, called_off.status_code) == (403, 403)
    assert changed.json()["message"] == "Your role does not allow this."
    assert _patch(as_colleague, "/api/v1/connect/activities/999", {}).status_code == 404
    activity.refresh_from_db()
    assert (activity.title, activity.cancelled_at) == ("Board games", None)


def test_calling_off_over_the_api(django_capture_on_commit_callbacks: Any) -> None:
    coordinator = make_person(Role.COORDINATOR)
    activity = an_activity()
    person = make_person()
    activities.sign_up(person=person, activity=activity)
    path = f"/api/v1/connect/activities/{activity.pk}"

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(signed_in(coordinator), f"{path}/call-off", {"note": "Snow."})

    body = response.json()
    assert response.status_code == 200
    assert body["called_off_at"] is not None and body["cancellation_note"] == "Snow."
    assert [message.to for message in mail.outbox] == [[person.email]]
    again = _post(signed_in(coordinator), f"{path}/call-off", {})
    assert again.status_code == 422
    assert again.json()["errors"][0]["message"] == "This activity has already been called off."
    signed_up = _post(signed_in(make_person()), f"{path}/signup")
    assert signed_up.json()["errors"][0]["message"] == (
        "This activity has been called off: sign-up is closed.")
    as_person = signed_in(person)
    assert as_person.get("/api/v1/connect/activities").json() == []
    assert as_person.get(path).json()["called_off_at"] is not None


def test_feedback_over_the_api(colleague: Person, as_colleague: Client) -> None:
    activity = an_activity()
    activities.sign_up(person=colleague, activity=activity)
    path = f"/api/v1/connect/activities/{activity.pk}/feedback"
    early = _post(as_colleague, path, {"score": 4})
    assert early.status_code == 422
    assert early.json()["errors"][0]["message"] == "Feedback opens once the activity has ended."
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1))

    assert _post(as_colleague, path, {"score": "4"}).status_code == 422
    assert _post(as_colleague, path, {"score": 9}).json()["errors"][0]["message"] == (
        "Choose a score from 1 to 5.")
    response = _post(as_colleague, path, {"score": 4})
    assert (response.status_code, response.json()) == (201, {"score": 4})
    assert _post(as_colleague, path, {"score": 5}).status_code == 422
    stranger = _post(signed_in(make_person()), path, {"score": 5})
    assert stranger.json()["errors"][0]["message"] == (
        "Only people who had a place can give feedback.")
    assert list(ActivityFeedback.objects.values_list("score", flat=True)) == [4]
