"""The JSON API at /api/v1: who may call it, what it returns, and how it refuses bad input."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from haven.core import services
from haven.core.models import Person, PersonalAccessToken, Role
from tests.conftest import signed_in
from tests.factories import DepartmentFactory, LocationFactory, TeamFactory, make_person

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"
PEOPLE = "/api/v1/directory/people"


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def token_for(person: Person, **kwargs: Any) -> str:
    return services.create_access_token(person=person, name="script", **kwargs)[1]


def patch_me(client: Client, body: object, **extra: str):  # type: ignore[no-untyped-def]
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.patch(ME, data, content_type="application/json", **extra)


def assert_json_error(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], list)
    for error in body["errors"]:
        assert set(error) == {"field", "message"}
    return body


def profile_of(person: Person) -> tuple[str, list[str], object]:
    person.refresh_from_db()
    return person.pronouns, person.languages, person.updated_at


# --- who is calling -------------------------------------------------------------------------

def test_me_with_a_session(as_colleague: Client, colleague: Person) -> None:
    response = as_colleague.get(ME)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == colleague.pk
    assert body["email"] == colleague.email
    assert body["roles"] == ["colleague"]
    assert body["languages"] == ["en"]
    assert body["team"] == {"id": colleague.team.pk, "name": colleague.team.name}
    assert body["time_zone"] == "Europe/London"


def test_me_with_a_personal_access_token(colleague: Person) -> None:
    secret = token_for(colleague)

    response = Client().get(ME, **bearer(secret))

    assert response.status_code == 200
    assert response.json()["id"] == colleague.pk
    assert PersonalAccessToken.objects.get(person=colleague).last_used_at is not None


def test_a_supporters_token_carries_their_roles() -> None:
    supporter = make_person(Role.SUPPORTER)

    response = Client().get(ME, **bearer(token_for(supporter)))

    assert response.json()["roles"] == ["colleague", "supporter"]


def _revoked(person: Person) -> str:
    token, secret = services.create_access_token(person=person, name="old")
    services.revoke_access_token(token=token, actor=person)
    return secret


def _expired(person: Person) -> str:
    token, secret = services.create_access_token(person=person, name="old", days=30)
    PersonalAccessToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    return secret


def _of_someone_who_left(person: Person) -> str:
    secret = token_for(person)
    Person.objects.filter(pk=person.pk).update(is_active=False)
    return secret


@pytest.mark.parametrize("make_header", [
    lambda person: bearer(_revoked(person)),
    lambda person: bearer(_expired(person)),
    lambda person: bearer(_of_someone_who_left(person)),
    lambda person: bearer(token_for(person)[:-1]),
    lambda person: bearer("hvn_" + "A" * 43),
    lambda person: bearer("garbage"),
    lambda person: bearer("hvn_" + "x" * 5000),
    lambda person: {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
    lambda person: {"HTTP_AUTHORIZATION": "Bearer"},
    lambda person: {},
], ids=["revoked", "expired", "person-left", "truncated", "unknown", "garbage", "huge",
        "basic", "empty-bearer", "none"])
def test_a_request_without_a_usable_credential_gets_401_json(colleague: Person,
                                                             make_header: Any) -> None:
    header = make_header(colleague)

    for response in (Client().get(ME, **header), patch_me(Client(), {"pronouns": "x"}, **header),
                     Client().get(PEOPLE, **header)):
        body = assert_json_error(response, 401)
        assert "token" in body["message"]
    assert profile_of(colleague)[0] == ""


def test_a_csrf_protected_anonymous_patch_is_still_401(colleague: Person) -> None:
    client = Client(enforce_csrf_checks=True)

    response = patch_me(client, {"pronouns": "x"}, **bearer("hvn_" + "B" * 43))

    assert_json_error(response, 401)


# --- PATCH /me ------------------------------------------------------------------------------

def test_patch_me_updates_pronouns_and_languages(as_colleague: Client,
                                                 colleague: Person) -> None:
    response = patch_me(as_colleague, {"pronouns": " they/them ", "languages": ["FR", "pt-br"]})

    assert response.status_code == 200
    assert response.json()["pronouns"] == "they/them"
    assert response.json()["languages"] == ["fr", "pt-BR"]
    assert profile_of(colleague)[:2] == ("they/them", ["fr", "pt-BR"])


def test_patch_me_changes_only_what_it_names(as_colleague: Client, colleague: Person) -> None:
    Person.objects.filter(pk=colleague.pk).update(pronouns="she/her")

    patch_me(as_colleague, {"languages": ["de"]})

    assert profile_of(colleague)[:2] == ("she/her", ["de"])


def test_patch_me_with_a_token_needs_no_csrf_token(colleague: Person) -> None:
    client = Client(enforce_csrf_checks=True)

    response = patch_me(client, {"pronouns": "he/him"}, **bearer(token_for(colleague)))

    assert response.status_code == 200
    assert profile_of(colleague)[0] == "he/him"


def test_a_session_patch_needs_the_csrf_token(colleague: Person) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(colleague)

    refused = patch_me(client, {"pronouns": "he/him"})

    body = assert_json_error(refused, 403)
    assert "CSRF" in body["message"]
    assert profile_of(colleague)[0] == ""

    client.get("/profile/")  # any page with a form sets the CSRF cookie
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    accepted = patch_me(client, {"pronouns": "he/him"}, HTTP_X_CSRFTOKEN=csrf)

    assert accepted.status_code == 200
    assert profile_of(colleague)[0] == "he/him"


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "status", "field"), [
    (b"{not json", 400, None),
    (b"\xff\xfe\x00", 400, None),
    (b"[1, 2]", 400, None),
    (b"\"they/them\"", 400, None),
    (b"null", 400, None),
    (b"42", 400, None),
    ({"pronouns": 5}, 422, "pronouns"),
    ({"pronouns": ["she", "her"]}, 422, "pronouns"),
    ({"languages": "en"}, 422, "languages"),
    ({"languages": [1, 2]}, 422, "languages.0"),
    ({"languages": [{"code": "en"}]}, 422, "languages.0"),
    ({"pronouns": "x" * 41}, 422, "pronouns"),
    ({"pronouns": "they\x00them"}, 422, "pronouns"),
    ({"pronouns": "they\nthem"}, 422, "pronouns"),
    ({"languages": ["en", "english"]}, 422, "languages"),
    ({"languages": ["中文"]}, 422, "languages"),
    ({"languages": ["e" * 10_000]}, 422, "languages.0"),
    ({"languages": [f"a{chr(97 + n)}" for n in range(13)]}, 422, "languages"),
    ({"email": "someone.else@example.org"}, 422, "email"),
    ({"roles": ["administrator"]}, 422, "roles"),
    ({"pronouns": "ok", "is_active": False}, 422, "is_active"),
], ids=lambda value: str(value)[:30])
def test_bad_input_gets_a_clear_json_error_and_changes_nothing(
        as_colleague: Client, colleague: Person, body: object, status: int,
        field: str | None) -> None:
    before = profile_of(colleague)

    response = patch_me(as_colleague, body)

    errors = assert_json_error(response, status)["errors"]
    if field is not None:
        assert field in [error["field"] for error in errors]
        assert all(error["message"] for error in errors)
    assert profile_of(colleague) == before
    colleague.refresh_from_db()
    assert colleague.is_active
    assert colleague.roles == frozenset({"colleague"})


def test_a_body_that_is_not_an_object_is_told_so(as_colleague: Client) -> None:
    not_json = assert_json_error(patch_me(as_colleague, b"{pronouns: they}"), 400)
    not_object = assert_json_error(patch_me(as_colleague, b'["they/them"]'), 400)

    assert not_json["message"] == "The request body is not valid JSON."
    assert not_object["message"].startswith("The request body must be a JSON object")
    assert "pronouns" not in not_json["message"]  # the body is never echoed


def test_an_error_does_not_echo_a_huge_value(as_colleague: Client) -> None:
    response = patch_me(as_colleague, {"languages": ["q" * 100_000]})

    assert len(response.content) < 2_000


def test_a_body_over_the_size_limit_gets_413(as_colleague: Client, colleague: Person) -> None:
    before = profile_of(colleague)
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = patch_me(as_colleague, {"pronouns": "they/them", "padding": padding})

    body = assert_json_error(response, 413)
    assert "too large" in body["message"]
    assert profile_of(colleague) == before


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_other_methods_on_me_are_405_and_change_nothing(as_colleague: Client,
                                                        colleague: Person, method: str) -> None:
    before = profile_of(colleague)

    response = getattr(as_colleague, method)(ME, json.dumps({"pronouns": "x"}),
                                             content_type="application/json")

    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}
    assert profile_of(colleague) == before
    assert Person.objects.filter(pk=colleague.pk).exists()


def test_a_form_encoded_body_is_refused(as_colleague: Client, colleague: Person) -> None:
    before = profile_of(colleague)

    response = as_colleague.patch(ME, "pronouns=they",
                                  content_type="application/x-www-form-urlencoded")

    assert response.status_code in (400, 415, 422)
    assert response.json()["message"]
    assert profile_of(colleague) == before


# --- the directory --------------------------------------------------------------------------

@pytest.fixture
def organisation() -> dict[str, Any]:
    engineering = DepartmentFactory(name="Engineering")
    platform = TeamFactory(name="Platform", department=engineering)
    mobile = TeamFactory(name="Mobile Apps", department=engineering)
    leeds = LocationFactory(name="Leeds", time_zone="Europe/London")
    people = {
        "ada": make_person(Role.SUPPORTER, name="Ada Larsen", team=platform,
                           department=engineering, location=leeds),
        "ben": make_person(name="Ben Moreau", team=platform, department=engineering,
                           location=leeds),
        "cho": make_person(Role.SUPPORTER, name="Cho Park", team=mobile, department=engineering,
                           location=leeds),
    }
    return {"platform": platform, "mobile": mobile, "engineering": engineering,
            "leeds": leeds, **people}


def _names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [item["name"] for item in response.json()["items"]]


def test_coordinators_list_people_with_limit_and_offset(as_coordinator: Client,
                                                        organisation: dict) -> None:
    everyone = as_coordinator.get(PEOPLE).json()
    page = as_coordinator.get(PEOPLE, {"limit": 2, "offset": 1}).json()

    assert everyone["count"] == Person.objects.count() == 4
    assert [item["name"] for item in everyone["items"]] == sorted(
        Person.objects.values_list("name", flat=True))
    assert page["count"] == 4
    assert [item["name"] for item in page["items"]] == [
        item["name"] for item in everyone["items"][1:3]]


def test_people_are_filtered_by_search_role_and_team(as_coordinator: Client,
                                                     organisation: dict) -> None:
    platform = organisation["platform"]

    assert _names(as_coordinator.get(PEOPLE, {"q": "moreau"})) == ["Ben Moreau"]
    assert _names(as_coordinator.get(PEOPLE, {"role": "supporter"})) == ["Ada Larsen", "Cho Park"]
    assert _names(as_coordinator.get(PEOPLE, {"team": platform.pk})) == ["Ada Larsen",
                                                                         "Ben Moreau"]
    assert _names(as_coordinator.get(PEOPLE, {"team": platform.pk, "role": "supporter"})) == [
        "Ada Larsen"]


def test_one_person_in_full(as_administrator: Client, organisation: dict) -> None:
    ada = organisation["ada"]

    response = as_administrator.get(f"{PEOPLE}/{ada.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Ada Larsen"
    assert body["roles"] == ["colleague", "supporter"]
    assert body["location"] == {"id": organisation["leeds"].pk, "name": "Leeds",
                                "time_zone": "Europe/London"}
    assert body["department"] == {"id": organisation["engineering"].pk, "name": "Engineering"}
    assert body["job_level"] == 3
    assert body["start_date"] == "2022-03-01"


def test_teams_departments_and_locations(as_coordinator: Client, organisation: dict) -> None:
    teams = as_coordinator.get("/api/v1/directory/teams").json()
    departments = as_coordinator.get("/api/v1/directory/departments").json()
    locations = as_coordinator.get("/api/v1/directory/locations").json()

    assert {"id": organisation["mobile"].pk, "name": "Mobile Apps",
            "department": {"id": organisation["engineering"].pk, "name": "Engineering"}} in teams
    assert {"id": organisation["engineering"].pk, "name": "Engineering"} in departments
    assert {"id": organisation["leeds"].pk, "name": "Leeds",
            "time_zone": "Europe/London"} in locations


DIRECTORY_PATHS = [PEOPLE, f"{PEOPLE}/1", "/api/v1/directory/teams",
                   "/api/v1/directory/departments", "/api/v1/directory/locations"]


@pytest.mark.parametrize("role", [None, Role.SUPPORTER, Role.CASE_HANDLER])
@pytest.mark.parametrize("path", DIRECTORY_PATHS)
def test_the_directory_api_is_refused_to_other_roles(role: str | None, path: str) -> None:
    person = make_person(*([role] if role else []))

    for response in (signed_in(person).get(path), Client().get(path,
                                                               **bearer(token_for(person)))):
        body = assert_json_error(response, 403)
        assert "role" in body["message"]


def test_a_token_made_before_a_privileged_role_needs_totp_too() -> None:
    person = make_person()
    secret = token_for(person)
    services.set_roles(person=person, roles=[Role.COORDINATOR], actor=None)

    response = Client().get(PEOPLE, **bearer(secret))

    body = assert_json_error(response, 403)
    assert "two-factor" in body["message"]


@pytest.mark.parametrize(("path", "status"), [
    (f"{PEOPLE}/999999", 404),
    (f"{PEOPLE}/99999999999999999999999", 404),
    (f"{PEOPLE}/-1", 404),
    (f"{PEOPLE}/abc", 422),
    (f"{PEOPLE}?limit=0", 422),
    (f"{PEOPLE}?limit=abc", 422),
    (f"{PEOPLE}?limit=99999999999999999999999", 422),
    (f"{PEOPLE}?offset=-1", 422),
    (f"{PEOPLE}?offset=99999999999999999999999", 422),
    (f"{PEOPLE}?team=99999999999999999999999", 422),
    (f"{PEOPLE}?team=abc", 422),
    (f"{PEOPLE}?role=superuser", 422),
    (f"{PEOPLE}?q=" + "x" * 101, 422),
    (f"{PEOPLE}?q=a%00b", 422),
    ("/api/v1/no-such-thing", 404),
])
def test_bad_directory_requests_get_clear_json_errors(as_coordinator: Client, path: str,
                                                      status: int) -> None:
    response = as_coordinator.get(path)

    assert_json_error(response, status)


def test_empty_filters_mean_any(as_coordinator: Client, organisation: dict) -> None:
    response = as_coordinator.get(PEOPLE, {"q": "", "role": "", "team": ""})

    assert response.status_code == 200
    assert response.json()["count"] == 4


def test_a_search_with_a_control_character_says_why(as_coordinator: Client) -> None:
    body = assert_json_error(as_coordinator.get(PEOPLE, {"q": "a\x00b"}), 422)

    assert body["errors"] == [{"field": "q", "message": (
        "The text contains a character that cannot be stored: NUL (U+0000) at position 2. "
        "Remove it and try again.")}]


def test_a_large_offset_gives_an_empty_page(as_coordinator: Client) -> None:
    response = as_coordinator.get(PEOPLE, {"offset": 100_000})

    assert response.status_code == 200
    assert response.json()["items"] == []


def test_the_directory_api_does_not_query_once_per_person(
        as_coordinator: Client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for n in range(30):
        make_person(*([Role.SUPPORTER] if n % 2 else []))

    with django_assert_max_num_queries(11):
        response = as_coordinator.get(PEOPLE, {"limit": 30})

    assert len(response.json()["items"]) == 30


# --- the schema -----------------------------------------------------------------------------

def test_the_openapi_schema_is_json_with_every_path() -> None:
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {"/api/v1/me", "/api/v1/directory/people",
                                    "/api/v1/directory/people/{person_id}",
                                    "/api/v1/directory/teams", "/api/v1/directory/departments",
                                    "/api/v1/directory/locations"}
    assert set(schema["paths"]["/api/v1/me"]) == {"get", "patch"}


# --- anything at all ------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
patch_bodies = json_values | st.fixed_dictionaries({}, optional={
    "pronouns": st.none() | st.text(max_size=50) | json_values,
    "languages": st.none() | st.lists(st.text(max_size=8), max_size=14) | json_values,
})


@hypothesis_settings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=patch_bodies)
def test_patch_me_never_fails_and_refusals_change_nothing(as_colleague: Client,
                                                           colleague: Person,
                                                           body: object) -> None:
    before = profile_of(colleague)

    response = patch_me(as_colleague, body)

    assert response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    if response.status_code != 200:
        assert profile_of(colleague) == before
        assert response.json()["message"]


@hypothesis_settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_patch_me_survives_any_bytes(as_colleague: Client, colleague: Person,
                                     raw: bytes) -> None:
    before = profile_of(colleague)

    response = patch_me(as_colleague, raw)

    assert response.status_code < 500
    if response.status_code != 200:
        assert profile_of(colleague) == before
