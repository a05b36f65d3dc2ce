"""Offboarding: administrators deactivate and reactivate people from the person page, the
`haven deactivate` / `haven reactivate` commands and the import's `active` column, all through
services.set_person_active. (The API route: tests/api/test_offboarding_api.py; what peer
support and live chat do: tests/support/test_offboarding.py.)"""

from __future__ import annotations

import io
import threading
from urllib.parse import urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from haven.core import services
from haven.core.importer import ImportRejected, import_people
from haven.core.models import AuditAction, AuditEvent, Person, PersonalAccessToken, Role
from tests.conftest import signed_in
from tests.factories import PASSWORD, make_person

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ME = "/api/v1/me"


def page(person: Person) -> str:
    return f"/directory/{person.pk}/active/"


def is_signed_in(client: Client) -> bool:
    return client.get("/profile/").status_code == 200


def sign_in(client: Client, person: Person):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"login": person.email, "password": PASSWORD})


def sessions_of(person: Person) -> int:
    return sum(1 for session in Session.objects.all()
               if session.get_decoded().get("_auth_user_id") == str(person.pk))


def deactivate(person: Person, actor: Person | None = None) -> services.ActiveChange:
    return services.set_person_active(person=person, active=False, actor=actor, via="command")


def events(action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def is_active(person: Person) -> bool:
    return Person.objects.values_list("is_active", flat=True).get(pk=person.pk)


# --- what deactivation does -------------------------------------------------------------------

def test_deactivation_ends_every_session_of_the_person_and_only_theirs() -> None:
    leaver, stayer = make_person(), make_person()
    laptop, phone, other = signed_in(leaver), signed_in(leaver), signed_in(stayer)
    assert is_signed_in(laptop) and is_signed_in(phone)

    change = deactivate(leaver)

    assert change.changed and change.sessions_ended == 2
    assert sessions_of(leaver) == 0
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    assert is_signed_in(other)


def test_deactivation_revokes_every_api_token_so_it_answers_401() -> None:
    leaver = make_person()
    _token, secret = services.create_access_token(person=leaver, name="sync")
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert Client().get(ME, **bearer).status_code == 200

    change = deactivate(leaver)

    assert change.tokens_revoked == 1
    assert Client().get(ME, **bearer).status_code == 401
    assert PersonalAccessToken.objects.get(person=leaver).revoked_at is not None
    revoked = events(AuditAction.TOKEN_REVOKED)
    assert [(e.object_id, e.detail) for e in revoked] == [
        (str(_token.pk), {"reason": "person_deactivated"})]


def test_deactivation_is_audited_with_what_it_ended() -> None:
    administrator, leaver = make_person(Role.ADMINISTRATOR), make_person()
    signed_in(leaver)

    services.set_person_active(person=leaver, active=False, actor=administrator, via="page")

    [event] = events(AuditAction.PERSON_DEACTIVATED)
    assert (event.actor_id, event.object_type, event.object_id) == (
        administrator.pk, "person", str(leaver.pk))
    assert event.detail == {"via": "page", "sessions_ended": 1, "tokens_revoked": 0}


def test_deactivating_an_inactive_person_changes_nothing_and_is_not_audited_again() -> None:
    leaver = make_person()
    deactivate(leaver)

    assert deactivate(leaver) == services.ActiveChange(changed=False)
    assert len(events(AuditAction.PERSON_DEACTIVATED)) == 1


def test_sign_in_is_refused_while_inactive_and_allowed_again_after_reactivation() -> None:
    leaver = make_person()
    old = signed_in(leaver)
    deactivate(leaver)

    client = Client()
    response = sign_in(client, leaver)
    # allauth: the right password of an inactive account leads to its "inactive" page only.
    assert response.status_code == 302 and response["Location"] == "/accounts/inactive/"
    assert not is_signed_in(client)
    assert "not active" in Client().get("/accounts/inactive/").content.decode()

    change = services.set_person_active(person=leaver, active=True, actor=None, via="command")

    assert change.changed
    assert [e.detail for e in events(AuditAction.PERSON_REACTIVATED)] == [{"via": "command"}]
    assert sign_in(client, leaver)["Location"] == "/"
    assert is_signed_in(client)
    assert not is_signed_in(old)  # reactivation brings back no old session


def test_an_inactive_person_cannot_accept_an_invitation_link() -> None:
    newcomer = make_person()
    newcomer.set_unusable_password()
    newcomer.save()
    link = urlsplit(services.invitation_url(newcomer)).path
    assert Client().get(link).status_code == 200
    deactivate(newcomer)

    response = Client().get(link)

    assert response.status_code == 400


# --- the last administrator -----------------------------------------------------------------

def test_the_last_active_administrator_cannot_be_deactivated() -> None:
    only = make_person(Role.ADMINISTRATOR)
    retired = make_person(Role.ADMINISTRATOR)
    deactivate(retired)

    with pytest.raises(ValidationError) as refused:
        deactivate(only, actor=only)

    assert "last active administrator" in refused.value.messages[0]
    assert is_active(only)
    assert not events(AuditAction.PERSON_DEACTIVATED)[1:]


@pytest.mark.django_db(transaction=True)
def test_two_administrators_deactivating_each_other_at_once_leave_one_active() -> None:
    first, second = make_person(Role.ADMINISTRATOR), make_person(Role.ADMINISTRATOR)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def deactivate_other(actor: Person, other: Person) -> None:
        start.wait()
        try:
            services.set_person_active(person=Person.objects.get(pk=other.pk), active=False,
                                       actor=actor, via="page")
            outcomes.append("deactivated")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=deactivate_other, args=pair)
               for pair in ((first, second), (second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["deactivated", "refused"]
    assert Person.objects.filter(is_active=True, role_grants__role=Role.ADMINISTRATOR).count() == 1


def test_an_administrator_may_deactivate_themselves_while_another_remains() -> None:
    leaving, staying = make_person(Role.ADMINISTRATOR), make_person(Role.ADMINISTRATOR)
    client = signed_in(leaving)

    response = client.post(page(leaving), {"active": "0"})

    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not is_active(leaving) and is_active(staying)
    assert not is_signed_in(client)


# --- the person page --------------------------------------------------------------------------

def test_the_person_page_offers_deactivation_to_administrators(as_administrator: Client) -> None:
    person = make_person()

    shown = as_administrator.get(f"/directory/{person.pk}/").content.decode()

    assert page(person) in shown and "Deactivate…" in shown


def test_deactivation_first_asks_for_confirmation_saying_what_will_happen(
        as_administrator: Client) -> None:
    person = make_person(Role.SUPPORTER)

    response = as_administrator.get(page(person))

    text = response.content.decode()
    assert response.status_code == 200
    for consequence in ("signed out everywhere", "live chats close within a second",
                        "API tokens are revoked", "offered to another supporter",
                        "no longer available", "Nothing else is deleted"):
        assert consequence in text
    assert 'name="active" value="0"' in text
    assert is_active(person)  # asking changes nothing


def test_confirming_deactivates_and_audits_it_as_from_the_page(
        as_administrator: Client, administrator: Person) -> None:
    person = make_person()
    theirs = signed_in(person)

    response = as_administrator.post(page(person), {"active": "0"}, follow=True)

    assert not is_active(person)
    assert not is_signed_in(theirs)
    assert "is deactivated" in response.content.decode()
    assert "deactivated: cannot sign in" in response.content.decode()
    [event] = events(AuditAction.PERSON_DEACTIVATED)
    assert event.actor_id == administrator.pk and event.detail["via"] == "page"


def test_the_page_reactivates(as_administrator: Client) -> None:
    person = make_person()
    deactivate(person)
    assert "Reactivate" in as_administrator.get(f"/directory/{person.pk}/").content.decode()

    response = as_administrator.post(page(person), {"active": "1"}, follow=True)

    assert is_active(person)
    assert "active again" in response.content.decode()
    assert events(AuditAction.PERSON_REACTIVATED)[0].detail == {"via": "page"}


def test_the_page_refuses_the_last_administrator_with_a_clear_message(
        as_administrator: Client, administrator: Person) -> None:
    response = as_administrator.post(page(administrator), {"active": "0"}, follow=True)

    assert "last active administrator" in response.content.decode()
    assert is_active(administrator)


@pytest.mark.parametrize("value", ["", "maybe", "2"])
def test_a_bad_value_on_the_page_changes_nothing(as_administrator: Client, value: str) -> None:
    person = make_person()

    response = as_administrator.post(page(person), {"active": value}, follow=True)

    assert "Choose whether the person is active." in response.content.decode()
    assert is_active(person)


@pytest.mark.parametrize("role", [None, Role.SUPPORTER, Role.COORDINATOR, Role.CASE_HANDLER])
def test_only_administrators_deactivate(role: str | None) -> None:
    person = make_person()
    client = signed_in(make_person(*([role] if role else [])))

    assert client.get(page(person)).status_code == 403
    assert client.post(page(person), {"active": "0"}).status_code == 403
    assert is_active(person)


def test_strangers_are_sent_to_sign_in() -> None:
    person = make_person()

    response = Client().post(page(person), {"active": "0"})

    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert is_active(person)


def test_the_directory_marks_deactivated_people(as_coordinator: Client) -> None:
    person = make_person(name="Leif Leaver")
    deactivate(person)

    text = as_coordinator.get("/directory/", {"q": "Leaver"}).content.decode()

    assert "deactivated" in text


# --- the commands -----------------------------------------------------------------------------

def test_the_deactivate_command_offboards_and_reactivate_undoes_it() -> None:
    person = make_person()
    theirs = signed_in(person)
    out = io.StringIO()

    call_command("deactivate", person.email.upper(), stdout=out)

    assert not is_active(person) and not is_signed_in(theirs)
    assert "Deactivated" in out.getvalue() and "1 session(s) ended" in out.getvalue()
    [event] = events(AuditAction.PERSON_DEACTIVATED)
    assert event.actor_id is None and event.detail["via"] == "command"

    call_command("reactivate", person.email, stdout=out)

    assert is_active(person)
    assert events(AuditAction.PERSON_REACTIVATED)[0].detail == {"via": "command"}


def test_the_commands_say_when_nothing_changes_or_nobody_matches() -> None:
    person = make_person()
    out = io.StringIO()

    call_command("reactivate", person.email, stdout=out)
    assert "already active" in out.getvalue()
    with pytest.raises(CommandError, match="Nobody in the directory"):
        call_command("deactivate", "nobody@example.org")


def test_the_command_refuses_the_last_administrator() -> None:
    only = make_person(Role.ADMINISTRATOR)

    with pytest.raises(CommandError, match="last active administrator"):
        call_command("deactivate", only.email)
    assert is_active(only)


# --- the directory import ---------------------------------------------------------------------

def run(text: str, actor: Person | None = None):  # type: ignore[no-untyped-def]
    return import_people(source=io.StringIO(text), actor=actor)


def problems(text: str) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        run(text)
    return [str(error) for error in rejected.value.errors]


def test_the_active_column_deactivates_and_reactivates(administrator: Person) -> None:
    leaving = make_person(email="leaving@example.org", name="Lea Ving")
    returning = make_person(email="back@example.org", name="Bea Back")
    deactivate(returning)
    theirs = signed_in(leaving)

    result = run("email,name,active\n"
                 "leaving@example.org,Lea Ving,no\n"
                 "back@example.org,Bea Back,YES\n", actor=administrator)

    assert (result.updated, result.unchanged) == (2, 0)
    assert not is_active(leaving) and is_active(returning)
    assert not is_signed_in(theirs)
    [off] = events(AuditAction.PERSON_DEACTIVATED)[1:]
    assert (off.object_id, off.actor_id, off.detail["via"]) == (
        str(leaving.pk), administrator.pk, "import")
    [on] = events(AuditAction.PERSON_REACTIVATED)
    assert (on.object_id, on.detail) == (str(returning.pk), {"via": "import"})
    imported = events(AuditAction.DIRECTORY_IMPORTED)[0].detail
    assert (imported["deactivated"], imported["reactivated"]) == (1, 1)


def test_an_empty_active_cell_keeps_the_person_as_they_are() -> None:
    inactive = make_person(email="gone@example.org", name="Gone")
    deactivate(inactive)
    make_person(email="here@example.org", name="Here")

    result = run("email,name,active\ngone@example.org,Gone,\nhere@example.org,Here,\n"
                 "new@example.org,New,\nnope@example.org,Nope,no\n")

    assert result.unchanged == 2 and result.created == 2
    assert not is_active(inactive)
    assert Person.objects.get(email="new@example.org").is_active
    assert not Person.objects.get(email="nope@example.org").is_active  # created inactive


def test_a_bad_active_value_is_reported_by_line_and_nothing_is_imported() -> None:
    person = make_person(email="kai@example.org", name="Kai")

    found = problems("email,name,active\nkai@example.org,Kai,no\nann@example.org,Ann,false\n"
                     "bo@example.org,Bo,maybe\n")

    assert found == [
        "Line 3: active 'false' is not yes or no; write no to deactivate the person, yes to "
        "reactivate them, or leave the cell empty to keep them as they are.",
        "Line 4: active 'maybe' is not yes or no; write no to deactivate the person, yes to "
        "reactivate them, or leave the cell empty to keep them as they are."]
    assert is_active(person)  # all or nothing: the good row changed nothing either
    assert not Person.objects.filter(email="ann@example.org").exists()


def test_the_import_refuses_to_deactivate_the_last_administrator() -> None:
    only = make_person(Role.ADMINISTRATOR, email="root@example.org", name="Root")

    found = problems("email,name,active\nroot@example.org,Root,no\n")

    assert found == ["Line 2: active is no for the last active administrator; give another "
                     "person the administrator role first (in the roles column or on their "
                     "page)."]
    assert is_active(only)


def test_the_import_may_hand_the_administrator_role_on_and_deactivate_its_holder() -> None:
    only = make_person(Role.ADMINISTRATOR, email="root@example.org", name="Root")
    make_person(email="next@example.org", name="Next")

    run("email,name,roles,active\nroot@example.org,Root,administrator,no\n"
        "next@example.org,Next,administrator,\n")

    assert not is_active(only)
    assert Person.objects.get(email="next@example.org").has_role(Role.ADMINISTRATOR)


def test_the_import_page_documents_and_applies_the_active_column(
        as_administrator: Client) -> None:
    person = make_person(email="lee@example.org", name="Lee")
    assert "<code>active</code>" in as_administrator.get("/directory/import/").content.decode()

    upload = SimpleUploadedFile("people.csv", b"email,name,active\nlee@example.org,Lee,no\n",
                                content_type="text/csv")
    response = as_administrator.post("/directory/import/", {"file": upload})

    assert "Imported: 0 new, 1 updated, 0 unchanged." in response.content.decode()
    assert not is_active(person)
