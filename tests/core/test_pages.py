"""Haven's own pages: profile, API tokens, the directory, invitations and time zones."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from asgiref.sync import async_to_sync
from django.core import mail
from django.db import connection
from django.test import AsyncClient, Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from haven.core.models import AuditAction, AuditEvent, Person, PersonalAccessToken, Role
from tests.conftest import signed_in
from tests.factories import LocationFactory, TeamFactory, make_person

pytestmark = pytest.mark.django_db


# --- profile --------------------------------------------------------------------------------


def test_a_person_saves_pronouns_and_languages_by_name(
    as_colleague: Client, colleague: Person
) -> None:
    page = as_colleague.get("/profile/").content.decode()
    assert 'value="pt-BR"' in page and "Brazilian Portuguese (Português Brasileiro)" in page
    assert "French (français)" in page

    response = as_colleague.post(
        "/profile/", {"pronouns": " they/them ", "languages": ["pt-BR", "fr", "en"]}
    )

    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.pronouns == "they/them"
    # English was stored already, so it stays first (a request starts in the first language).
    assert colleague.languages == ["en", "pt-BR", "fr"]
    assert "Your profile is saved." in as_colleague.get("/profile/").content.decode()


def test_the_profile_form_shows_what_is_stored(as_colleague: Client, colleague: Person) -> None:
    Person.objects.filter(pk=colleague.pk).update(pronouns="she/her", languages=["en", "de"])

    form = as_colleague.get("/profile/").context["form"]

    assert form["pronouns"].value() == "she/her"
    assert form["languages"].value() == ["en", "de"]


def test_a_code_stored_earlier_that_django_does_not_name_is_kept(
    as_colleague: Client, colleague: Person
) -> None:
    Person.objects.filter(pk=colleague.pk).update(languages=["es-419", "en"])

    page = as_colleague.get("/profile/").content.decode()
    assert 'value="es-419"' in page and "checked" in page
    as_colleague.post("/profile/", {"pronouns": "", "languages": ["en", "es-419"]})

    colleague.refresh_from_db()
    assert colleague.languages == ["es-419", "en"]


@pytest.mark.parametrize("languages", [["english"], ["en", "xx-yy"], ["fr-"]])
def test_a_language_not_in_the_list_is_refused_and_nothing_changes(
    as_colleague: Client, colleague: Person, languages: list[str]
) -> None:
    response = as_colleague.post("/profile/", {"pronouns": "they/them", "languages": languages})

    assert response.status_code == 200
    assert "Select a valid choice." in response.context["form"].errors["languages"][0]
    colleague.refresh_from_db()
    assert (colleague.pronouns, colleague.languages) == ("", ["en"])
    assert response.context["form"]["pronouns"].value() == "they/them"


def test_too_many_languages_are_refused(as_colleague: Client, colleague: Person) -> None:
    codes = ["de", "fr", "es", "it", "pt", "pl", "nl", "sv", "da", "fi", "cs", "hu", "ro"]

    response = as_colleague.post("/profile/", {"languages": codes})

    assert "at most 12 languages" in response.context["form"].errors["languages"][0]
    colleague.refresh_from_db()
    assert colleague.languages == ["en"]


def test_the_directory_shows_languages_by_name() -> None:
    person = make_person(languages=["fr", "es-419"])
    client = signed_in(make_person(Role.COORDINATOR))

    page = client.get(f"/directory/{person.pk}/").content.decode()

    assert "French (français), es-419" in page


def test_pronouns_longer_than_40_characters_are_refused(
    as_colleague: Client, colleague: Person
) -> None:
    response = as_colleague.post("/profile/", {"pronouns": "x" * 41, "languages": ["en"]})

    assert response.context["form"].errors["pronouns"]
    colleague.refresh_from_db()
    assert colleague.pronouns == ""


# --- API tokens -----------------------------------------------------------------------------


def test_a_new_token_is_shown_once_and_stored_only_hashed(
    as_colleague: Client, colleague: Person
) -> None:
    response = as_colleague.post("/profile/tokens/", {"name": "HR sync script", "days": "30"})

    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret.startswith("hvn_")
    assert secret in response.content.decode()
    token = PersonalAccessToken.objects.get(person=colleague)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = " ".join(
        str(getattr(token, field.attname)) for field in PersonalAccessToken._meta.fields
    )
    assert secret not in stored
    assert secret[4:] not in stored
    assert token.prefix == secret[:10]
    assert token.expires_at - token.created_at == timedelta(days=30)
    assert secret not in as_colleague.get("/profile/tokens/").content.decode()
    created = AuditEvent.objects.get(action=AuditAction.TOKEN_CREATED)
    assert (created.actor_id, created.object_id) == (colleague.pk, str(token.pk))
    assert secret not in str(created.detail)


def test_a_token_needs_a_name(as_colleague: Client) -> None:
    response = as_colleague.post("/profile/tokens/", {"name": "   ", "days": "30"})

    assert response.context["form"].errors["name"]
    assert response.context["new_secret"] is None
    assert not PersonalAccessToken.objects.exists()


def test_a_token_lifetime_must_be_one_offered(as_colleague: Client) -> None:
    response = as_colleague.post("/profile/tokens/", {"name": "script", "days": "100000"})

    assert response.context["form"].errors["days"]
    assert not PersonalAccessToken.objects.exists()


def test_a_person_revokes_their_token_with_a_post(as_colleague: Client, colleague: Person) -> None:
    as_colleague.post("/profile/tokens/", {"name": "script", "days": "30"})
    token = PersonalAccessToken.objects.get(person=colleague)

    assert as_colleague.get(f"/profile/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None

    response = as_colleague.post(f"/profile/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not token.is_usable
    revoked = AuditEvent.objects.get(action=AuditAction.TOKEN_REVOKED)
    assert (revoked.actor_id, revoked.object_id) == (colleague.pk, str(token.pk))


def test_revoking_a_revoked_token_changes_nothing(as_colleague: Client, colleague: Person) -> None:
    as_colleague.post("/profile/tokens/", {"name": "script", "days": "30"})
    token = PersonalAccessToken.objects.get(person=colleague)
    as_colleague.post(f"/profile/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    first_revocation = token.revoked_at

    as_colleague.post(f"/profile/tokens/{token.pk}/revoke/")

    token.refresh_from_db()
    assert token.revoked_at == first_revocation
    assert AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED).count() == 1


def test_a_person_cannot_revoke_someone_elses_token(as_colleague: Client) -> None:
    owner = make_person()
    signed_in(owner).post("/profile/tokens/", {"name": "theirs", "days": "30"})
    token = PersonalAccessToken.objects.get(person=owner)

    response = as_colleague.post(f"/profile/tokens/{token.pk}/revoke/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.TOKEN_REVOKED).exists()


def test_the_tokens_page_lists_only_ones_own_tokens(as_colleague: Client) -> None:
    owner = make_person()
    signed_in(owner).post("/profile/tokens/", {"name": "someone else's", "days": "30"})

    response = as_colleague.get("/profile/tokens/")

    assert list(response.context["tokens"]) == []
    assert "someone else" not in response.content.decode()


# --- directory ------------------------------------------------------------------------------


def _listed_names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [person.name for person in response.context["page"].object_list]


def test_the_directory_lists_people_by_name(as_coordinator: Client, coordinator: Person) -> None:
    make_person(name="Zara Kim")
    make_person(name="Amara Okafor")

    response = as_coordinator.get("/directory/")

    assert response.status_code == 200
    names = _listed_names(response)
    assert names == sorted(names)
    assert {"Zara Kim", "Amara Okafor", coordinator.name} <= set(names)


def test_the_directory_searches_names_and_emails(as_coordinator: Client) -> None:
    make_person(name="Hiro Tanaka", email="hiro.t@example.org")
    make_person(name="Mei Chen", email="mei.chen@example.org")

    assert _listed_names(as_coordinator.get("/directory/", {"q": "tanaka"})) == ["Hiro Tanaka"]
    assert _listed_names(as_coordinator.get("/directory/", {"q": "MEI.CHEN@"})) == ["Mei Chen"]


def test_the_directory_filters_by_role_and_team(as_coordinator: Client) -> None:
    team = TeamFactory(name="Fleet Planning")
    make_person(Role.SUPPORTER, name="Ravi Singh", team=team, department=team.department)
    make_person(name="Joy Mensah", team=team, department=team.department)
    make_person(Role.SUPPORTER, name="Ivan Novak")

    by_role = _listed_names(as_coordinator.get("/directory/", {"role": "supporter"}))
    by_team = _listed_names(as_coordinator.get("/directory/", {"team": team.pk}))
    by_both = _listed_names(
        as_coordinator.get("/directory/", {"role": "supporter", "team": team.pk})
    )

    assert by_role == ["Ivan Novak", "Ravi Singh"]
    assert by_team == ["Joy Mensah", "Ravi Singh"]
    assert by_both == ["Ravi Singh"]


@pytest.mark.parametrize(
    "query",
    [
        {"team": "99999999999999999999999"},
        {"team": "²"},
        {"team": "-1"},
        {"team": "x"},
        {"role": "superuser"},
        {"q": "a\x00b"},
        {"q": "x" * 5000},
        {"page": "-3"},
        {"page": "99999999999999999999"},
    ],
)
def test_odd_directory_filters_never_fail(as_coordinator: Client, query: dict) -> None:
    response = as_coordinator.get("/directory/", query)

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "Hiro\x00",
            "The text contains a character that cannot be stored: NUL (U+0000) at position 5.",
        ),
        (
            "Hiro\ufffe",
            "The text contains a character that cannot be stored: the non-character "
            "U+FFFE at position 5.",
        ),
        ("Hiro\tTanaka", "This must be a single line: it contains a tab at position 5."),
    ],
)
def test_a_search_with_a_character_that_cannot_be_typed_says_why_and_lists_nobody(
    as_coordinator: Client, typed: str, message: str
) -> None:
    make_person(name="Hiro Tanaka")

    response = as_coordinator.get("/directory/", {"q": typed})

    assert response.status_code == 200
    assert _listed_names(response) == []
    page = response.content.decode()
    assert message in page
    assert 'aria-describedby="q-error"' in page
    assert f'value="{typed}"' in page  # what was typed stays in the field


def test_the_directory_pagination_links_keep_every_filter(as_coordinator: Client) -> None:
    team = TeamFactory(name="Warehouse North")
    for n in range(55):
        make_person(name=f"Person {n:02d}", team=team, department=team.department)

    first = as_coordinator.get("/directory/", {"team": team.pk})

    assert f'href="?team={team.pk}&amp;page=2"' in first.content.decode()


def test_the_directory_paginates(as_coordinator: Client) -> None:
    team = TeamFactory(name="Warehouse North")
    for n in range(55):
        make_person(
            Role.SUPPORTER, name=f"Supporter {n:02d}", team=team, department=team.department
        )

    first = as_coordinator.get("/directory/", {"role": "supporter", "team": team.pk})
    second = as_coordinator.get("/directory/", {"role": "supporter", "team": team.pk, "page": 2})

    assert len(first.context["page"].object_list) == 50
    assert _listed_names(second) == [f"Supporter {n:02d}" for n in range(50, 55)]
    assert first.context["query"] == f"role=supporter&team={team.pk}"


def _directory_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/directory/").status_code == 200
    return len(queries)


def test_the_directory_does_not_query_once_per_person(
    as_coordinator: Client, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for _n in range(3):
        make_person(Role.SUPPORTER)
    few = _directory_queries(as_coordinator)
    for n in range(45):
        make_person(*([Role.SUPPORTER] if n % 2 else []), manager=None)

    many = _directory_queries(as_coordinator)

    assert many == few
    with django_assert_max_num_queries(12):
        as_coordinator.get("/directory/")


@pytest.mark.parametrize("role", [None, Role.SUPPORTER, Role.CASE_HANDLER])
def test_the_directory_is_refused_to_other_roles(role: str | None) -> None:
    client = signed_in(make_person(*([role] if role else [])))

    assert client.get("/directory/").status_code == 403


def test_a_person_page_shows_their_directory_entry(as_coordinator: Client) -> None:
    manager = make_person(name="Grace Walker")
    person = make_person(Role.SUPPORTER, name="Tom Larsen", manager=manager, pronouns="he/him")

    response = as_coordinator.get(f"/directory/{person.pk}/")

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["person"] == person
    for text in ("Tom Larsen", "(he/him)", person.email, "Grace Walker", person.team.name):
        assert text in body
    assert 'name="roles"' not in body  # only administrators change roles


def test_an_administrator_sees_the_roles_form(as_administrator: Client) -> None:
    person = make_person(Role.SUPPORTER)

    response = as_administrator.get(f"/directory/{person.pk}/")

    assert response.context["roles_form"]["roles"].value() == ["supporter"]
    assert 'name="roles"' in response.content.decode()


def test_a_person_page_for_nobody_is_404(as_coordinator: Client) -> None:
    assert as_coordinator.get("/directory/999999/").status_code == 404


# --- invitations from the directory ---------------------------------------------------------


def test_an_administrator_invites_one_person(
    as_administrator: Client, administrator: Person, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    person = make_person(password=None)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_administrator.post(f"/directory/{person.pk}/invite/")

    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[person.email]]
    assert "/invitation/" in mail.outbox[0].body
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_SENT)
    assert (event.actor_id, event.object_id) == (administrator.pk, str(person.pk))
    person.refresh_from_db()
    assert person.invited_at is not None


def test_inviting_someone_who_has_signed_up_is_refused(
    as_administrator: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    person = make_person()

    with django_capture_on_commit_callbacks(execute=True):
        response = as_administrator.post(f"/directory/{person.pk}/invite/", follow=True)

    assert "has already accepted an invitation" in response.content.decode()
    assert not mail.outbox
    assert not AuditEvent.objects.filter(action=AuditAction.INVITATION_SENT).exists()


def test_invite_all_invites_everyone_not_yet_invited(
    as_administrator: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    waiting = [make_person(password=None) for _n in range(3)]
    make_person()  # has a password already
    make_person(password=None, is_active=False)  # left the organisation
    already = make_person(password=None)
    already.invited_at = datetime(2026, 1, 1, tzinfo=UTC)
    already.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = as_administrator.post("/directory/invite-all/", follow=True)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(p.email for p in waiting)
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_SENT).count() == 3
    assert "3 invitations sent." in response.content.decode()


def test_invite_all_says_one_invitation_in_the_singular(
    as_administrator: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    make_person(password=None)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_administrator.post("/directory/invite-all/", follow=True)

    assert "1 invitation sent." in response.content.decode()


def test_invite_all_needs_a_post_from_an_administrator(
    as_coordinator: Client, as_administrator: Client
) -> None:
    make_person(password=None)

    assert as_coordinator.post("/directory/invite-all/").status_code == 403
    assert as_administrator.get("/directory/invite-all/").status_code == 405
    assert not AuditEvent.objects.filter(action=AuditAction.INVITATION_SENT).exists()


# --- time zones -----------------------------------------------------------------------------


def _admin_in(zone: str, office: str) -> Client:
    location = LocationFactory(name=office, time_zone=zone)
    return signed_in(make_person(Role.ADMINISTRATOR, location=location))


def test_times_are_shown_in_the_viewers_own_time_zone() -> None:
    AuditEvent.objects.create(
        action=AuditAction.SIGN_IN, at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    )

    singapore = _admin_in("Asia/Singapore", "Singapore").get("/audit/").content.decode()
    toronto = _admin_in("America/Toronto", "Toronto").get("/audit/").content.decode()

    assert "2 Mar 2026 20:00:00" in singapore
    assert "2 Mar 2026 07:00:00" in toronto


@override_settings(TIME_ZONE="Europe/Berlin")  # the installation's: neither UTC nor Toronto
def test_a_viewers_time_zone_ends_with_their_request() -> None:
    # Work that runs next in the same thread (another request, a job, a test) must not
    # inherit it: a weekly digest once asked "is it Friday 15:00 yet?" in Toronto's zone after
    # a Toronto page view.
    AuditEvent.objects.create(
        action=AuditAction.SIGN_IN, at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    )

    page = _admin_in("America/Toronto", "Toronto").get("/audit/").content.decode()

    assert "2 Mar 2026 07:00:00" in page  # the request itself was in Toronto's zone
    assert timezone.get_current_timezone_name() == "Europe/Berlin"


def test_a_viewers_time_zone_ends_with_their_request_under_asgi() -> None:
    # The servers run Django's ASGI handler, which runs this sync middleware in a worker thread
    # and copies the context it changed back to the request's task: a zone left active there
    # would outlive the request in the caller's context, as in a thread.
    AuditEvent.objects.create(
        action=AuditAction.SIGN_IN, at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    )
    client = AsyncClient()
    client.cookies = _admin_in("America/Toronto", "Toronto").cookies

    async def view_the_audit_log() -> tuple[str, str]:
        page = (await client.get("/audit/")).content.decode()
        return page, timezone.get_current_timezone_name()

    with timezone.override(ZoneInfo("Asia/Tokyo")):
        page, zone_after = async_to_sync(view_the_audit_log)()

        assert "2 Mar 2026 07:00:00" in page
        assert zone_after == "Asia/Tokyo"


def test_a_zone_active_before_a_request_is_active_after_it() -> None:
    # The middleware restores the zone it found (none, in a server), so a caller's own
    # timezone.override, or a job that set one, keeps it across a request made inside.
    client = _admin_in("America/Toronto", "Toronto")

    with timezone.override(ZoneInfo("Asia/Tokyo")):
        assert client.get("/audit/").status_code == 200

        assert timezone.get_current_timezone_name() == "Asia/Tokyo"


def test_audit_dates_are_days_in_the_viewers_time_zone() -> None:
    late_evening_utc = AuditEvent.objects.create(
        action=AuditAction.SIGN_IN, at=datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    )

    response = _admin_in("Asia/Singapore", "Singapore").get(
        "/audit/", {"since": "2026-03-03", "until": "2026-03-03"}
    )

    assert late_evening_utc in response.context["page"].object_list  # 3 March, 04:00 there


def test_someone_without_a_location_sees_the_organisation_time_zone() -> None:
    AuditEvent.objects.create(
        action=AuditAction.SIGN_IN, at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    )
    client = signed_in(make_person(Role.ADMINISTRATOR, location=None))

    assert "2 Mar 2026 12:00:00" in client.get("/audit/").content.decode()


def test_a_location_with_an_unknown_time_zone_falls_back_to_the_organisations() -> None:
    AuditEvent.objects.create(
        action=AuditAction.SIGN_IN, at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    )
    client = _admin_in("Mars/Olympus_Mons", "Olympus")

    response = client.get("/audit/")

    assert response.status_code == 200
    assert "2 Mar 2026 12:00:00" in response.content.decode()
