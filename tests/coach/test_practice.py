"""Practice scenarios: read, reply, get feedback, revise, see the example reply. Scores and flags
are kept per attempt; the text of a practice reply is never stored."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.test import Client
from django.utils.html import escape

from haven.coach.engine.analysis import analyse
from haven.coach.models import RISK_FLAGS, PracticeAttempt
from haven.coach.scenarios import KINDS, SCENARIOS, next_scenario, scenario_for
from haven.core.errors import Refused
from haven.core.models import Person, Role
from tests.coach.practice_helpers import everything_stored, fields_of, practise
from tests.conftest import signed_in
from tests.factories import make_person

SCENARIO = SCENARIOS[0]
PATH = f"/coach/practice/{SCENARIO.slug}/"
# A reply that carries two risks the coach finds reliably, and its revision without them.
FLAGGED = ("I promise I will never tell anyone, this stays between us no matter what. At least "
           "you still have your job, so try not to take it personally.")
REVISED = ("Seeing those photos when you were the only one missing sounds like it really hurt. "
           "It sounds like you feel like an outsider on your own team. What has this been "
           "like for you?")


# The scenarios --------------------------------------------------------------------------------

def test_there_are_at_least_thirty_scenarios_with_several_of_each_kind() -> None:
    assert len(SCENARIOS) >= 30
    kinds = Counter(scenario.kind for scenario in SCENARIOS)
    assert set(kinds) == set(KINDS)
    assert min(kinds.values()) >= 3, kinds


def test_each_scenario_is_complete_and_its_message_40_to_150_words() -> None:
    assert len({scenario.slug for scenario in SCENARIOS}) == len(SCENARIOS)
    assert len({scenario.title for scenario in SCENARIOS}) == len(SCENARIOS)
    for scenario in SCENARIOS:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", scenario.slug), scenario.slug
        assert scenario.title and scenario.example
        words = len(scenario.situation.split())
        assert 40 <= words <= 150, (scenario.slug, words)
        assert scenario_for(scenario.slug) is scenario


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.slug)
def test_the_coach_agrees_each_example_reply_is_strong(scenario: object) -> None:
    reading = analyse(scenario.example, scenario.situation)  # type: ignore[attr-defined]
    assert not [flag for flag in RISK_FLAGS if getattr(reading, flag)]
    assert reading.interpretations >= 1 and reading.explorations >= 1
    score = reading.emotional_reactions + reading.interpretations + reading.explorations
    assert score >= 4


def test_next_scenario_skips_those_done_and_wraps_round() -> None:
    slugs = [scenario.slug for scenario in SCENARIOS]
    assert next_scenario(slugs[0]).slug == slugs[1]  # type: ignore[union-attr]
    assert next_scenario(slugs[-1]).slug == slugs[0]  # type: ignore[union-attr]
    assert next_scenario(slugs[0], frozenset(slugs[1:3])).slug == slugs[3]  # type: ignore[union-attr]
    assert next_scenario("", frozenset(slugs)) is None


# Storage --------------------------------------------------------------------------------------

def test_an_attempt_has_no_column_for_text() -> None:
    assert fields_of(PracticeAttempt) == {
        "id", "supporter", "scenario", "started_at", "submitted_at", "finished_at", "revisions",
        "first_score", "first_flagged", "emotional_reactions", "interpretations",
        "explorations", "advice", "unsolicited_advice", "judgement", "minimising",
        "self_focus", "secrecy_promise"}


def test_only_supporters_practise(colleague: Person) -> None:
    with pytest.raises(Refused):
        practise(colleague, SCENARIO.slug)


# The flow, through the pages ----------------------------------------------------------------

@pytest.fixture
def client(supporter: Person) -> Client:
    return signed_in(supporter)


@pytest.mark.django_db
def test_the_page_shows_the_message_but_not_yet_the_example(client: Client) -> None:
    response = client.get(PATH)
    page = response.content.decode()
    assert response.status_code == 200
    assert SCENARIO.title in page
    assert "full squad!!" in page  # the colleague's message
    assert escape(SCENARIO.example) not in page
    assert 'aria-live="polite"' in page and "haven/coach.js" in page
    assert 'data-coach-scenario="thursday-lunches"' in page


@pytest.mark.django_db
def test_submit_revise_and_see_the_example(client: Client, supporter: Person) -> None:
    response = client.post(PATH, {"reply": FLAGGED})
    page = response.content.decode()
    assert response.status_code == 200
    attempt = PracticeAttempt.objects.get(supporter=supporter)
    assert attempt.flagged and attempt.first_flagged and attempt.revisions == 1
    assert attempt.secrecy_promise
    assert "To reconsider" in page and '<mark class="coach-mark coach-mark--risk">' in page
    assert "Try instead:" in page
    assert f'name="attempt" value="{attempt.pk}"' in page
    assert escape(SCENARIO.example) not in page  # not before they choose to see it

    response = client.post(PATH, {"reply": REVISED, "attempt": attempt.pk})
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.revisions == 2 and not attempt.flagged and attempt.first_flagged
    assert attempt.score >= 4 and attempt.score > attempt.first_score
    assert PracticeAttempt.objects.filter(supporter=supporter).count() == 1

    response = client.post(f"{PATH}finish/", {"attempt": attempt.pk, "reply": REVISED})
    page = response.content.decode()
    assert response.status_code == 200
    assert escape(SCENARIO.example) in page and escape(REVISED) in page
    assert "You addressed the risk flag of your first draft." in page
    # One revision after the first draft is "revised once", never "2 revision(s)".
    assert (f"of 6 (first draft {attempt.first_score} of 6, revised once)." in page
            and "revision(s)" not in page)
    attempt.refresh_from_db()
    assert attempt.finished_at is not None

    client.post(PATH, {"reply": FLAGGED, "attempt": attempt.pk})  # after the example: new
    assert PracticeAttempt.objects.filter(supporter=supporter).count() == 2


@pytest.mark.django_db
def test_a_first_draft_kept_as_it_is_says_not_revised(client: Client, supporter: Person) -> None:
    client.post(PATH, {"reply": REVISED})
    attempt = PracticeAttempt.objects.get(supporter=supporter)
    page = client.post(f"{PATH}finish/", {"attempt": attempt.pk, "reply": REVISED}
                       ).content.decode()
    assert f"{attempt.score} of 6 (your first draft, not revised)." in page


@pytest.mark.django_db
def test_the_practice_text_is_never_stored(client: Client) -> None:
    marker = "Zanzibar marmalade quokka"  # words no page or fixture holds
    reply = f"{REVISED} {marker} must have felt awful."
    client.post(PATH, {"reply": reply})
    attempt = PracticeAttempt.objects.get()
    client.post(f"{PATH}finish/", {"attempt": attempt.pk, "reply": reply})
    assert marker not in everything_stored()


@pytest.mark.django_db
def test_an_empty_reply_gets_a_gentle_note_and_no_score(client: Client) -> None:
    response = client.post(PATH, {"reply": "   "})
    page = response.content.decode()
    assert response.status_code == 200
    assert "The draft is empty" in page
    assert "To reconsider" not in page
    assert not PracticeAttempt.objects.exists()


@pytest.mark.django_db
def test_a_reply_over_ten_thousand_characters_is_refused_clearly(client: Client) -> None:
    response = client.post(PATH, {"reply": "I hear you. " * 900})
    assert response.status_code == 400
    assert "at most 10,000 characters" in response.content.decode()
    assert not PracticeAttempt.objects.exists()


@pytest.mark.django_db
def test_a_reply_not_in_english_is_said_so_and_not_scored(client: Client) -> None:
    reply = ("Lo siento mucho, de verdad. Debe ser muy duro para ti que el equipo no te "
             "invite a las comidas de los jueves.")
    response = client.post(PATH, {"reply": reply})
    assert response.status_code == 200
    assert "English" in response.content.decode()
    assert not PracticeAttempt.objects.exists()


@pytest.mark.django_db
def test_unknown_scenarios_are_404(client: Client) -> None:
    assert client.get("/coach/practice/no-such-thing/").status_code == 404
    assert client.post("/coach/practice/no-such-thing/", {"reply": REVISED}).status_code == 404
    assert client.post("/coach/practice/no-such-thing/finish/", {"attempt": 1}).status_code == 404


@pytest.mark.django_db
def test_nobody_finishes_another_supporters_attempt(client: Client) -> None:
    other = make_person(Role.SUPPORTER)
    theirs = practise(other, SCENARIO.slug)
    response = client.post(f"{PATH}finish/", {"attempt": theirs.pk, "reply": ""})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.finished_at is None


@pytest.mark.django_db
def test_an_attempt_finishes_only_under_its_own_scenario(client: Client,
                                                         supporter: Person) -> None:
    attempt = practise(supporter, SCENARIOS[1].slug)
    response = client.post(f"{PATH}finish/", {"attempt": attempt.pk, "reply": ""})
    assert response.status_code == 404


@pytest.mark.django_db
def test_finishing_without_an_attempt_explains(client: Client) -> None:
    response = client.post(f"{PATH}finish/", {"reply": "x"}, follow=True)
    assert "before you see the example" in response.content.decode()


@pytest.mark.django_db
def test_the_practice_page_shows_progress_and_every_scenario(client: Client,
                                                             supporter: Person) -> None:
    practise(supporter, SCENARIOS[0].slug, 6)
    practise(supporter, SCENARIOS[1].slug, 2, judgement=True)
    page = client.get("/coach/practice/").content.decode()
    for scenario in SCENARIOS:
        assert f"/coach/practice/{scenario.slug}/" in page
    assert "Scenarios practised: 2 of 10" in page
    assert "last score 6 of 6" in page and "ended with a risk flag" in page
    assert "1 risk flag left in your last 5 attempts" in page


@pytest.mark.django_db
def test_the_certification_message_appears_when_practice_completes_it(
        client: Client, supporter: Person) -> None:
    for scenario in SCENARIOS[1:10]:
        practise(supporter, scenario.slug, 6)
    response = client.post(PATH, {"reply": REVISED}, follow=True)
    assert "You are now a certified peer supporter" in response.content.decode()
