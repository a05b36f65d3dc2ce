"""The administrators' activity settings: the first row's default from the environment, the
page (who may open it, bad input, the audit), and proposing on the pages and in the API
following the switch."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from haven.activities import services as activities
from haven.activities.models import Activity, ActivitySettings
from haven.activities.selectors import activity_settings
from haven.core.models import AuditEvent, Person, Role
from tests.activities.test_activities_pages import _form
from tests.conftest import signed_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db

URL = "/activities/settings/"
API = "/api/v1/connect/activities"


def switch(value: bool) -> None:
    row = activity_settings()
    row.colleagues_may_propose = value
    row.save()


def audited() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="activity_settings"))


def _api_body(**changes: Any) -> dict[str, Any]:
    start = timezone.now() + timedelta(days=5)
    body: dict[str, Any] = {
        "title": "Lunch walk", "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(), "time_zone": "Europe/Berlin",
        "place": "Front door", "capacity": 8}
    body.update(changes)
    return body


def _propose_over_api(client: Client, body: dict[str, Any]) -> Any:
    return client.post(API, json.dumps(body), content_type="application/json")


# The loader -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [True, False])
def test_the_first_row_takes_the_environment_setting_as_its_default(settings: Any,
                                                                   value: bool) -> None:
    settings.HAVEN_COLLEAGUES_PROPOSE_ACTIVITIES = value

    assert activity_settings().colleagues_may_propose is value
    settings.HAVEN_COLLEAGUES_PROPOSE_ACTIVITIES = not value
    assert activity_settings().colleagues_may_propose is value  # once saved, the row counts
    assert ActivitySettings.objects.count() == 1


def test_there_is_only_ever_one_row() -> None:
    activity_settings()

    with pytest.raises(IntegrityError), transaction.atomic():
        ActivitySettings.objects.create(pk=2, colleagues_may_propose=True)
    assert ActivitySettings.objects.count() == 1


# The page -------------------------------------------------------------------------------------

def test_only_administrators_open_the_page(as_colleague: Client,
                                           as_coordinator: Client) -> None:
    for client in (as_colleague, as_coordinator):
        assert client.get(URL).status_code == 403
        assert client.post(URL, {"colleagues_may_propose": "yes"}).status_code == 403
    assert activity_settings().colleagues_may_propose is False
    assert not audited()
    assert Client().get(URL).status_code == 302  # signed out: to sign in


def test_the_page_shows_the_setting_and_what_it_does(as_administrator: Client) -> None:
    response = as_administrator.get(URL)

    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Activity settings</h1>" in body
    assert "<legend>Who may propose an activity?</legend>" in body
    assert 'value="no" required id="id_colleagues_may_propose_0" checked' in body
    assert "the “Propose an activity” button is not shown to them" in body
    assert "activities colleagues have already proposed stay" in body

    switch(True)
    body = as_administrator.get(URL).content.decode()
    assert 'value="yes" required id="id_colleagues_may_propose_1" checked' in body


def test_saving_changes_the_row_and_audits_the_field_name_only(
        administrator: Person, as_administrator: Client) -> None:
    response = as_administrator.post(URL, {"colleagues_may_propose": "yes"}, follow=True)

    assert response.redirect_chain[-1][0] == URL
    assert "Activity settings saved." in response.content.decode()
    assert activity_settings().colleagues_may_propose is True
    [event] = audited()
    assert (event.action, event.actor) == ("programme_settings_changed", administrator)
    assert event.detail == {"fields": "colleagues_may_propose"}

    as_administrator.post(URL, {"colleagues_may_propose": "no"})
    assert activity_settings().colleagues_may_propose is False
    assert len(audited()) == 2


def test_saving_the_same_value_again_adds_nothing_to_the_audit_log(
        as_administrator: Client) -> None:
    as_administrator.post(URL, {"colleagues_may_propose": "yes"})
    as_administrator.post(URL, {"colleagues_may_propose": "yes"})

    assert len(audited()) == 1


@pytest.mark.parametrize("data", [{"colleagues_may_propose": "perhaps"},
                                  {"colleagues_may_propose": ""}, {}])
def test_bad_input_is_a_clear_error_and_changes_nothing(as_administrator: Client,
                                                        data: dict[str, str]) -> None:
    switch(True)

    response = as_administrator.post(URL, data)

    assert response.status_code == 400
    body = response.content.decode()
    assert ('id="id_colleagues_may_propose_error">Choose who may propose an activity.</p>'
            in body)
    assert 'href="#id_colleagues_may_propose_0"' in body  # the summary links to the choices
    assert activity_settings().colleagues_may_propose is True
    assert not audited()


def test_the_service_refuses_anything_but_yes_or_no(administrator: Person) -> None:
    with pytest.raises(ValidationError) as error:
        activities.update_activity_settings(actor=administrator, colleagues_may_propose="yes")

    assert set(error.value.message_dict) == {"colleagues_may_propose"}
    assert activity_settings().colleagues_may_propose is False
    assert not audited()


def test_administrators_find_the_page_on_activities_home_and_in_the_navigation(
        as_administrator: Client, as_coordinator: Client, as_colleague: Client) -> None:
    assert f'href="{URL}"' in as_administrator.get("/activities/").content.decode()
    assert as_administrator.get("/").content.decode().count(f'href="{URL}"') == 2
    for client in (as_coordinator, as_colleague):
        assert f'href="{URL}"' not in client.get("/activities/").content.decode()
        assert f'href="{URL}"' not in client.get("/").content.decode()


# Proposing follows the switch -----------------------------------------------------------------

def test_a_colleague_proposes_on_the_pages_only_while_the_switch_is_on(
        as_administrator: Client, as_colleague: Client) -> None:
    as_administrator.post(URL, {"colleagues_may_propose": "yes"})

    assert "Propose an activity" in as_colleague.get("/activities/").content.decode()
    assert as_colleague.get("/activities/new/").status_code == 200
    assert as_colleague.post("/activities/new/", _form()).status_code == 302
    proposed = Activity.objects.get()

    as_administrator.post(URL, {"colleagues_may_propose": "no"})

    assert "Propose an activity" not in as_colleague.get("/activities/").content.decode()
    assert as_colleague.get("/activities/new/").status_code == 403
    assert as_colleague.post("/activities/new/", _form(title="Another")).status_code == 403
    assert list(Activity.objects.all()) == [proposed]  # what was proposed stays
    assert as_colleague.get(f"/activities/{proposed.pk}/edit/").status_code == 200


def test_a_colleague_proposes_over_the_api_only_while_the_switch_is_on(
        colleague: Person, as_colleague: Client) -> None:
    refused = _propose_over_api(as_colleague, _api_body())
    assert refused.status_code == 403
    assert not Activity.objects.exists()

    switch(True)
    response = _propose_over_api(as_colleague, _api_body())

    assert response.status_code == 201
    body = response.json()
    activity = Activity.objects.get()
    assert (body["id"], body["title"], body["capacity"], body["going"]) == (
        activity.pk, "Lunch walk", 8, 0)
    assert activity.organiser == colleague

    switch(False)
    assert _propose_over_api(as_colleague, _api_body(title="Again")).status_code == 403
    assert Activity.objects.count() == 1


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMINISTRATOR])
def test_coordinators_and_administrators_propose_whatever_the_switch_says(role: str) -> None:
    client = signed_in(make_person(role))

    assert _propose_over_api(client, _api_body()).status_code == 201
    assert "Propose an activity" in client.get("/activities/").content.decode()
    assert activity_settings().colleagues_may_propose is False


@pytest.mark.parametrize(("changes", "field"), [
    ({"capacity": 0}, "capacity"),
    ({"title": " "}, "title"),
    ({"place": ""}, "place"),
    ({"online_link": "http://example.org"}, "online_link"),
])
def test_bad_proposals_over_the_api_get_the_pages_messages(
        as_coordinator: Client, changes: dict[str, Any], field: str) -> None:
    response = _propose_over_api(as_coordinator, _api_body(**changes))

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not Activity.objects.exists()


@pytest.mark.parametrize("changes", [
    {"capacity": "8"}, {"starts_at": "2030-01-01T10:00:00"}, {"organiser": 1},
])
def test_malformed_proposals_are_refused(as_coordinator: Client,
                                         changes: dict[str, Any]) -> None:
    response = _propose_over_api(as_coordinator, _api_body(**changes))

    assert response.status_code == 422
    assert not Activity.objects.exists()


def test_signed_out_callers_may_not_propose(client: Client) -> None:
    assert _propose_over_api(client, _api_body()).status_code == 401
    assert not Activity.objects.exists()
