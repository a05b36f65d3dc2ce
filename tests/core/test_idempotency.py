"""Create forms make one record however often they are sent (haven.core.idempotency): the same
page sent twice (same token), and back-then-send (a page fetched anew: a new token, the same
text). What was made is shown, with why."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from haven.activities.models import Activity
from haven.core.idempotency import KEPT, REPEAT_WINDOW, forget_form_submissions
from haven.core.models import FormSubmission, Person, Role
from haven.questions.models import Question
from haven.recognition import services as recognition
from haven.recognition.models import CompanyValue, Recognition, RecognitionComment
from haven.support import offers
from haven.support.models import Commitment, Conversation, SupportRequest
from tests.conftest import signed_in
from tests.factories import make_person
from tests.support.conftest import make_supporter, open_request

pytestmark = pytest.mark.django_db

ALREADY = "You had already sent this"


def _token(page: str, name: str = "form_token") -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert found, f"no {name} in the form"
    return found.group(1)


def _fresh(client: Client, path: str, name: str = "form_token") -> str:
    """The token of the form as a browser fetching PATH anew gets it."""
    return _token(client.get(path).content.decode(), name)


def _request_form(token: str, **changes: str) -> dict[str, str]:
    data = {"topic": "bullying", "mode": "messages", "use_pseudonym": "name",
            "language": "en", "avoid_my_team": "on", "person_of_concern": "",
            "message": "Someone keeps taking credit for my work.", "acknowledged": "on",
            "submission_id": token}
    data.update(changes)
    return data


def _shows_already(client: Client, response: Any, location: str) -> None:
    assert response.status_code == 302 and response["Location"] == location
    assert ALREADY in client.get(location).content.decode()


# The support request (the supporter saw two offers) -----------------------------------------

def test_back_then_send_again_opens_one_request_and_shows_it(colleague: Person) -> None:
    make_supporter()
    client = signed_in(colleague)

    first = client.post("/support/new/", _request_form(_fresh(client, "/support/new/",
                                                              "submission_id")))
    # Back: the browser fetches the form anew (a new token) and restores what was typed.
    again = client.post("/support/new/", _request_form(_fresh(client, "/support/new/",
                                                              "submission_id")))

    conversation = Conversation.objects.get()
    assert first["Location"] == f"/conversations/{conversation.pk}/"
    _shows_already(client, again, first["Location"])
    assert SupportRequest.objects.count() == 1
    assert conversation.request.offers.count() == 1


def test_a_double_submit_opens_one_request(colleague: Person) -> None:
    make_supporter()
    client = signed_in(colleague)
    data = _request_form(_fresh(client, "/support/new/", "submission_id"))

    responses = [client.post("/support/new/", data) for _ in range(3)]

    assert len({response["Location"] for response in responses}) == 1
    assert SupportRequest.objects.count() == 1


def test_a_different_request_is_a_new_one(colleague: Person) -> None:
    make_supporter()
    client = signed_in(colleague)
    client.post("/support/new/", _request_form(_fresh(client, "/support/new/",
                                                       "submission_id")))
    client.post("/support/new/", _request_form(_fresh(client, "/support/new/", "submission_id"),
                                               message="Something else happened today."))

    assert SupportRequest.objects.count() == 2


def test_the_same_text_after_the_repeat_window_is_a_new_request(colleague: Person) -> None:
    make_supporter()
    client = signed_in(colleague)
    client.post("/support/new/", _request_form(_fresh(client, "/support/new/",
                                                       "submission_id")))
    FormSubmission.objects.update(created_at=timezone.now() - REPEAT_WINDOW
                                  - timedelta(seconds=1))

    client.post("/support/new/", _request_form(_fresh(client, "/support/new/",
                                                       "submission_id")))

    assert SupportRequest.objects.count() == 2


def test_a_refused_form_leaves_no_trace_and_can_be_sent_when_corrected(
        colleague: Person) -> None:
    make_supporter()
    client = signed_in(colleague)
    data = _request_form(_fresh(client, "/support/new/", "submission_id"),
                         person_of_concern="nobody@example.org")

    refused = client.post("/support/new/", data)
    data["person_of_concern"] = ""
    sent = client.post("/support/new/", data)

    assert refused.status_code == 200 and sent.status_code == 302
    assert SupportRequest.objects.count() == 1 and FormSubmission.objects.count() == 1


def test_another_person_sending_the_same_text_makes_their_own(colleague: Person) -> None:
    make_supporter()
    other = signed_in(make_person())
    mine = signed_in(colleague)
    mine.post("/support/new/", _request_form(_fresh(mine, "/support/new/", "submission_id")))
    other.post("/support/new/", _request_form(_fresh(other, "/support/new/", "submission_id")))

    assert SupportRequest.objects.count() == 2


def test_the_record_of_a_submission_names_nobody_and_holds_no_text(colleague: Person) -> None:
    make_supporter()
    client = signed_in(colleague)
    client.post("/support/new/", _request_form(_fresh(client, "/support/new/",
                                                       "submission_id")))

    row = FormSubmission.objects.values().get()
    stored = " ".join(str(value) for value in row.values())
    assert "credit" not in stored and colleague.email not in stored
    assert str(colleague.pk) not in (row["tag"], row["repeat_tag"])
    assert re.fullmatch(r"[0-9a-f]{64}", row["tag"])
    assert re.fullmatch(r"/conversations/\d+/", row["shown_at"])


# Every other create form --------------------------------------------------------------------

def _twice(client: Client, path: str, data: dict[str, Any]) -> tuple[Any, Any]:
    """Sent, then back (a fresh form) and sent again."""
    first = client.post(path, {**data, "form_token": _fresh(client, path)})
    second = client.post(path, {**data, "form_token": _fresh(client, path)})
    return first, second


def test_a_recognition_is_given_once(colleague: Person) -> None:
    client = signed_in(colleague)
    recipient = make_person()

    first, second = _twice(client, "/recognition/give/", {
        "recipient": recipient.email, "message": "You stayed late to help.",
        "audience": "organisation"})

    given = Recognition.objects.get()
    assert first.status_code == 302
    _shows_already(client, second, f"/recognition/#recognition-{given.pk}")


def test_a_comment_is_posted_once_and_the_same_words_elsewhere_are_new(
        colleague: Person) -> None:
    one = recognition.give_recognition(giver=make_person(), recipient_email=colleague.email,
                                       team=None, value_ids=[], message="Thanks!",
                                       audience="organisation")
    two = recognition.give_recognition(giver=make_person(), recipient_email=colleague.email,
                                       team=None, value_ids=[], message="Thanks again!",
                                       audience="organisation")
    client = signed_in(colleague)
    for target in (one, two):
        path = f"/recognition/{target.pk}/"
        token = _fresh(client, path)
        for _ in range(2):
            client.post(f"{path}comments/", {"message": "Much appreciated.",
                                            "form_token": token})
        client.post(f"{path}comments/", {"message": "Much appreciated.",
                                        "form_token": _fresh(client, path)})

    assert RecognitionComment.objects.count() == 2
    assert {c.recognition_id for c in RecognitionComment.objects.all()} == {one.pk, two.pk}


def test_a_question_is_asked_once_without_a_content_tag_or_a_time(colleague: Person) -> None:
    client = signed_in(colleague)

    first, second = _twice(client, "/questions/ask/", {"text": "Why the new rota?",
                                                       "anonymous": "yes"})

    assert Question.objects.count() == 1
    _shows_already(client, second, "/questions/mine/")
    row = FormSubmission.objects.get()
    assert row.repeat_tag == "" and row.shown_at == "/questions/mine/"
    assert (row.created_at.hour, row.created_at.minute, row.created_at.second) == (0, 0, 0)
    # A different question is a new one.
    client.post("/questions/ask/", {"text": "And the canteen?", "anonymous": "yes",
                                    "form_token": _fresh(client, "/questions/ask/")})
    assert Question.objects.count() == 2


def test_an_activity_is_proposed_once() -> None:
    client = signed_in(make_person(Role.COORDINATOR, mfa=True))
    start = timezone.now() + timedelta(days=10)

    first, second = _twice(client, "/activities/new/", {
        "title": "Quiz night", "description": "Teams of four.",
        "starts_at": start.strftime("%Y-%m-%dT18:00"),
        "ends_at": start.strftime("%Y-%m-%dT20:00"), "time_zone": "UTC", "place": "Canteen",
        "online_link": "", "capacity": "12", "accessibility": ""})

    activity = Activity.objects.get()
    assert first["Location"] == f"/activities/{activity.pk}/"
    _shows_already(client, second, first["Location"])


def test_a_company_value_is_added_once() -> None:
    client = signed_in(make_person(Role.ADMINISTRATOR, mfa=True))

    _twice(client, "/recognition/values/", {"name": "Courage", "description": "Speak up."})

    assert CompanyValue.objects.filter(name="Courage").count() == 1


def test_a_commitment_is_recorded_once(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = offers.accept_offer(offer=open_request(colleague).offers.get(),
                                       supporter=supporter)
    client = signed_in(supporter)
    path = f"/conversations/{conversation.pk}/"
    due = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    for _ in range(2):
        client.post(f"{path}commitments/", {"what": "Check in on Friday", "due_at": due,
                                            "form_token": _fresh(client, path)})

    assert Commitment.objects.count() == 1


# The record itself ------------------------------------------------------------------------------

def test_records_lose_their_content_tag_after_the_window_and_go_after_a_day() -> None:
    now = timezone.now()
    fresh = FormSubmission.objects.create(tag="a" * 64, repeat_tag="b" * 64, shown_at="/x/",
                                          created_at=now)
    stale = FormSubmission.objects.create(tag="c" * 64, repeat_tag="d" * 64, shown_at="/y/",
                                          created_at=now - REPEAT_WINDOW - timedelta(minutes=1))
    FormSubmission.objects.create(tag="e" * 64, shown_at="/z/",
                                  created_at=now - KEPT - timedelta(minutes=1))

    assert forget_form_submissions(now=now) == 2

    assert set(FormSubmission.objects.values_list("pk", flat=True)) == {fresh.pk, stale.pk}
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.repeat_tag == "" and fresh.repeat_tag == "b" * 64


def test_a_mangled_token_is_no_error(colleague: Person) -> None:
    client = signed_in(colleague)
    response = client.post("/questions/ask/", {"text": "Why?", "anonymous": "no",
                                               "form_token": "not-a-uuid"})
    assert response.status_code == 302 and Question.objects.count() == 1
    assert uuid.UUID(_fresh(client, "/questions/ask/"))
