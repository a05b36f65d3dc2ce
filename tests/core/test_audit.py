"""The audit log: append-only, identifiers only, role changes recorded, and the page to read it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from haven.core.audit import audit
from haven.core.models import AuditAction, AuditEvent, Person, Role, RoleGrant
from tests.conftest import signed_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(colleague: Person) -> AuditEvent:
    return audit(action=AuditAction.TOKEN_CREATED, actor=colleague, object_type="token",
                 object_id=7, detail={"count": 1})


def _unchanged(event: AuditEvent) -> bool:
    stored = AuditEvent.objects.get(pk=event.pk)
    return (stored.action, stored.object_id, stored.detail) == (
        AuditAction.TOKEN_CREATED, "7", {"count": 1})


# --- append-only ----------------------------------------------------------------------------

def test_a_stored_event_cannot_be_saved_again(event: AuditEvent) -> None:
    event.action = AuditAction.SIGN_IN
    event.object_id = "8"

    with pytest.raises(PermissionError):
        event.save()

    assert _unchanged(event)


def test_a_stored_event_cannot_be_deleted(event: AuditEvent) -> None:
    with pytest.raises(PermissionError):
        event.delete()

    assert _unchanged(event)


def test_queryset_update_is_refused(event: AuditEvent) -> None:
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(object_id="8")

    assert _unchanged(event)


def test_queryset_delete_is_refused(event: AuditEvent) -> None:
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()

    assert _unchanged(event)


def test_bulk_update_is_refused(event: AuditEvent) -> None:
    event.object_id = "8"

    with pytest.raises(PermissionError):
        AuditEvent.objects.bulk_update([event], ["object_id"])

    assert _unchanged(event)


def test_update_or_create_cannot_rewrite_an_event(event: AuditEvent) -> None:
    with pytest.raises(PermissionError):
        AuditEvent.objects.update_or_create(pk=event.pk, defaults={"object_id": "8"})

    assert _unchanged(event)


def test_the_base_manager_is_append_only_too(event: AuditEvent) -> None:
    # Django uses the base manager for related lookups and its own internals.
    with pytest.raises(PermissionError):
        AuditEvent._base_manager.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent._base_manager.filter(pk=event.pk).update(object_id="8")

    assert _unchanged(event)


def test_events_outlive_the_person_who_acted(event: AuditEvent, colleague: Person) -> None:
    colleague_id = colleague.pk

    colleague.delete()

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_id == colleague_id


# --- identifiers only -----------------------------------------------------------------------

@pytest.mark.parametrize("detail", [
    {"note": "x" * 65},
    {"k" * 41: 1},
])
def test_audit_refuses_long_strings(detail: dict) -> None:
    with pytest.raises(ValueError):
        audit(action=AuditAction.SIGN_IN, detail=detail)

    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("detail", [
    {"message": ["I", "was", "shouted", "at"]},
    {"message": {"text": "hello"}},
    {"score": 0.5},
    {"when": datetime(2026, 1, 1, tzinfo=UTC)},
    {"data": b"bytes"},
])
def test_audit_refuses_values_that_are_not_identifiers(detail: dict) -> None:
    with pytest.raises(TypeError):
        audit(action=AuditAction.SIGN_IN, detail=detail)

    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("object_type", "t" * 41),
                                              ("object_id", "9" * 65)])
def test_audit_refuses_an_object_reference_longer_than_its_column(field: str, value: str) -> None:
    with pytest.raises(ValueError):
        audit(action=AuditAction.SIGN_IN, **{field: value})

    assert not AuditEvent.objects.exists()


def test_audit_refuses_an_unknown_action() -> None:
    with pytest.raises(ValueError):
        audit(action="shredded_everything")  # type: ignore[arg-type]

    assert not AuditEvent.objects.exists()


def test_audit_keeps_identifiers_numbers_and_flags() -> None:
    event = audit(action=AuditAction.SIGN_IN, object_type="person", object_id=12,
                  detail={"role": "supporter", "count": 3, "reauthenticated": True,
                          "type": None})

    event.refresh_from_db()
    assert event.object_id == "12"
    assert event.detail == {"role": "supporter", "count": 3, "reauthenticated": True,
                            "type": None}


# --- role changes ---------------------------------------------------------------------------

def test_granting_and_revoking_roles_is_audited(as_administrator: Client,
                                                administrator: Person) -> None:
    person = make_person()

    response = as_administrator.post(f"/directory/{person.pk}/roles/",
                                     {"roles": [Role.SUPPORTER, Role.COORDINATOR]})

    assert response.status_code == 302
    assert person.role_grants.count() == 2
    granted = AuditEvent.objects.filter(action=AuditAction.ROLE_GRANTED)
    assert sorted(event.detail["role"] for event in granted) == ["coordinator", "supporter"]
    assert {(event.actor_id, event.object_type, event.object_id) for event in granted} == {
        (administrator.pk, "person", str(person.pk))}

    as_administrator.post(f"/directory/{person.pk}/roles/", {"roles": [Role.COORDINATOR]})

    assert set(person.role_grants.values_list("role", flat=True)) == {Role.COORDINATOR}
    revoked = AuditEvent.objects.get(action=AuditAction.ROLE_REVOKED)
    assert revoked.detail == {"role": "supporter"}
    assert revoked.actor_id == administrator.pk


def test_saving_the_same_roles_writes_nothing(as_administrator: Client) -> None:
    person = make_person(Role.SUPPORTER)

    as_administrator.post(f"/directory/{person.pk}/roles/", {"roles": [Role.SUPPORTER]})

    assert not AuditEvent.objects.filter(
        action__in=[AuditAction.ROLE_GRANTED, AuditAction.ROLE_REVOKED]).exists()


def test_an_unknown_role_is_refused_and_nothing_changes(as_administrator: Client) -> None:
    person = make_person(Role.SUPPORTER)

    response = as_administrator.post(f"/directory/{person.pk}/roles/",
                                     {"roles": ["superuser"]}, follow=True)

    assert "Choose roles from the list." in response.content.decode()
    assert set(person.role_grants.values_list("role", flat=True)) == {Role.SUPPORTER}
    assert not AuditEvent.objects.filter(action=AuditAction.ROLE_REVOKED).exists()


def test_an_administrator_cannot_remove_their_own_administrator_role(
        as_administrator: Client, administrator: Person) -> None:
    response = as_administrator.post(f"/directory/{administrator.pk}/roles/",
                                     {"roles": [Role.SUPPORTER]}, follow=True)

    assert "cannot remove your own administrator role" in response.content.decode()
    assert RoleGrant.objects.filter(person=administrator, role=Role.ADMINISTRATOR).exists()
    assert not RoleGrant.objects.filter(person=administrator, role=Role.SUPPORTER).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ROLE_REVOKED).exists()


def test_an_administrator_may_change_their_other_roles(
        as_administrator: Client, administrator: Person) -> None:
    as_administrator.post(f"/directory/{administrator.pk}/roles/",
                          {"roles": [Role.ADMINISTRATOR, Role.SUPPORTER]})

    assert RoleGrant.objects.filter(person=administrator, role=Role.SUPPORTER).exists()


def test_a_coordinator_cannot_change_roles(as_coordinator: Client,
                                           coordinator: Person) -> None:
    person = make_person()

    response = as_coordinator.post(f"/directory/{person.pk}/roles/",
                                   {"roles": [Role.ADMINISTRATOR]})

    assert response.status_code == 403
    assert not person.role_grants.exists()
    assert not RoleGrant.objects.filter(person=coordinator, role=Role.ADMINISTRATOR).exists()


def test_changing_roles_needs_a_post(as_administrator: Client) -> None:
    person = make_person()

    response = as_administrator.get(f"/directory/{person.pk}/roles/?roles=administrator")

    assert response.status_code == 405
    assert not person.role_grants.exists()


def test_changing_roles_of_nobody_is_404(as_administrator: Client) -> None:
    assert as_administrator.post("/directory/999999/roles/",
                                 {"roles": [Role.SUPPORTER]}).status_code == 404


# --- the audit page -------------------------------------------------------------------------

def _at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def _listed(response) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    """The listed events of the test's history, leaving out today's sign-in and page views."""
    return [event for event in response.context["page"].object_list if event.at < _at(31)]


@pytest.fixture
def history(administrator: Person, colleague: Person) -> dict[str, AuditEvent]:
    create = AuditEvent.objects.create
    return {
        "early_sign_in": create(action=AuditAction.SIGN_IN, actor=colleague,
                                object_type="person", object_id=str(colleague.pk), at=_at(1)),
        "grant": create(action=AuditAction.ROLE_GRANTED, actor=administrator,
                        object_type="person", object_id=str(colleague.pk), at=_at(5),
                        detail={"role": "supporter"}),
        "token": create(action=AuditAction.TOKEN_CREATED, actor=colleague,
                        object_type="token", object_id="3", at=_at(10)),
        "late_sign_in": create(action=AuditAction.SIGN_IN, actor=administrator,
                               object_type="person", object_id=str(administrator.pk),
                               at=_at(20)),
    }


def test_the_audit_page_lists_events_newest_first(as_administrator: Client,
                                                  history: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/")

    assert response.status_code == 200
    assert _listed(response) == [history["late_sign_in"], history["token"], history["grant"],
                                 history["early_sign_in"]]


def test_the_audit_page_filters_by_action(as_administrator: Client,
                                          history: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/", {"action": AuditAction.SIGN_IN})

    assert _listed(response) == [history["late_sign_in"], history["early_sign_in"]]


def test_the_audit_page_filters_by_actor(as_administrator: Client, colleague: Person,
                                         history: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/", {"actor": colleague.pk})

    assert _listed(response) == [history["token"], history["early_sign_in"]]


def test_the_audit_page_filters_by_object(as_administrator: Client, colleague: Person,
                                          history: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/", {"object_type": "person",
                                                "object_id": colleague.pk})

    assert _listed(response) == [history["grant"], history["early_sign_in"]]


def test_the_audit_page_filters_by_date_range_inclusive(
        as_administrator: Client, history: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/", {"since": "2026-03-05", "until": "2026-03-10"})

    assert _listed(response) == [history["token"], history["grant"]]


def test_the_audit_page_paginates(as_administrator: Client, colleague: Person) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(action=AuditAction.TOKEN_CREATED, actor=colleague,
                   at=_at(1 + n % 20, n % 24)) for n in range(60))

    first = as_administrator.get("/audit/", {"action": AuditAction.TOKEN_CREATED})
    second = as_administrator.get("/audit/", {"action": AuditAction.TOKEN_CREATED, "page": 2})

    assert first.context["page"].paginator.count == 60
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 10
    assert not {e.pk for e in first.context["page"]} & {e.pk for e in second.context["page"]}
    assert "action=token_created&amp;page=2" in first.content.decode()


@pytest.mark.parametrize(("query", "field"), [
    ({"since": "2026-03-10", "until": "2026-03-05"}, "until"),
    ({"since": "yesterday"}, "since"),
    ({"actor": "ada"}, "actor"),
    ({"actor": "99999999999999999999999"}, "actor"),
    ({"action": "made_coffee"}, "action"),
    ({"since": "0001-01-01"}, "since"),
    ({"until": "9999-12-31"}, "until"),
    ({"object_id": "x" * 65}, "object_id"),
])
def test_the_audit_page_rejects_bad_filters_with_a_message_and_lists_nothing(
        as_administrator: Client, history: dict[str, AuditEvent], query: dict,
        field: str) -> None:
    response = as_administrator.get("/audit/", query)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert 'class="error"' in response.content.decode()
    assert _listed(response) == []


def test_the_until_before_from_message_is_plain(as_administrator: Client) -> None:
    response = as_administrator.get("/audit/", {"since": "2026-03-10", "until": "2026-03-05"})

    assert "“Until” must be on or after “From”." in response.content.decode()


def test_reading_the_audit_log_is_itself_audited(as_administrator: Client,
                                                 administrator: Person) -> None:
    as_administrator.get("/audit/", {"action": AuditAction.SIGN_IN})

    viewed = AuditEvent.objects.get(action=AuditAction.AUDIT_VIEWED)
    assert viewed.actor_id == administrator.pk
    assert viewed.ip_hash
    assert viewed.detail == {"action": "sign_in"}


def test_the_audit_view_records_which_records_were_looked_at(
        as_administrator: Client, colleague: Person) -> None:
    as_administrator.get("/audit/", {"object_type": "person", "object_id": colleague.pk,
                                     "since": "2026-03-01", "until": "2026-03-31"})

    viewed = AuditEvent.objects.get(action=AuditAction.AUDIT_VIEWED)
    assert viewed.detail == {"object_type": "person", "object_id": str(colleague.pk),
                             "since": "2026-03-01", "until": "2026-03-31"}


def test_a_full_page_is_not_shortened_by_recording_the_view(
        as_administrator: Client, colleague: Person) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(action=AuditAction.TOKEN_CREATED, actor=colleague, at=_at(2, n))
        for n in range(3))

    before = set(AuditEvent.objects.values_list("pk", flat=True))

    response = as_administrator.get("/audit/")

    assert {event.pk for event in response.context["page"].object_list} == before


@pytest.mark.parametrize("role", [None, Role.SUPPORTER, Role.COORDINATOR, Role.CASE_HANDLER])
def test_the_audit_page_is_refused_to_everyone_but_administrators(role: str | None) -> None:
    client = signed_in(make_person(*([role] if role else [])))

    response = client.get("/audit/")

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.AUDIT_VIEWED).exists()


def test_the_audit_page_shows_no_content_only_identifiers(
        as_administrator: Client, history: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/")

    body = response.content.decode()
    assert "role: supporter" in body
    assert f"person #{history['grant'].object_id}" in body


def test_every_app_registers_its_own_audit_actions_and_they_need_no_migration() -> None:
    """Core knows only its own actions; each app adds its own when it is ready, so a new
    action is a line in its app and not a migration of core's table."""
    from haven.core.audit_actions import audit_action_choices, audit_action_label
    from haven.core.models import AuditEvent
    from haven.support.models import SupportAudit
    from haven.vault.models import VaultAudit

    values = {value for value, _label in audit_action_choices()}
    assert {"sign_in", "conversation_read", "master_key_retired", "question_moderated",
            "coffee_round_run", "activity_called_off", "recognition_moderated"} <= values
    assert audit_action_label(SupportAudit.CONVERSATION_READ) == "Conversation read"
    assert audit_action_label(VaultAudit.MASTER_KEY_RETIRED) == "Master key retired"
    assert AuditEvent._meta.get_field("action").choices is None


def test_an_unregistered_action_is_refused() -> None:
    with pytest.raises(ValueError, match="not an audit action"):
        audit(action="made_up_action")
