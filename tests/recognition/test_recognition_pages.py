"""Recognition pages: who may open them, giving and bad input, reactions, moderation, values,
preferences, empty states and query counts that do not grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from haven.core.email_kinds import wants_email
from haven.core.models import AuditEvent, Person, Role
from haven.recognition import services as recognition
from haven.recognition.models import (
    DIGEST_EMAIL,
    CompanyValue,
    Reaction,
    Recognition,
    RecognitionAudit,
    RecognitionPreferences,
)
from tests.conftest import signed_in
from tests.factories import TeamFactory, make_person

pytestmark = pytest.mark.django_db


def _given(giver: Person | None = None, to: Person | None = None,
           message: str = "Thank you for the calm handover.", **fields: object) -> Recognition:
    fields.setdefault("audience", "organisation")
    return recognition.give_recognition(giver=giver or make_person(),
                                        recipient_email=(to or make_person()).email,
                                        message=message, **fields)  # type: ignore[arg-type]


# Access -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/recognition/", "/recognition/give/",
                                  "/recognition/settings/"])
def test_colleagues_may_open_the_pages(as_colleague: Client, path: str) -> None:
    assert as_colleague.get(path).status_code == 200
    assert Client().get(path).status_code == 302  # to sign in


@pytest.mark.parametrize("path", ["/recognition/moderation/", "/recognition/insight/"])
def test_coordinator_pages_are_for_coordinators(as_colleague: Client, as_coordinator: Client,
                                                path: str) -> None:
    assert as_colleague.get(path).status_code == 403
    assert as_coordinator.get(path).status_code == 200
    assert as_coordinator.post(path).status_code == 405


def test_values_are_for_administrators(as_coordinator: Client,
                                       as_administrator: Client) -> None:
    assert as_coordinator.get("/recognition/values/").status_code == 403
    assert as_administrator.get("/recognition/values/").status_code == 200


def test_posting_anonymously_is_refused() -> None:
    given = _given()
    for path in ["/recognition/give/", f"/recognition/{given.pk}/react/",
                 f"/recognition/{given.pk}/moderate/", "/recognition/settings/"]:
        assert Client().post(path).status_code in (302, 403)
    assert not Reaction.objects.exists()


# Giving -------------------------------------------------------------------------------------

def test_the_form_labels_every_control(as_colleague: Client) -> None:
    recognition.add_value(name="Courage")

    body = as_colleague.get("/recognition/give/").content.decode()

    for field in ("recipient", "team", "message"):
        assert f'<label for="id_{field}">' in body
    assert "<legend>Which of our values did they show?</legend>" in body
    assert "<legend>Who may see it?</legend>" in body
    assert "style=" not in body and "<script>" not in body


def test_giving_recognition_shows_it_in_the_feed(colleague: Person,
                                                 as_colleague: Client) -> None:
    value = recognition.add_value(name="Courage")
    recipient = make_person(name="Ada Lovelace")

    response = as_colleague.post("/recognition/give/", {
        "recipient": recipient.email.upper(), "values": [value.pk],
        "message": "You stayed late to help me ship.", "audience": "organisation"})

    assert response.status_code == 302
    body = signed_in(make_person()).get("/recognition/").content.decode()
    assert f"{colleague.name} recognised Ada Lovelace" in body
    assert "You stayed late to help me ship." in body
    assert "Courage" in body


def test_the_feed_shows_twenty_at_a_time_newest_first_and_older_on_the_next_page(
        as_colleague: Client) -> None:
    giver = make_person()
    given = [_given(giver, message=f"Thanks, number {n:02d}.") for n in range(1, 26)]

    first = as_colleague.get("/recognition/").content.decode()
    second = as_colleague.get("/recognition/?page=2").content.decode()

    assert [f"recognition-{r.pk}\"" in first for r in given] == [False] * 5 + [True] * 20
    assert [f"recognition-{r.pk}\"" in second for r in given] == [True] * 5 + [False] * 20
    assert first.index("number 25") < first.index("number 24")
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    assert "Page 2 of 2" in second and 'href="?page=1"' in second


@pytest.mark.parametrize("typed", ["x", "0", "-1", "99", "1.5", "", "%00"])
def test_a_page_number_that_is_not_one_shows_a_page_not_an_error(as_colleague: Client,
                                                                  typed: str) -> None:
    _given(message="Thanks for the notes.")

    response = as_colleague.get("/recognition/", {"page": typed})

    assert response.status_code == 200
    assert "Thanks for the notes." in response.content.decode()


def test_recognising_a_team(as_colleague: Client) -> None:
    team = TeamFactory(name="Night shift")

    response = as_colleague.post("/recognition/give/", {
        "team": team.pk, "message": "Thank you all.", "audience": "team"})

    assert response.status_code == 302
    assert Recognition.objects.get().team == team


@pytest.mark.parametrize(("data", "error"), [
    ({"recipient": "nobody@example.org"}, "Nobody in the directory has that e-mail."),
    ({"recipient": "Nobody Atall"}, "Nobody in the directory is called “Nobody Atall”."),
    ({"recipient": ""}, "Name a colleague or choose a team."),
    ({"message": ""}, "Write a few words about what they did."),
    ({"message": "x" * 1001}, "Keep it to 1000 characters; this is 1001."),
    ({"audience": "world"}, "Select a valid choice."),
    ({"team": "99999"}, "Select a valid choice."),
])
def test_bad_input_gets_a_clear_answer_and_changes_nothing(
        as_colleague: Client, data: dict[str, str], error: str) -> None:
    form = {"recipient": make_person().email, "message": "Thanks!",
            "audience": "organisation", **data}

    response = as_colleague.post("/recognition/give/", form)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Recognition.objects.exists()


def test_recognising_yourself_is_refused(colleague: Person, as_colleague: Client) -> None:
    response = as_colleague.post("/recognition/give/", {
        "recipient": colleague.email, "message": "Me!", "audience": "organisation"})

    assert response.status_code == 400
    assert '<p class="error" id="id_recipient_error">You cannot recognise yourself' in \
        response.content.decode()
    assert not Recognition.objects.exists()


def test_a_colleague_can_be_named_without_the_picker(colleague: Person,
                                                     as_colleague: Client) -> None:
    recipient = make_person(name="Grace Hopper")

    response = as_colleague.post("/recognition/give/", {
        "recipient": "grace hopper", "message": "Thanks!", "audience": "organisation"})

    assert response.status_code == 302
    assert Recognition.objects.get().recipient == recipient


def test_a_name_two_people_share_asks_for_the_e_mail(as_colleague: Client) -> None:
    make_person(name="Sam Lee")
    make_person(name="Sam Lee")

    response = as_colleague.post("/recognition/give/", {
        "recipient": "Sam Lee", "message": "Thanks!", "audience": "organisation"})

    body = response.content.decode()
    assert response.status_code == 400
    assert "More than one person is called “Sam Lee”: use their work e-mail instead." in body
    assert 'value="Sam Lee"' in body  # what was typed is kept
    assert not Recognition.objects.exists()


def test_held_recognition_tells_the_author_why(as_colleague: Client) -> None:
    response = as_colleague.post("/recognition/give/", {
        "recipient": make_person().email, "message": "Thanks for nothing.",
        "audience": "organisation"}, follow=True)

    body = response.content.decode()
    assert "waiting for a coordinator because it reads as mocking or sarcastic thanks" in body
    assert Recognition.objects.get().status == "held"
    assert "Thanks for nothing." not in signed_in(make_person()).get(
        "/recognition/").content.decode()


# Reactions ----------------------------------------------------------------------------------

def test_reacting_toggles(colleague: Person, as_colleague: Client) -> None:
    given = _given()
    url = f"/recognition/{given.pk}/react/"

    assert as_colleague.post(url, {"kind": "thanks"}).status_code == 302
    assert 'aria-pressed="true">Thank you (1)' in as_colleague.get(
        "/recognition/").content.decode()
    as_colleague.post(url, {"kind": "thanks"})
    assert not Reaction.objects.exists()
    assert as_colleague.get(url).status_code == 405


def test_reacting_to_what_you_may_not_see_is_404(as_colleague: Client) -> None:
    private = _given(audience="private")
    held = _given(message="Thanks for nothing.")

    for target in (private, held):
        assert as_colleague.post(f"/recognition/{target.pk}/react/",
                                 {"kind": "thanks"}).status_code == 404
    assert as_colleague.post("/recognition/99999999999/react/",
                             {"kind": "thanks"}).status_code == 404
    assert not Reaction.objects.exists()


def test_an_unknown_reaction_changes_nothing(as_colleague: Client) -> None:
    given = _given()

    response = as_colleague.post(f"/recognition/{given.pk}/react/", {"kind": "angry"})

    assert response.status_code == 302
    assert not Reaction.objects.exists()


# Moderation ---------------------------------------------------------------------------------

def test_a_coordinator_publishes_held_recognition(coordinator: Person,
                                                  as_coordinator: Client) -> None:
    held = _given(message="Thanks genius, the demo went fine in the end.")

    page = as_coordinator.get("/recognition/moderation/").content.decode()
    assert "the demo went fine" in page
    response = as_coordinator.post(f"/recognition/{held.pk}/moderate/",
                                   {"decision": "publish"})

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == "published"
    assert AuditEvent.objects.filter(action=RecognitionAudit.RECOGNITION_MODERATED,
                                     actor=coordinator).count() == 1
    assert "No recognition is waiting." in as_coordinator.get(
        "/recognition/moderation/").content.decode()


def test_moderation_bad_input_changes_nothing(as_colleague: Client,
                                              as_coordinator: Client) -> None:
    held = _given(message="Thanks for nothing.")
    url = f"/recognition/{held.pk}/moderate/"

    assert as_colleague.post(url, {"decision": "publish"}).status_code == 403
    as_coordinator.post(url, {"decision": "maybe"})
    assert as_coordinator.post("/recognition/99999999999/moderate/",
                               {"decision": "publish"}).status_code == 404
    held.refresh_from_db()
    assert held.status == "held"
    assert not AuditEvent.objects.filter(action=RecognitionAudit.RECOGNITION_MODERATED).exists()


# Values and preferences -------------------------------------------------------------------------

def test_an_administrator_adds_and_retires_values(as_administrator: Client) -> None:
    assert "No values yet." in as_administrator.get("/recognition/values/").content.decode()

    as_administrator.post("/recognition/values/", {"name": "Courage", "description": "Speak up"})
    response = as_administrator.post("/recognition/values/", {"name": "courage"})
    value = CompanyValue.objects.get()
    as_administrator.post(f"/recognition/values/{value.pk}/active/", {"active": "no"})

    assert response.status_code == 400
    assert "There is already a value of that name." in response.content.decode()
    value.refresh_from_db()
    assert value.active is False
    assert as_administrator.post("/recognition/values/999999/active/",
                                 {"active": "no"}).status_code == 404


def test_opting_out_of_milestones_and_the_digest(colleague: Person,
                                                 as_colleague: Client) -> None:
    response = as_colleague.post("/recognition/settings/", {})

    assert response.status_code == 302
    saved = RecognitionPreferences.objects.get(person=colleague)
    assert saved.celebrate_milestones is False
    assert not wants_email(person_id=colleague.pk, kind=DIGEST_EMAIL.key)
    # The one choice, shown alike here and on the e-mail settings page.
    assert as_colleague.get("/recognition/settings/").context["form"].initial[
        "weekly_digest"] is False
    assert as_colleague.get("/profile/email/").context["form"].initial[
        DIGEST_EMAIL.key] is False


# Empty states and query counts --------------------------------------------------------------

def test_the_empty_feed_invites_a_first_recognition(as_colleague: Client) -> None:
    assert "No recognition yet." in as_colleague.get("/recognition/").content.decode()


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_feed_and_queue_do_not_grow_with_their_length(as_coordinator: Client) -> None:
    value = recognition.add_value(name="Care")
    reader = make_person()

    def add() -> None:
        given = _given(value_ids=[value.pk])
        recognition.toggle_reaction(person=reader, recognition=given, kind="thanks")
        _given(message="Thanks for nothing.", value_ids=[value.pk])

    add()
    feed, queue = (_queries(as_coordinator, "/recognition/"),
                   _queries(as_coordinator, "/recognition/moderation/"))
    for _ in range(5):
        add()
    assert _queries(as_coordinator, "/recognition/") == feed
    assert _queries(as_coordinator, "/recognition/moderation/") == queue


def test_the_navigation_offers_recognition(as_colleague: Client,
                                           as_coordinator: Client) -> None:
    colleague_page = as_colleague.get("/recognition/").content.decode()
    coordinator_page = as_coordinator.get("/recognition/").content.decode()

    assert 'href="/recognition/"' in colleague_page
    assert 'href="/recognition/moderation/"' not in colleague_page
    assert 'href="/recognition/moderation/"' in coordinator_page


def test_administrators_can_also_moderate() -> None:
    admin = make_person(Role.ADMINISTRATOR)
    assert signed_in(admin).get("/recognition/moderation/").status_code == 200
