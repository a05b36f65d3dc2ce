"""/api/v1/recognitions: the feed a colleague may see, giving recognition, and comments, with
the same audiences and bad-input answers as the pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from haven.core.models import Person
from haven.recognition import services as recognition
from haven.recognition.comments import COMMENT_LIMIT, post_comment
from haven.recognition.models import Recognition, RecognitionComment
from tests.conftest import signed_in
from tests.factories import TeamFactory, make_person

pytestmark = pytest.mark.django_db
URL = "/api/v1/recognitions"


def _post(client: Client, body: object):  # type: ignore[no-untyped-def]
    return _post_to(client, URL, body)


def _post_to(client: Client, url: str, body: object):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json")


def test_it_requires_signing_in() -> None:
    assert Client().get(URL).status_code == 401
    assert _post(Client(), {"message": "x", "audience": "organisation"}).status_code == 401


def test_it_lists_what_the_viewer_may_see(colleague: Person, as_colleague: Client) -> None:
    giver = make_person()
    recognition.give_recognition(giver=giver, recipient_email=colleague.email,
                                 message="Thank you!", audience="private")
    recognition.give_recognition(giver=giver, recipient_email=make_person().email,
                                 message="Only for them", audience="private")

    items = as_colleague.get(URL).json()

    assert [item["message"] for item in items] == ["Thank you!"]
    assert items[0]["recipient"] == colleague.name
    assert {r["kind"] for r in items[0]["reactions"]} == {"thanks", "celebrate", "inspired"}


def test_it_gives_recognition_and_reports_a_hold(as_colleague: Client) -> None:
    value = recognition.add_value(name="Care")
    team = TeamFactory(name="Ops")

    response = _post(as_colleague, {"team_id": team.pk, "value_ids": [value.pk],
                                    "message": "Thanks genius.", "audience": "team"})

    assert response.status_code == 201
    body = response.json()
    assert body["team"] == "Ops" and body["values"] == ["Care"]
    assert body["status"] == "held" and "sarcastic" in body["held_reason"]


@pytest.mark.parametrize(("body", "field"), [
    ({"recipient_email": "nobody@example.org"}, "recipient_email"),
    ({"team_id": 999999}, "team_id"),
    ({"message": ""}, "message"),
    ({"audience": "world"}, "audience"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_input_is_a_422_and_changes_nothing(colleague: Person, body: dict[str, object],
                                                field: str) -> None:
    payload = {"recipient_email": make_person().email, "message": "Thanks!",
               "audience": "organisation", **body}
    if "team_id" in body:
        payload.pop("recipient_email")

    response = _post(signed_in(colleague), payload)

    assert response.status_code == 422
    assert field in {error["field"] for error in response.json()["errors"]}
    assert not Recognition.objects.exists()


def test_recognising_yourself_is_refused(colleague: Person, as_colleague: Client) -> None:
    response = _post(as_colleague, {"recipient_email": colleague.email, "message": "Me",
                                    "audience": "organisation"})

    assert response.status_code == 422
    assert "yourself" in response.json()["errors"][0]["message"]


# Comments -------------------------------------------------------------------------------------

def _comments_url(given: Recognition) -> str:
    return f"{URL}/{given.pk}/comments"


def _given(**fields: object) -> Recognition:
    fields.setdefault("audience", "organisation")
    return recognition.give_recognition(giver=make_person(),  # type: ignore[arg-type]
                                        recipient_email=make_person().email,
                                        message="Thank you for the handover.", **fields)


def test_comments_are_posted_and_listed_for_the_audience(colleague: Person,
                                                         as_colleague: Client) -> None:
    given = _given()

    response = _post_to(as_colleague, _comments_url(given), {"message": "Well deserved!"})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "published" and body["author"] == colleague.name
    assert body["mine"] is True and body["recognition_id"] == given.pk
    reader = signed_in(make_person())
    listed = reader.get(_comments_url(given)).json()
    assert [(c["message"], c["mine"]) for c in listed] == [("Well deserved!", False)]
    item, = reader.get(URL).json()
    assert item["comment_count"] == 1 and item["comments"][0]["message"] == "Well deserved!"


def test_a_held_comment_is_reported_and_shown_only_to_its_author(as_colleague: Client) -> None:
    given = _given()

    response = _post_to(as_colleague, _comments_url(given), {"message": "Thanks genius."})

    assert response.status_code == 201
    assert response.json()["status"] == "held"
    assert "sarcastic" in response.json()["held_reason"]
    assert [c["status"] for c in as_colleague.get(_comments_url(given)).json()] == ["held"]
    assert signed_in(make_person()).get(_comments_url(given)).json() == []


@pytest.mark.parametrize(("body", "field"), [
    ({"message": ""}, "message"),
    ({"message": "x" * 501}, "message"),
    ({"message": 5}, "message"),
    ({"message": "Hi", "author": "someone"}, "author"),
])
def test_bad_comments_are_a_422_and_change_nothing(as_colleague: Client,
                                                   body: dict[str, object], field: str) -> None:
    response = _post_to(as_colleague, _comments_url(_given()), body)

    assert response.status_code == 422
    assert field in {error["field"] for error in response.json()["errors"]}
    assert not RecognitionComment.objects.exists()


def test_comments_where_you_may_not_read_are_404(as_colleague: Client) -> None:
    private = _given(audience="private")

    assert as_colleague.get(_comments_url(private)).status_code == 404
    response = _post_to(as_colleague, _comments_url(private), {"message": "Hello"})
    assert response.status_code == 404 and response.json()["message"] == "Not found."
    assert _post_to(as_colleague, f"{URL}/99999999999/comments",
                    {"message": "Hello"}).status_code == 404
    assert Client().get(_comments_url(private)).status_code == 401
    assert not RecognitionComment.objects.exists()


def test_a_double_post_and_a_flood_are_refused(as_colleague: Client) -> None:
    given = _given()
    assert _post_to(as_colleague, _comments_url(given), {"message": "Bravo"}).status_code == 201

    again = _post_to(as_colleague, _comments_url(given), {"message": "Bravo"})
    assert again.status_code == 422
    assert "just posted this comment" in again.json()["errors"][0]["message"]
    for n in range(COMMENT_LIMIT - 1):
        _post_to(as_colleague, _comments_url(given), {"message": f"Point {n}"})
    flood = _post_to(as_colleague, _comments_url(given), {"message": "One more"})
    assert flood.status_code == 429 and "Please wait" in flood.json()["message"]
    assert RecognitionComment.objects.count() == COMMENT_LIMIT


def test_an_author_deletes_their_own_comment_only(colleague: Person,
                                                  as_colleague: Client) -> None:
    given = _given()
    mine = post_comment(author=colleague, recognition=given, message="Mine")
    theirs = post_comment(author=make_person(), recognition=given, message="Theirs")

    assert as_colleague.delete(f"{URL}/comments/{theirs.pk}").status_code == 404
    assert as_colleague.delete(f"{URL}/comments/{mine.pk}").status_code == 204
    assert list(RecognitionComment.objects.values_list("message", flat=True)) == ["Theirs"]
