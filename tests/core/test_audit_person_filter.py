"""The audit page finds a person by e-mail or name, and links from the directory lead to it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from haven.core.models import AuditAction, AuditEvent, Person, Role
from haven.core.selectors import MAX_PEOPLE_MATCHES
from tests.conftest import signed_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db

# Surnames no generated name contains, so a search finds only the people made here.
ADA = {"name": "Ada Lovelace", "email": "ada.l@example.org"}
GRACE = {"name": "Grace Quillfeather", "email": "grace.q@example.org"}
TOM = {"name": "Tom Quillfeather", "email": "tq@example.org"}


def _at(day: int) -> datetime:
    return datetime(2025, 6, day, 12, tzinfo=UTC)


def _listed(response) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    """The listed events made by the test, leaving out the page views and sign-ins of today."""
    return [event for event in response.context["page"].object_list if event.at < _at(30)]


def _event(actor: Person | None, action: str, day: int, **fields: object) -> AuditEvent:
    return AuditEvent.objects.create(action=action, actor=actor, at=_at(day), **fields)


@pytest.fixture
def people(db: None) -> dict[str, Person]:
    return {"ada": make_person(**ADA), "grace": make_person(**GRACE),
            "tom": make_person(**TOM)}


@pytest.fixture
def events(people: dict[str, Person]) -> dict[str, AuditEvent]:
    return {
        "ada_sign_in": _event(people["ada"], AuditAction.SIGN_IN, 1),
        "ada_token": _event(people["ada"], AuditAction.TOKEN_CREATED, 2, object_type="token",
                            object_id="4"),
        "grace_sign_in": _event(people["grace"], AuditAction.SIGN_IN, 3),
        "tom_token": _event(people["tom"], AuditAction.TOKEN_CREATED, 4, object_type="token",
                            object_id="5"),
    }


def test_an_exact_work_email_finds_that_person_only(
        as_administrator: Client, events: dict[str, AuditEvent]) -> None:
    # Part of this address is "ada.l@example.org": the exact address wins over partial matches.
    make_person(name="Ada Lovelace-Byron", email="xada.l@example.org")

    response = as_administrator.get("/audit/", {"person": "ADA.L@Example.org"})

    assert response.context["form"].matches == []
    assert _listed(response) == [events["ada_token"], events["ada_sign_in"]]
    assert "Showing events by Ada Lovelace (ada.l@example.org)." in response.content.decode()


def test_part_of_a_name_matching_one_person_filters_by_them(
        as_administrator: Client, events: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/", {"person": "loveL"})

    assert _listed(response) == [events["ada_token"], events["ada_sign_in"]]


def test_words_of_a_name_match_in_any_order(
        as_administrator: Client, events: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/", {"person": "quillfeather grace"})

    assert _listed(response) == [events["grace_sign_in"]]


def test_a_name_matching_several_people_lists_them_to_choose_from(
        as_administrator: Client, people: dict[str, Person],
        events: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/", {"person": "quillfeather",
                                                "action": AuditAction.SIGN_IN, "page": "2"})

    body = response.content.decode()
    assert response.status_code == 200
    assert [p.pk for p in response.context["form"].matches] == [people["grace"].pk,
                                                                people["tom"].pk]
    assert "Several people match “quillfeather”" in body
    assert "grace.q@example.org" in body and str(people["grace"].team) in body
    # Each choice keeps the other filters, drops the text and the page, and names the person.
    assert f'href="?action=sign_in&amp;actor={people["grace"].pk}"' in body
    assert f'href="?action=sign_in&amp;actor={people["tom"].pk}"' in body
    assert response.context["page"].object_list == []
    assert "No events are listed until you choose one of the people above." in body


def test_choosing_from_the_list_filters_by_that_person(
        as_administrator: Client, people: dict[str, Person],
        events: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/", {"actor": people["tom"].pk})

    assert _listed(response) == [events["tom_token"]]
    body = response.content.decode()
    assert "Showing events by Tom Quillfeather (tq@example.org)." in body
    # The choice survives the next use of the form, as a hidden field.
    assert f'type="hidden" name="actor" value="{people["tom"].pk}"' in body
    assert 'href="?">Show events by everyone</a>' in body


def test_more_matches_than_listed_says_to_type_more(as_administrator: Client) -> None:
    for n in range(MAX_PEOPLE_MATCHES + 1):
        make_person(name=f"Sam Quillfeather {n:02}", email=f"sam{n}@example.org")

    response = as_administrator.get("/audit/", {"person": "sam quillfeather"})

    assert len(response.context["form"].matches) == MAX_PEOPLE_MATCHES
    assert (f"Only the first {MAX_PEOPLE_MATCHES} are listed: type more of the name, or the "
            "work e-mail.") in response.content.decode()


def test_no_match_says_so_keeps_the_text_and_lists_nothing(
        as_administrator: Client, events: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/", {"person": "Nobody Zzyzx"})

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors["person"]
    assert ('<p class="error" id="id_person_error">Nobody in the directory matches “Nobody '
            'Zzyzx”. Check the spelling, or type their work e-mail.</p>') in body
    assert 'value="Nobody Zzyzx"' in body
    assert 'aria-describedby="id_person_helptext id_person_error"' in body
    assert _listed(response) == []
    assert "No events are listed until the filters marked above are corrected." in body


@pytest.mark.parametrize(("typed", "message"), [
    ("lovelace\x00", "The text contains a character that cannot be stored: NUL (U+0000) at "
                      "position 9. Remove it and try again."),
    ("love\x85lace", "The text contains a character that cannot be stored: the control "
                      "character U+0085 at position 5. Remove it and try again."),
    ("love\tlace", "This must be a single line: it contains a tab at position 5."),
])
def test_a_character_that_cannot_be_typed_is_explained_and_lists_nothing(
        as_administrator: Client, events: dict[str, AuditEvent], typed: str,
        message: str) -> None:
    response = as_administrator.get("/audit/", {"person": typed})

    assert response.status_code == 200
    assert response.context["form"].errors["person"] == [message]
    assert _listed(response) == []
    assert f'value="{typed}"' in response.content.decode()


def test_a_person_combines_with_the_action_filter(
        as_administrator: Client, events: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/", {"person": "lovelace",
                                                "action": AuditAction.TOKEN_CREATED})

    assert _listed(response) == [events["ada_token"]]


def test_a_person_combines_with_object_and_dates(
        as_administrator: Client, events: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/", {
        "person": "quillfeather tom", "object_type": "token", "object_id": "5",
        "since": "2025-06-04", "until": "2025-06-04"})
    other_day = as_administrator.get("/audit/", {"person": "quillfeather tom",
                                                 "since": "2025-06-05"})

    assert _listed(response) == [events["tom_token"]]
    assert _listed(other_day) == []


def test_the_id_filter_still_works_with_other_filters(
        as_administrator: Client, people: dict[str, Person],
        events: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/", {"actor": people["ada"].pk,
                                                "action": AuditAction.SIGN_IN})

    assert _listed(response) == [events["ada_sign_in"]]


def test_the_id_filter_finds_someone_no_longer_in_the_directory(
        as_administrator: Client) -> None:
    gone = 987654  # the log has no foreign key: it outlives the people in it
    _event(None, AuditAction.SIGN_IN_FAILED, 5)
    kept = AuditEvent.objects.create(action=AuditAction.SIGN_OUT, actor_id=gone, at=_at(6))

    response = as_administrator.get("/audit/", {"actor": gone})

    assert _listed(response) == [kept]
    assert (f"Showing events by person #{gone}, who is not in the directory."
            in response.content.decode())


def test_typing_a_person_replaces_the_one_a_link_named(
        as_administrator: Client, people: dict[str, Person],
        events: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/", {"actor": people["ada"].pk,
                                                "person": "grace.q@example.org"})

    assert _listed(response) == [events["grace_sign_in"]]
    # The link's id is not carried on, or clearing the field would bring Ada back.
    assert 'name="actor"' not in response.content.decode()


def test_a_bad_person_id_in_a_link_is_explained(as_administrator: Client,
                                                events: dict[str, AuditEvent]) -> None:
    response = as_administrator.get("/audit/", {"actor": "ada"})

    body = response.content.decode()
    assert ('<p class="error">This link names no person: its person id is not valid. Type '
            'their e-mail or name instead.</p>') in body
    assert _listed(response) == []


def test_the_pages_of_a_person_filter_keep_it(as_administrator: Client,
                                              people: dict[str, Person]) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(action=AuditAction.TOKEN_CREATED, actor=people["ada"], at=_at(1 + n % 20))
        for n in range(60))

    first = as_administrator.get("/audit/", {"person": "lovelace"})
    second = as_administrator.get("/audit/", {"person": "lovelace", "page": 2})

    assert first.context["page"].paginator.count == 60
    assert "person=lovelace&amp;page=2" in first.content.decode()
    assert len(second.context["page"].object_list) == 10


def test_the_view_records_whose_events_were_read_not_what_was_typed(
        as_administrator: Client, administrator: Person, people: dict[str, Person]) -> None:
    as_administrator.get("/audit/", {"person": "lovelace"})
    as_administrator.get("/audit/", {"person": "quillfeather"})

    viewed = AuditEvent.objects.filter(action=AuditAction.AUDIT_VIEWED,
                                       actor=administrator).order_by("pk")
    assert [v.detail for v in viewed] == [{"actor_id": people["ada"].pk}, {}]


@pytest.mark.parametrize("role", [None, Role.SUPPORTER, Role.COORDINATOR, Role.CASE_HANDLER])
def test_searching_for_a_person_is_refused_to_everyone_but_administrators(
        role: str | None, people: dict[str, Person]) -> None:
    client = signed_in(make_person(*([role] if role else [])))

    response = client.get("/audit/", {"person": "lovelace"})

    assert response.status_code == 403
    assert b"ada.l@example.org" not in response.content
    assert not AuditEvent.objects.filter(action=AuditAction.AUDIT_VIEWED).exists()


def test_the_person_page_links_administrators_to_that_persons_events(
        as_administrator: Client, people: dict[str, Person],
        events: dict[str, AuditEvent]) -> None:
    response = as_administrator.get(f"/directory/{people['ada'].pk}/")

    link = f'href="/audit/?actor={people["ada"].pk}">Audit events by this person</a>'
    assert link in response.content.decode()
    assert _listed(as_administrator.get(f"/audit/?actor={people['ada'].pk}")) == [
        events["ada_token"], events["ada_sign_in"]]


def test_coordinators_see_no_audit_link_on_the_person_page(
        as_coordinator: Client, people: dict[str, Person]) -> None:
    response = as_coordinator.get(f"/directory/{people['ada'].pk}/")

    assert response.status_code == 200
    assert "Audit events by this person" not in response.content.decode()


def test_the_page_reads_the_same_number_of_queries_for_many_actors(
        as_administrator: Client) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            as_administrator.get("/audit/", {"action": AuditAction.TOKEN_CREATED})
        return len(captured)

    _event(make_person(), AuditAction.TOKEN_CREATED, 1)
    few = queries()
    for day in range(2, 12):
        _event(make_person(), AuditAction.TOKEN_CREATED, day)

    assert queries() == few
