"""/api/v1/directory/people/{id}/active: administrators deactivate and reactivate people."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from haven.core import services
from haven.core.models import AuditAction, AuditEvent, Person, Role
from tests.conftest import signed_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def url(person: Person | int) -> str:
    return f"/api/v1/directory/people/{getattr(person, 'pk', person)}/active"


def bearer(person: Person) -> dict[str, str]:
    secret = services.create_access_token(person=person, name="hr sync")[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def put(client: Client, person: Person | int, body: object, **extra: str):  # type: ignore[no-untyped-def]
    return client.put(url(person), json.dumps(body), content_type="application/json", **extra)


def is_active(person: Person) -> bool:
    return Person.objects.values_list("is_active", flat=True).get(pk=person.pk)


def test_an_administrators_token_deactivates_a_person_whose_own_token_then_answers_401() -> None:
    administrator, leaver = make_person(Role.ADMINISTRATOR), make_person()
    theirs = bearer(leaver)
    theirs_session = signed_in(leaver)
    assert Client().get("/api/v1/me", **theirs).status_code == 200

    response = put(Client(), leaver, {"active": False}, **bearer(administrator))

    assert response.status_code == 200, response.content
    assert response.json() == {"person_id": leaver.pk, "active": False, "changed": True,
                               "sessions_ended": 1, "tokens_revoked": 1}
    assert not is_active(leaver)
    assert Client().get("/api/v1/me", **theirs).status_code == 401
    assert theirs_session.get("/api/v1/me").status_code == 401
    event = AuditEvent.objects.get(action=AuditAction.PERSON_DEACTIVATED)
    assert (event.actor_id, event.object_id, event.detail["via"]) == (
        administrator.pk, str(leaver.pk), "api")


def test_the_api_reactivates_and_reads_the_state(as_administrator: Client) -> None:
    person = make_person()
    services.set_person_active(person=person, active=False, actor=None, via="command")
    assert as_administrator.get(url(person)).json() == {
        "person_id": person.pk, "active": False, "changed": False, "sessions_ended": 0,
        "tokens_revoked": 0}

    response = put(as_administrator, person, {"active": True})

    assert response.status_code == 200
    assert response.json()["active"] is True and response.json()["changed"] is True
    assert is_active(person)
    assert AuditEvent.objects.get(action=AuditAction.PERSON_REACTIVATED).detail == {"via": "api"}
    assert as_administrator.get(f"/api/v1/directory/people/{person.pk}").json()["active"]


@pytest.mark.parametrize("role", [None, Role.SUPPORTER, Role.COORDINATOR, Role.CASE_HANDLER])
def test_only_administrators_may_call_it(role: str | None) -> None:
    caller, person = make_person(*([role] if role else [])), make_person()

    for client, extra in ((signed_in(caller), {}), (Client(), bearer(caller))):
        assert put(client, person, {"active": False}, **extra).status_code == 403
        assert client.get(url(person), **extra).status_code == 403
    assert is_active(person)


def test_strangers_get_401() -> None:
    person = make_person()

    assert put(Client(), person, {"active": False}).status_code == 401
    assert is_active(person)


@pytest.mark.parametrize(("body", "status"), [
    ({}, 422), ({"active": "perhaps"}, 422), ({"active": False, "why": "x"}, 422),
    ([False], 400)])
def test_a_bad_body_gets_a_clear_error_and_changes_nothing(as_administrator: Client,
                                                            body: object, status: int) -> None:
    person = make_person()

    response = put(as_administrator, person, body)

    assert response.status_code == status
    assert response.json()["message"]
    assert is_active(person)


def test_nobody_there_is_404(as_administrator: Client) -> None:
    assert put(as_administrator, 999999, {"active": False}).status_code == 404


def test_the_last_administrator_is_refused_with_422(as_administrator: Client,
                                                   administrator: Person) -> None:
    response = put(as_administrator, administrator, {"active": False})

    assert response.status_code == 422
    assert "last active administrator" in response.json()["errors"][0]["message"]
    assert is_active(administrator)


def test_an_administrator_deactivating_themselves_over_their_session_is_answered() -> None:
    leaving, _staying = make_person(Role.ADMINISTRATOR), make_person(Role.ADMINISTRATOR)
    client = signed_in(leaving)

    response = put(client, leaving, {"active": False})

    assert response.status_code == 200 and response.json()["active"] is False
    assert client.get("/api/v1/me").status_code == 401


def test_the_route_is_in_the_openapi_schema() -> None:
    schema = Client().get("/api/v1/openapi.json").json()

    assert set(schema["paths"]["/api/v1/directory/people/{person_id}/active"]) == {"get", "put"}
