"""The coach's pages and endpoints: who may use each, the live coach in conversations (the
supporter's side only, context read on the server), drafts kept nowhere, bad input, and the
coordinators' progress page (scores, never texts; no N+1)."""

from __future__ import annotations

import logging
import re

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from haven.coach import services, views
from haven.coach.models import PracticeAttempt
from haven.coach.scenarios import SCENARIOS
from haven.core.models import AuditEvent, Person, Role
from haven.support.models import Conversation, SupportAudit
from haven.vault.crypto import keyed_pseudonym
from tests.coach.practice_helpers import everything_stored, practise, practise_many
from tests.conftest import signed_in
from tests.factories import make_person
from tests.support.chat_setup import open_chat

pytestmark = pytest.mark.django_db

COLLEAGUE_SAYS = "My manager mocked my report in front of everyone and I just froze."
# A marker no page holds, inside the words the coach quotes back (the unasked-for advice).
MARKER = "Ostrichvelvet"
DRAFT = (f"Honestly you should just report {MARKER} to HR tomorrow, and at least it was only "
         "one meeting.")


@pytest.fixture
def chat(colleague: Person, supporter: Person) -> Conversation:
    return open_chat(colleague, supporter, first_message=COLLEAGUE_SAYS)


def coach_path(conversation: Conversation) -> str:
    return f"/conversations/{conversation.pk}/coach/"


# Access -------------------------------------------------------------------------------------

SUPPORTER_PAGES = ["/coach/practice/", f"/coach/practice/{SCENARIOS[0].slug}/", "/coach/try/"]


@pytest.mark.parametrize("path", SUPPORTER_PAGES)
def test_supporters_open_the_practice_and_try_pages(supporter: Person, path: str) -> None:
    assert signed_in(supporter).get(path).status_code == 200


@pytest.mark.parametrize("role", ["colleague", Role.COORDINATOR, Role.CASE_HANDLER,
                                  Role.ADMINISTRATOR])
def test_other_roles_are_refused_the_supporters_coach(role: str) -> None:
    client = signed_in(make_person(*([] if role == "colleague" else [role])))
    for path in SUPPORTER_PAGES:
        assert client.get(path).status_code == 403, path
    assert client.post("/coach/feedback/", {"reply": "hi"}).status_code == 403


def test_signed_out_people_are_sent_to_sign_in() -> None:
    client = Client()
    for path in [*SUPPORTER_PAGES, "/coach/progress/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/")
    response = client.post("/coach/feedback/", {"reply": DRAFT})
    assert response.status_code == 302


def test_coordinators_and_administrators_open_the_progress_page(as_coordinator: Client,
                                                                as_administrator: Client) -> None:
    assert as_coordinator.get("/coach/progress/").status_code == 200
    assert as_administrator.get("/coach/progress/").status_code == 200


def test_supporters_and_colleagues_are_refused_the_progress_page(
        supporter: Person, as_colleague: Client) -> None:
    assert signed_in(supporter).get("/coach/progress/").status_code == 403
    assert as_colleague.get("/coach/progress/").status_code == 403


def test_wrong_methods_are_405(supporter: Person, chat: Conversation) -> None:
    client = signed_in(supporter)
    assert client.get("/coach/feedback/").status_code == 405
    assert client.get(coach_path(chat)).status_code == 405
    assert client.get(f"/coach/practice/{SCENARIOS[0].slug}/finish/").status_code == 405
    assert client.post("/coach/practice/").status_code == 405
    assert client.delete("/coach/try/").status_code == 405


def test_supporters_see_practice_in_the_navigation_and_on_home(supporter: Person,
                                                               as_colleague: Client) -> None:
    page = signed_in(supporter).get("/").content.decode()
    assert re.search(r'href="/coach/practice/">(<svg.*?</svg>)?Practice</a>', page)
    assert "Practice scenarios and certification" in page
    assert "/coach/practice/" not in as_colleague.get("/").content.decode()


# The live coach in a conversation -------------------------------------------------------------

def test_the_supporter_gets_feedback_on_a_draft(supporter: Person, chat: Conversation) -> None:
    response = signed_in(supporter).post(coach_path(chat), {"text": "", "reply": DRAFT})
    page = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "To reconsider" in page and "coach-mark--risk" in page
    assert "Try instead:" in page
    assert "<html" not in page  # a fragment, not a page


def test_the_colleagues_side_gets_no_coaching(colleague: Person, chat: Conversation) -> None:
    response = signed_in(colleague).post(coach_path(chat), {"reply": DRAFT})
    assert response.status_code == 403


def test_a_colleague_who_is_also_a_supporter_gets_no_coaching_on_their_own_request(
        supporter: Person) -> None:
    both = make_person(Role.SUPPORTER)
    conversation = open_chat(both, supporter, first_message=COLLEAGUE_SAYS)
    response = signed_in(both).post(coach_path(conversation), {"reply": DRAFT})
    assert response.status_code == 403


def test_other_supporters_get_404(chat: Conversation) -> None:
    outsider = signed_in(make_person(Role.SUPPORTER))
    assert outsider.post(coach_path(chat), {"reply": DRAFT}).status_code == 404
    assert outsider.post("/conversations/999999/coach/", {"reply": DRAFT}).status_code == 404
    assert outsider.post(f"/conversations/{2**63}/coach/", {"reply": DRAFT}).status_code == 404


def test_the_context_is_the_colleagues_last_message_read_on_the_server(
        supporter: Person, colleague: Person, chat: Conversation,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from haven.support import conversations

    conversations.send_message(conversation=chat, sender=supporter,
                               client_id="00000000-0000-4000-8000-000000000001",
                               text="Thanks for telling me.")
    seen: list[tuple[str, str]] = []
    real = views.analyse

    def spy(reply: str, seeker: str = "", **kwargs: object) -> object:
        seen.append((reply, seeker))
        return real(reply, seeker)

    monkeypatch.setattr(views, "analyse", spy)
    signed_in(supporter).post(coach_path(chat), {
        "reply": "That sounds hard.", "seeker": "What should I do? Tell me what to do!"})
    assert seen == [("That sounds hard.", COLLEAGUE_SAYS)]  # the client's seeker is ignored


def test_with_no_message_from_the_colleague_the_context_is_empty(
        colleague: Person, supporter: Person, monkeypatch: pytest.MonkeyPatch) -> None:
    conversation = open_chat(colleague, supporter)
    seen: list[str] = []
    monkeypatch.setattr(views, "analyse", lambda reply, seeker="": seen.append(seeker)
                        or views.Analysis(note="x", judged=False))
    signed_in(supporter).post(coach_path(conversation), {"reply": "Hello"})
    assert seen == [""]


def test_a_draft_is_nowhere_after_a_coach_call(supporter: Person, chat: Conversation,
                                               caplog: pytest.LogCaptureFixture,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("django", "django.request", "django.server", "django.db.backends",
                 "django.template", "haven", "py.warnings"):
        caplog.set_level(logging.DEBUG, logger=name)
    monkeypatch.setattr(connections["default"], "force_debug_cursor", True)  # SQL logged
    client = signed_in(supporter)
    client.get(f"/conversations/{chat.pk}/")
    client.get("/coach/try/")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(2):
            assert client.post(coach_path(chat), {"reply": DRAFT}).status_code == 200
        assert client.post("/coach/feedback/", {"reply": DRAFT, "seeker": "x"}).status_code == 200
        assert client.post("/coach/try/", {"reply": DRAFT, "seeker": "x"}).status_code == 200
        scenario = f"/coach/practice/{SCENARIOS[0].slug}/"
        assert client.post(scenario, {"reply": DRAFT}).status_code == 200
        attempt = PracticeAttempt.objects.get(supporter=supporter)
        assert client.post(f"{scenario}finish/", {"attempt": attempt.pk, "reply": DRAFT}
                           ).status_code == 200
    assert any(record.name == "django.db.backends" for record in caplog.records)
    assert not any(MARKER in query["sql"] for query in queries.captured_queries)
    assert MARKER not in caplog.text
    assert not any(MARKER in str(record.__dict__) for record in caplog.records)
    assert MARKER not in everything_stored()  # every table, sessions decoded
    for event in AuditEvent.objects.all():
        assert MARKER not in repr(event.detail) and MARKER not in event.object_id


def test_reading_the_context_is_audited_once_per_message(supporter: Person, colleague: Person,
                                                         chat: Conversation) -> None:
    from haven.support import conversations

    def coach_reads() -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(action=SupportAudit.CONVERSATION_READ,
                                              detail__purpose="coach"))

    client = signed_in(supporter)
    for _ in range(3):
        client.post(coach_path(chat), {"reply": "That sounds hard."})
    [event] = coach_reads()
    assert event.actor_id is None and event.object_id == str(chat.pk)
    assert event.actor_pseudonym == keyed_pseudonym(chat.data_key, f"person:{supporter.pk}")
    assert event.detail == {"messages": 1, "purpose": "coach"}
    conversations.send_message(conversation=chat, sender=colleague,
                               client_id="00000000-0000-4000-8000-000000000002",
                               text="And today it happened again.")
    client.post(coach_path(chat), {"reply": "Oh no."})
    assert len(coach_reads()) == 2


def test_the_conversation_page_shows_the_coach_to_the_supporter_only(
        supporter: Person, colleague: Person, chat: Conversation) -> None:
    page = signed_in(supporter).get(f"/conversations/{chat.pk}/").content.decode()
    assert f'data-coach-url="/conversations/{chat.pk}/coach/"' in page
    assert 'aria-live="polite" data-coach-output' in page
    assert "haven/coach.js" in page and 'data-coach-reply="text"' in page
    page = signed_in(colleague).get(f"/conversations/{chat.pk}/").content.decode()
    assert "coach" not in page.lower()


def test_a_closed_conversation_shows_no_coach(supporter: Person, chat: Conversation) -> None:
    Conversation.objects.filter(pk=chat.pk).update(state=Conversation.State.CLOSED)
    page = signed_in(supporter).get(f"/conversations/{chat.pk}/").content.decode()
    assert "data-coach-url" not in page


# Bad input ------------------------------------------------------------------------------------

def test_an_empty_draft_gets_a_gentle_note_and_no_findings(supporter: Person,
                                                           chat: Conversation) -> None:
    for path in ["/coach/feedback/", coach_path(chat)]:
        response = signed_in(supporter).post(path, {"reply": ""})
        page = response.content.decode()
        assert response.status_code == 200
        assert "The draft is empty" in page
        assert "<mark" not in page and "To reconsider" not in page


def test_a_draft_over_ten_thousand_characters_is_a_clear_error(supporter: Person,
                                                               chat: Conversation) -> None:
    for path in ["/coach/feedback/", coach_path(chat)]:
        response = signed_in(supporter).post(path, {"reply": "a" * 10_001})
        page = response.content.decode()
        assert response.status_code == 400
        assert "at most 10,000 characters and this is 10,001" in page
    assert signed_in(supporter).post("/coach/feedback/", {"reply": "I hear you." * 900 + "!"}
                                     ).status_code == 200


def test_a_draft_in_another_language_is_said_so(supporter: Person) -> None:
    reply = "Es tut mir sehr leid, dass dein Chef dich vor allen anderen so behandelt hat."
    response = signed_in(supporter).post("/coach/feedback/", {"reply": reply})
    page = response.content.decode()
    assert response.status_code == 200
    assert "doesn" in page and "English" in page
    assert "<mark" not in page


def test_a_seeker_message_over_the_limit_is_refused(supporter: Person) -> None:
    response = signed_in(supporter).post("/coach/feedback/", {"reply": "Oh no.",
                                                              "seeker": "b" * 10_001})
    assert response.status_code == 400


def test_what_a_supporter_writes_comes_back_escaped(supporter: Person) -> None:
    reply = "You should <script>alert(1)</script> report him."
    page = signed_in(supporter).post("/coach/feedback/", {"reply": reply}).content.decode()
    assert "<script>" not in page


def test_the_practice_coach_reads_the_scenario_on_the_server(
        supporter: Person, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = views.analyse
    monkeypatch.setattr(views, "analyse", lambda reply, seeker="": seen.append(seeker)
                        or real(reply, seeker))
    client = signed_in(supporter)
    client.post("/coach/feedback/", {"reply": "Oh no.", "seeker": "something else",
                                     "scenario": SCENARIOS[3].slug})
    assert seen == [SCENARIOS[3].situation]
    assert client.post("/coach/feedback/", {"reply": "Oh no.", "scenario": "nope"}
                       ).status_code == 404


def test_the_try_page_works_without_scripts(supporter: Person) -> None:
    response = signed_in(supporter).post("/coach/try/", {
        "seeker": COLLEAGUE_SAYS, "reply": DRAFT})
    page = response.content.decode()
    assert response.status_code == 200
    assert "To reconsider" in page and 'aria-live="polite"' in page
    assert MARKER in page  # still in the box to revise, not stored


def test_the_feedback_endpoint_has_a_rate_limit(supporter: Person,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "FEEDBACK_LIMIT", 3)
    client = signed_in(supporter)
    statuses = [client.post("/coach/feedback/", {"reply": "Oh no."}).status_code
                for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


# Coordinators' progress page ------------------------------------------------------------------

def test_coordinators_see_scores_and_never_practice_texts(as_coordinator: Client,
                                                          supporter: Person) -> None:
    practice = signed_in(supporter)
    scenario = SCENARIOS[0]
    practice.post(f"/coach/practice/{scenario.slug}/", {"reply": DRAFT})
    practise_many(supporter, [5, 6])
    page = as_coordinator.get("/coach/progress/").content.decode()
    assert supporter.name in page
    assert MARKER not in page and "at least it was only" not in page
    assert f"Certify {supporter.name}" in page


def test_the_progress_page_marks_certified_supporters(as_coordinator: Client,
                                                      supporter: Person) -> None:
    practise_many(supporter, [6] * 10)
    page = as_coordinator.get("/coach/progress/").content.decode()
    assert "certified " in page and f"Certify {supporter.name}" not in page


def test_the_progress_page_makes_a_fixed_number_of_queries(as_coordinator: Client) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert as_coordinator.get("/coach/progress/").status_code == 200
        return len(queries)

    first = make_person(Role.SUPPORTER)
    practise_many(first, [4, 5, 6])
    one = count()
    for _ in range(6):
        person = make_person(Role.SUPPORTER)
        practise_many(person, [3, 4, 5, 6, 2, 1, 6])
        practise(person, SCENARIOS[0].slug, 2, judgement=True)
    assert count() == one


def test_the_supporters_practice_page_makes_a_fixed_number_of_queries(supporter: Person) -> None:
    client = signed_in(supporter)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/coach/practice/").status_code == 200
        return len(queries)

    practise(supporter, SCENARIOS[0].slug)
    one = count()
    practise_many(supporter, [5] * 20)
    assert count() == one
