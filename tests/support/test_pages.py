"""Peer-support pages: forms that keep what was typed, inert rendering, the supporter's and the
administrator's pages, and bounded queries on list pages."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from haven.core import times
from haven.core.models import AuditAction, AuditEvent, Person, Role
from haven.support import commitments, conversations, offers, programme
from haven.support.models import (
    Commitment,
    Conversation,
    Message,
    Offer,
    ProgrammeSettings,
    SupportAudit,
    SupporterProfile,
    SupportRequest,
)
from haven.vault.models import DataKey
from tests.conftest import signed_in
from tests.factories import LocationFactory, make_person
from tests.support.conftest import make_supporter, midday_zone, open_request

pytestmark = pytest.mark.django_db


def _talking(colleague: Person, supporter: Person, **overrides: object) -> Conversation:
    support_request = open_request(colleague, **overrides)
    return offers.accept_offer(offer=support_request.offers.get(), supporter=supporter)


def _form(**overrides: str) -> dict[str, str]:
    data = {"topic": "bullying", "mode": "messages", "use_pseudonym": "name",
            "language": "en", "avoid_my_team": "on", "person_of_concern": "",
            "message": "Someone keeps taking credit for my work.", "acknowledged": "on",
            "submission_id": str(uuid.uuid4())}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- asking for support ----------------------------------------------------------------------

def test_the_request_form_shows_the_limits_of_confidentiality_first(colleague: Person) -> None:
    programme.update_programme_settings(actor=make_person(Role.ADMINISTRATOR),
                                       confidentiality_text="Only a risk to life is shared.")

    body = signed_in(colleague).get("/support/new/").content.decode()

    assert "Only a risk to life is shared." in body
    assert body.index("Only a risk to life is shared.") < body.index('name="message"')
    assert re.search(r'name="submission_id" value="[0-9a-f-]{36}"', body)


def test_without_acknowledging_the_form_comes_back_with_what_was_typed(
        colleague: Person) -> None:
    typed = 'He said "<nobody> will believe you" & laughed'

    response = signed_in(colleague).post("/support/new/",
                                         _form(acknowledged=None, message=typed))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Please read and confirm the limits of confidentiality" in body
    assert "He said &quot;&lt;nobody&gt; will believe you&quot; &amp; laughed" in body
    assert "<nobody>" not in body
    assert SupportRequest.objects.count() == 0


def test_an_unknown_person_of_concern_is_an_error_on_that_field(colleague: Person) -> None:
    response = signed_in(colleague).post("/support/new/",
                                         _form(person_of_concern="nobody@example.org"))

    assert response.status_code == 200
    assert "Nobody in the directory has that e-mail." in response.content.decode()
    assert SupportRequest.objects.count() == 0


def test_naming_yourself_as_the_person_of_concern_is_an_error(colleague: Person) -> None:
    response = signed_in(colleague).post("/support/new/",
                                         _form(person_of_concern=colleague.email.upper()))

    assert "cannot be you" in response.content.decode()
    assert SupportRequest.objects.count() == 0


def test_a_request_opens_and_leads_to_its_conversation(colleague: Person) -> None:
    make_supporter()
    client = signed_in(colleague)
    data = _form()

    response = client.post("/support/new/", data)
    again = client.post("/support/new/", data)  # the button pressed twice

    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/conversations/{conversation.pk}/"
    assert again["Location"] == response["Location"]
    assert SupportRequest.objects.count() == 1 and Message.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Someone keeps taking credit for my work." in page


def test_an_oversized_message_comes_back_with_an_error(colleague: Person) -> None:
    response = signed_in(colleague).post("/support/new/", _form(message="q" * 10_001))

    assert response.status_code == 200
    assert "q" * 10_001 in response.content.decode()
    assert SupportRequest.objects.count() == 0


# --- the conversation page -------------------------------------------------------------------

def test_messages_render_as_inert_text(colleague: Person) -> None:
    supporter = make_supporter()
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    conversation = _talking(colleague, supporter, first_message=attack)

    for person in (colleague, supporter):
        body = signed_in(person).get(f"/conversations/{conversation.pk}/").content.decode()
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
        assert "<script>alert" not in body and "<img src=x" not in body


def test_the_fallback_form_sends_a_message(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)

    response = signed_in(supporter).post(f"/conversations/{conversation.pk}/send/",
                                         {"text": "I'm here for you.",
                                          "client_id": str(uuid.uuid4())})

    assert response.status_code == 302
    assert response["Location"] == f"/conversations/{conversation.pk}/"
    assert conversation.messages.count() == 2
    assert SupportRequest.objects.get().first_response_at is not None


@pytest.mark.parametrize("text", ["", "   ", "w" * 10_001])
def test_the_fallback_form_returns_what_was_typed_with_the_error(colleague: Person,
                                                                 text: str) -> None:
    conversation = open_request(colleague).conversation

    response = signed_in(colleague).post(f"/conversations/{conversation.pk}/send/",
                                         {"text": text, "client_id": str(uuid.uuid4())})

    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="error"' in body
    if text.strip():
        assert text in body
    assert conversation.messages.count() == 1


def test_the_fallback_form_keeps_the_client_id_so_a_resend_is_not_doubled(
        colleague: Person) -> None:
    conversation = open_request(colleague).conversation
    client_id = str(uuid.uuid4())
    client = signed_in(colleague)

    client.post(f"/conversations/{conversation.pk}/send/", {"text": "once",
                                                            "client_id": client_id})
    client.post(f"/conversations/{conversation.pk}/send/", {"text": "once",
                                                            "client_id": client_id})

    assert conversation.messages.count() == 2  # the first message and this one


def test_a_crisis_message_shows_the_crisis_resources_of_the_colleagues_location(
        colleague: Person) -> None:
    programme.update_programme_settings(
        actor=make_person(Role.ADMINISTRATOR),
        crisis_by_location={str(colleague.location_id): "Call the Leeds line: 0800 000"})
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    client = signed_in(colleague)
    quiet = client.get(f"/conversations/{conversation.pk}/").content.decode()
    assert 'class="crisis hidden"' in quiet

    response = client.post(f"/conversations/{conversation.pk}/send/",
                           {"text": "I don't want to live any more",
                            "client_id": str(uuid.uuid4())}, follow=True)

    body = response.content.decode()
    assert 'class="crisis"' in body
    assert "Call the Leeds line: 0800 000" in body
    supporter_view = signed_in(supporter).get(
        f"/conversations/{conversation.pk}/").content.decode()
    assert 'id="protocol" class="protocol"' in supporter_view


def test_closing_then_giving_feedback(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    client = signed_in(colleague)

    client.post(f"/conversations/{conversation.pk}/close/")
    page = client.get(f"/conversations/{conversation.pk}/").content.decode()
    feedback_form = f'action="/conversations/{conversation.pk}/feedback/"'
    assert feedback_form in page
    bad = client.post(f"/conversations/{conversation.pk}/feedback/", {"felt_heard": "9"},
                      follow=True)
    assert "Choose how heard you felt" in bad.content.decode()
    good = client.post(f"/conversations/{conversation.pk}/feedback/",
                       {"felt_heard": "5", "would_return": "yes"}, follow=True)

    assert "Thank you for your feedback." in good.content.decode()
    conversation.refresh_from_db()
    assert (conversation.felt_heard, conversation.would_return) == (5, True)
    assert feedback_form not in good.content.decode()


def test_the_supporter_cannot_give_the_feedback(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    conversations.close_conversation(conversation=conversation, by=colleague)

    signed_in(supporter).post(f"/conversations/{conversation.pk}/feedback/",
                              {"felt_heard": "5"})

    conversation.refresh_from_db()
    assert conversation.felt_heard is None


def test_erasing_asks_first_then_destroys_the_content(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter, first_message="erase me please")
    client = signed_in(colleague)

    confirm = client.get(f"/conversations/{conversation.pk}/erase/")
    assert confirm.status_code == 200
    assert "Erase this conversation?" in confirm.content.decode()
    assert Message.objects.count() == 1

    done = client.post(f"/conversations/{conversation.pk}/erase/")

    assert done.status_code == 302 and done["Location"] == "/support/"
    assert Message.objects.count() == 0
    assert DataKey.objects.get(pk=conversation.data_key_id).wrapped is None
    assert AuditEvent.objects.filter(action=SupportAudit.CONVERSATION_ERASED).count() == 1
    home = client.get("/support/").content.decode()
    assert "The conversation is erased" in home
    assert f"/conversations/{conversation.pk}/" not in home
    # Nothing names the colleague now, so the conversation is nobody's: not even theirs.
    page = client.get(f"/conversations/{conversation.pk}/")
    assert page.status_code == 404
    assert "erase me please" not in page.content.decode()


def test_the_supporter_cannot_erase(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)

    assert signed_in(supporter).post(
        f"/conversations/{conversation.pk}/erase/").status_code == 403
    assert Message.objects.count() == 1


def test_a_commitment_is_recorded_from_the_page_and_settled(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    client = signed_in(supporter)
    due = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    bad = client.post(f"/conversations/{conversation.pk}/commitments/",
                      {"what": "Phone HR for you", "due_at": "2001-01-01T10:00"})
    assert bad.status_code == 400
    assert "Phone HR for you" in bad.content.decode()
    ok = client.post(f"/conversations/{conversation.pk}/commitments/",
                     {"what": "Phone HR for you", "due_at": due})
    assert ok.status_code == 302
    commitment = Commitment.objects.get()

    client.post(f"/commitments/{commitment.pk}/", {"outcome": "renegotiate",
                                                  "due_at": due, "note": "HR is closed"})
    page = signed_in(colleague).get(f"/conversations/{conversation.pk}/").content.decode()

    assert "HR is closed" in page
    assert Commitment.objects.filter(state=Commitment.State.OPEN).count() == 1


# --- supporters' pages ------------------------------------------------------------------------

def test_the_supporter_home_offers_accept_and_decline(colleague: Person) -> None:
    supporter = make_supporter(topics=["bullying"])
    second = make_supporter(topics=["workload"])
    support_request = open_request(colleague, use_pseudonym=True)
    offer = support_request.offers.get()
    client = signed_in(supporter)

    body = client.get("/supporter/").content.decode()

    assert f'action="/supporter/offers/{offer.pk}/"' in body
    assert 'value="accept"' in body and 'value="decline"' in body
    assert support_request.details.pseudonym in body and colleague.name not in body
    response = client.post(f"/supporter/offers/{offer.pk}/", {"answer": "decline"})
    assert response["Location"] == "/supporter/"
    assert Offer.objects.get(pk=offer.pk).state == Offer.State.DECLINED
    second_offer = support_request.offers.get(state=Offer.State.PENDING)
    assert second_offer.supporter == second

    accepted = signed_in(second).post(f"/supporter/offers/{second_offer.pk}/",
                                      {"answer": "accept"})
    assert accepted["Location"] == f"/conversations/{support_request.conversation.pk}/"


def test_offer_times_are_shown_in_the_viewer_s_zone_in_haven_s_format(
        colleague: Person) -> None:
    supporter = make_supporter(zone="Asia/Kolkata")  # +05:30: a wrong zone shows other minutes
    lead = make_person(Role.COORDINATOR, location=LocationFactory(time_zone="America/St_Johns"))
    offer = open_request(colleague).offers.get()

    answer_by = times.shown_time(offer.expires_at, ZoneInfo("Asia/Kolkata"))
    home = signed_in(supporter).get("/supporter/").content.decode()
    assert f"Please answer by {answer_by}." in home
    offered = times.shown_time(offer.offered_at, ZoneInfo("America/St_Johns"))
    assert f">{offered}</time>" in signed_in(lead).get("/programme/").content.decode()


def test_an_offer_answer_must_be_accept_or_decline(colleague: Person) -> None:
    supporter = make_supporter()
    offer = open_request(colleague).offers.get()

    response = signed_in(supporter).post(f"/supporter/offers/{offer.pk}/", {}, follow=True)

    assert "Choose accept or decline" in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).state == Offer.State.PENDING


def test_a_supporter_edits_their_profile(supporter: Person) -> None:
    client = signed_in(supporter)
    assert client.get("/supporter/profile/").status_code == 200

    response = client.post("/supporter/profile/", {
        "active": "on", "capacity": "2", "languages": ["en", "fr"], "topics": ["bullying"],
        "availability_0_0_start": "09:00", "availability_0_0_end": "12:00",
        "availability_4_1_start": "13:00", "availability_4_1_end": "17:30"})

    assert response.status_code == 302
    profile = SupporterProfile.objects.get(person=supporter)
    assert profile.capacity == 2 and profile.languages == ["en", "fr"]
    assert profile.availability == [{"weekday": 0, "start": "09:00", "end": "12:00"},
                                    {"weekday": 4, "start": "13:00", "end": "17:30"}]
    form = client.get("/supporter/profile/").content.decode()
    # Each saved range comes back in the first inputs of its day, and is summed up readably.
    assert 'name="availability_4_0_start" id="id_availability_4_0_start" value="13:00"' in form
    assert "Mon 09:00–12:00; Fri 13:00–17:30" in form
    assert 'value="fr" id="id_languages_' in form and "French (français)" in form


def test_bad_availability_names_the_day_and_what_was_typed_comes_back(
        supporter: Person) -> None:
    response = signed_in(supporter).post("/supporter/profile/", {
        "active": "on", "capacity": "2", "languages": ["en"],
        "availability_0_0_start": "09:00", "availability_0_0_end": "12:00",
        "availability_1_2_start": "17:00", "availability_1_2_end": "09:00",
        "availability_3_0_start": "10:00"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Tuesday: the end 09:00 is before the start 17:00." in body
    assert "Thursday: give both the start and the end of each time range." in body
    assert 'id="id_availability_1_2_start" value="17:00"' in body
    assert 'id="id_availability_0_0_end" value="12:00"' in body
    assert not SupporterProfile.objects.exists()


# --- programme settings ----------------------------------------------------------------------

def _settings_form(**overrides: str) -> dict[str, str]:
    data = {"topics": "bullying: Bullying or harassment\nconflict: Conflict",
            "confidentiality_text": "What you say stays here, unless a life is at risk.",
            "crisis_text": "Call 999.", "response_target_hours": "4", "offer_minutes": "30",
            "retention_days": "60", "safety_contact": ""}
    data.update(overrides)
    return data


def test_an_administrator_saves_programme_settings_and_it_is_audited() -> None:
    administrator = make_person(Role.ADMINISTRATOR)
    leeds, lyon = LocationFactory(name="Leeds"), LocationFactory(name="Lyon")
    contact = make_person()
    client = signed_in(administrator)
    assert f'name="crisis_{leeds.pk}"' in client.get("/programme/settings/").content.decode()

    response = client.post("/programme/settings/", _settings_form(
        safety_contact=contact.email.upper(), **{f"crisis_{lyon.pk}": "Appelez le 3114.",
                                                 f"crisis_{leeds.pk}": "  "}))

    assert response.status_code == 302
    saved = ProgrammeSettings.objects.get()
    assert saved.topic_choices() == [("bullying", "Bullying or harassment"),
                                     ("conflict", "Conflict")]
    assert saved.crisis_by_location == {str(lyon.pk): "Appelez le 3114."}
    assert saved.crisis_for(lyon.pk) == "Appelez le 3114."
    assert saved.crisis_for(leeds.pk) == "Call 999."
    assert saved.safety_contact == contact
    assert saved.retention_days == 60
    event = AuditEvent.objects.get(action=AuditAction.PROGRAMME_SETTINGS_CHANGED)
    assert event.actor == administrator
    assert "Appelez" not in str(event.detail)
    page = client.get("/programme/settings/").content.decode()
    assert "Appelez le 3114." in page


@pytest.mark.parametrize(("change", "error"), [
    ({"topics": "bullying Bullying"}, "Line 1: write"),
    ({"topics": "bullying: Bullying\n: no slug"}, "Line 2: write"),
    ({"topics": "bull ying: Bullying"}, "Line 1: write"),
    ({"topics": "  \n "}, "This field is required"),
    ({"safety_contact": "ghost@example.org"}, "Nobody in the directory has that e-mail."),
    ({"retention_days": "0"}, "greater than or equal to 1"),
])
def test_bad_programme_settings_are_refused_with_a_reason(change: dict[str, str],
                                                          error: str) -> None:
    client = signed_in(make_person(Role.ADMINISTRATOR))

    response = client.post("/programme/settings/", _settings_form(**change))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not AuditEvent.objects.filter(
        action=AuditAction.PROGRAMME_SETTINGS_CHANGED).exists()


def test_the_new_topics_are_offered_on_the_request_form(colleague: Person) -> None:
    signed_in(make_person(Role.ADMINISTRATOR)).post("/programme/settings/", _settings_form(
        topics="pay: Pay and conditions"))

    body = signed_in(colleague).get("/support/new/").content.decode()

    assert 'value="pay"' in body and 'value="bullying"' not in body


# --- no N+1 -----------------------------------------------------------------------------------

def _queries(client, path: str) -> int:
    client.get(path)  # the first view of a page may touch the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def _add_supporter_rows(supporter: Person, rows: int) -> None:
    for i in range(rows):
        support_request = open_request(make_person(), use_pseudonym=i % 3 == 0)
        offer = support_request.offers.get()
        if i % 2 == 0:
            offers.accept_offer(offer=offer, supporter=supporter)


def test_the_supporter_home_costs_the_same_queries_for_many_rows(
        django_assert_max_num_queries) -> None:
    supporter = make_supporter(capacity=20)
    client = signed_in(supporter)
    _add_supporter_rows(supporter, 2)
    few = _queries(client, "/supporter/")

    _add_supporter_rows(supporter, 8)
    with django_assert_max_num_queries(few):
        response = client.get("/supporter/")

    assert response.status_code == 200
    assert few <= 12
    assert response.content.decode().count('value="accept"') == 5


def _add_programme_rows(rows: int) -> None:
    for i in range(rows):
        supporter = make_supporter(capacity=20)
        colleague = make_person()
        support_request = open_request(colleague, use_pseudonym=bool(i % 2))
        offer = support_request.offers.get()
        conversation = offers.accept_offer(offer=offer, supporter=offer.supporter)
        commitment = commitments.record_commitment(
            conversation=conversation, supporter=offer.supporter, what="Call back",
            due_at=timezone.now() + timedelta(days=1))
        commitments.resolve_commitment(commitment=commitment, supporter=offer.supporter,
                                         kept=bool(i % 3))
        conversations.send_message(conversation=conversation, sender=offer.supporter,
                                   client_id=uuid.uuid4(), text="Hello")
        conversations.close_conversation(conversation=conversation, by=colleague)
        conversations.give_feedback(conversation=conversation, by=colleague,
                                    felt_heard=1 + i % 5, would_return=True)
        if i == rows - 1:  # one supporter waiting for approval: the form appears
            SupporterProfile.objects.filter(person=supporter).update(approved_at=None)
    open_request(make_person())  # and one offer pending


def test_the_programme_page_costs_the_same_queries_for_many_rows(
        django_assert_max_num_queries) -> None:
    client = signed_in(make_person(Role.COORDINATOR))
    _add_programme_rows(2)
    few = _queries(client, "/programme/")

    _add_programme_rows(8)
    with django_assert_max_num_queries(few):
        response = client.get("/programme/")

    assert response.status_code == 200
    assert few <= 20


def test_the_colleagues_support_home_costs_the_same_queries_for_many_rows(
        colleague: Person, django_assert_max_num_queries) -> None:
    supporter = make_supporter(capacity=20)
    client = signed_in(colleague)
    _talking(colleague, supporter)
    few = _queries(client, "/support/")

    for _ in range(6):
        _talking(colleague, supporter)
    with django_assert_max_num_queries(few):
        assert client.get("/support/").status_code == 200


# --- hidden ids and repeated actions ------------------------------------------------------------

def test_a_missing_submission_id_is_said_aloud_and_a_fresh_one_is_given(
        colleague: Person) -> None:
    client = signed_in(colleague)

    response = client.post("/support/new/", _form(submission_id="garbage",
                                                  message="Please keep this text"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "The form had expired" in body
    assert "Please keep this text" in body
    fresh = re.search(r'name="submission_id" value="([0-9a-f-]{36})"', body).group(1)
    assert client.post("/support/new/", _form(submission_id=fresh)).status_code == 302
    assert SupportRequest.objects.count() == 1


def test_someone_elses_submission_id_is_an_expired_form_not_their_request(
        colleague: Person) -> None:
    theirs = open_request(make_person())

    response = signed_in(colleague).post(
        "/support/new/", _form(submission_id=str(theirs.submission_id)))

    assert response.status_code == 200
    assert "The form had expired" in response.content.decode()
    assert SupportRequest.objects.count() == 1


def test_a_missing_client_id_in_the_fallback_form_is_said_aloud(colleague: Person) -> None:
    conversation = open_request(colleague).conversation

    response = signed_in(colleague).post(f"/conversations/{conversation.pk}/send/",
                                         {"text": "still here"})

    body = response.content.decode()
    assert response.status_code == 400
    assert "The form had expired" in body and "still here" in body
    assert re.search(r'name="client_id" value="[0-9a-f-]{36}"', body)


def test_erasing_twice_is_a_clear_message_not_an_error_page(colleague: Person) -> None:
    conversation = open_request(colleague).conversation
    client = signed_in(colleague)
    client.post(f"/conversations/{conversation.pk}/erase/")

    again = client.post(f"/conversations/{conversation.pk}/erase/", follow=True)

    assert again.status_code == 404
    assert "was erased" in again.content.decode()
    assert AuditEvent.objects.filter(action=SupportAudit.CONVERSATION_ERASED).count() == 1


def test_a_handover_is_suggested_once(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    client = signed_in(supporter)

    client.post(f"/conversations/{conversation.pk}/handover/")
    again = client.post(f"/conversations/{conversation.pk}/handover/", follow=True)

    assert "already suggested" in again.content.decode()
    page = signed_in(colleague).get(f"/conversations/{conversation.pk}/").content.decode()
    assert "I agree to a hand-over" in page


def test_a_waiting_colleague_is_told_when_a_supporter_is_free_in_their_own_time(
        colleague: Person) -> None:
    zone = midday_zone()
    today = timezone.now().astimezone(ZoneInfo(zone))
    make_supporter(zone=zone, availability=[
        {"weekday": today.weekday(), "start": "20:00", "end": "21:00"}])
    support_request = open_request(colleague, mode=SupportRequest.Mode.CHAT)
    support_request.refresh_from_db()
    own_time = support_request.expected_reply_by.astimezone(ZoneInfo(colleague.time_zone))

    page = signed_in(colleague).get(
        f"/conversations/{support_request.conversation.pk}/").content.decode()
    home = signed_in(colleague).get("/support/").content.decode()

    assert f"is free from {times.shown_time(own_time, own_time.tzinfo)} " \
        f"({colleague.time_zone});" in page
    assert f"A supporter is free from {times.shown_time(own_time, own_time.tzinfo)} " \
        f"({colleague.time_zone})" in home


def test_a_coordinator_approves_a_supporter_and_it_is_audited() -> None:
    waiting = make_supporter(approved=False)
    coordinator = make_person(Role.COORDINATOR)
    client = signed_in(coordinator)
    assert f'action="/programme/supporters/{waiting.pk}/approve/"' in client.get(
        "/programme/").content.decode()

    response = client.post(f"/programme/supporters/{waiting.pk}/approve/")

    assert response.status_code == 302
    assert SupporterProfile.objects.get(person=waiting).certified
    event = AuditEvent.objects.get(action=SupportAudit.SUPPORTER_APPROVED)
    assert (event.actor, event.object_id) == (coordinator, str(waiting.pk))
    assert client.post("/programme/supporters/999999/approve/").status_code == 404
    assert signed_in(waiting).post(
        f"/programme/supporters/{waiting.pk}/approve/").status_code == 403
