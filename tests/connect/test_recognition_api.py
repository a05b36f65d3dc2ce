"""/api/v1/recognitions: the feed a colleague may see and giving recognition, with the same
audiences and bad-input answers as the pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from haven.connect import recognition
from haven.connect.recognition_models import Recognition
from haven.core.models import Person
from tests.conftest import signed_in
from tests.factories import TeamFactory, make_person

pytestmark = pytest.mark.django_db
URL = "/api/v1/recognitions"


def _post(client: Client, body: object):  # type: ignore[no-untyped-def]
    return client.post(URL, json.dumps(body), content_type="application/json")


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
