"""The coach on clear cases written for these tests (none comes from the corpus), at work and
away from it: each label is found, its finding points at the words that carry it, and the
things that only look like a risk are left alone."""

from __future__ import annotations

import pytest

from haven.coach.engine.analysis import (
    MAX_CHARS,
    Analysis,
    DraftTooLong,
    analyse,
    language_problem,
    to_contract,
)

VENT = "I just need to vent. My sister said at dinner that I'm the disappointment of the family."
ASKS = "My flatmate keeps eating my food and I'm sick of it. What should I do?"


def spans_of(analysis: Analysis, kind: str, response: str) -> list[str]:
    return [response[f.start:f.end] for f in analysis.findings if f.kind == kind]


def assert_span_covers(analysis: Analysis, kind: str, response: str, words: str) -> None:
    start = response.index(words)
    end = start + len(words)
    found = [(f.start, f.end) for f in analysis.findings if f.kind == kind]
    assert any(s <= start and end <= e for s, e in found), (kind, spans_of(analysis, kind,
                                                                          response))


CLEAR_FLAGS = [
    # (flag, seeker, reply, words the finding must cover)
    ("unsolicited_advice", VENT,
     "You need to sit her down and tell her how much that hurt.",
     "You need to sit her down"),
    ("unsolicited_advice", "Failed my driving test for the third time today.",
     "Honestly you should just book lessons with a different instructor.",
     "you should just book lessons"),
    ("judgement", "I didn't say anything when my friend made that joke about me.",
     "Why didn't you stand up for yourself? You let people walk all over you.",
     "Why didn't you stand up for yourself?"),
    ("judgement", "My ex keeps texting me and I keep answering.",
     "Tbh you brought this on yourself by replying every time.",
     "you brought this on yourself"),
    ("minimising", "My grandad passed away last week and I can't focus on anything.",
     "At least he had a long life. Everything happens for a reason.",
     "At least he had a long life"),
    ("minimising", "Everyone in my class laughed when I tripped on stage.",
     "Don't take it personally, it's not a big deal, people forget stuff like that fast.",
     "Don't take it personally"),
    ("self_focus", "My landlord is threatening to keep my whole deposit.",
     "Omg same thing happened to me! My old landlord kept my deposit in 2019 and I had to "
     "take him to court, it took me months and I was so stressed the whole time.",
     "same thing happened to me"),
    ("secrecy_promise", "Can I tell you something really private?",
     "Of course. I promise I'll never tell anyone, whatever it is, it stays between us.",
     "I promise I'll never tell anyone"),
    ("secrecy_promise", "",
     "Don't worry, nobody will ever find out from me. My lips are sealed no matter what.",
     "My lips are sealed"),
]


@pytest.mark.parametrize(("flag", "seeker", "response", "words"), CLEAR_FLAGS)
def test_it_finds_each_risk_in_clear_cases(flag: str, seeker: str, response: str,
                                           words: str) -> None:
    analysis = analyse(response, seeker)
    assert getattr(analysis, flag), analysis.labels()
    assert_span_covers(analysis, flag, response, words)


def test_advice_they_asked_for_is_advice_but_not_unsolicited() -> None:
    response = "If I were you I'd label everything and ask them to replace what they eat."
    analysis = analyse(response, ASKS)
    assert analysis.asked_for_advice
    assert analysis.advice and not analysis.unsolicited_advice
    assert_span_covers(analysis, "advice", response, "If I were you")


def test_the_same_advice_unasked_is_unsolicited() -> None:
    response = "If I were you I'd label everything and ask them to replace what they eat."
    analysis = analyse(response, "My flatmate keeps eating my food. I'm so sick of it.")
    assert analysis.advice and analysis.unsolicited_advice


@pytest.mark.parametrize(("seeker", "response"), [
    ("Can I tell you something private?",
     "Of course. What you tell me stays between us, unless I'm worried someone is in danger; "
     "then I'd talk to you first about getting help."),
    ("", "I won't share any of this without your permission, unless someone's safety is at "
         "risk."),
])
def test_an_honest_statement_of_confidentiality_is_not_a_secrecy_promise(
        seeker: str, response: str) -> None:
    assert not analyse(response, seeker).secrecy_promise


@pytest.mark.parametrize("response", [
    "You're not overreacting at all. Anyone would be hurt by that.",
    "I don't think you overreacted. That was a horrible thing to say to you.",
])
def test_validation_that_mentions_overreacting_is_not_judgement(response: str) -> None:
    assert not analyse(response, VENT).judgement


def test_a_warm_specific_reply_scores_well_and_carries_no_risk() -> None:
    response = ("I'm so sorry she said that to you, especially in front of everyone at dinner. "
                "It sounds like it left you feeling really small and alone. "
                "Are you still feeling like the odd one out with your family since then?")
    analysis = analyse(response, VENT)
    assert analysis.emotional_reactions >= 1
    assert analysis.interpretations == 2
    assert analysis.explorations == 2
    assert not any(analysis.labels()[flag] for flag in (
        "advice", "unsolicited_advice", "judgement", "minimising", "self_focus",
        "secrecy_promise"))
    assert_span_covers(analysis, "emotional_reactions", response, "I'm so sorry")
    assert_span_covers(analysis, "interpretations", response, "It sounds like it left you")
    assert_span_covers(analysis, "explorations", response,
                       "Are you still feeling like the odd one out")


def test_a_stock_phrase_is_a_weak_reaction() -> None:
    analysis = analyse("that sucks", "My car got towed.")
    assert analysis.emotional_reactions == 1
    assert analysis.interpretations == 0 and analysis.explorations == 0


# Version 2 of the annotation guide (docs/coach-annotation.md): EPITOME's definitions.
@pytest.mark.parametrize(("seeker", "response", "mechanism", "level"), [
    ("My dog died this morning.", "sending hugs, it will be ok x", "emotional_reactions", 1),
    ("Got told off by my boss in front of the whole team.",
     "I feel so angry for you reading this.", "emotional_reactions", 2),
    ("My manager keeps moving my deadlines without telling me.", "I understand how you feel.",
     "interpretations", 1),
    ("They changed the rota again and I found out from a group chat.",
     "Finding out like that must feel so humiliating, like you don't even count.",
     "interpretations", 2),
    ("I get panic attacks before every team meeting.",
     "I get them too before big meetings, the racing heart and everything. How bad do they "
     "get for you?", "interpretations", 2),
    ("My project lead ignored my idea again.", "What happened?", "explorations", 1),
    ("My project lead ignored my idea again.",
     "Are you feeling invisible in that team right now?", "explorations", 2),
])
def test_the_mechanisms_follow_epitome(seeker: str, response: str, mechanism: str,
                                       level: int) -> None:
    assert getattr(analyse(response, seeker), mechanism) == level


def test_shared_experience_that_comes_back_to_them_is_not_self_focus() -> None:
    analysis = analyse("My landlord kept most of my deposit too, I know how gutting that "
                       "is. How are you managing with the money right now?",
                       "My landlord is threatening to keep my whole deposit.")
    assert analysis.interpretations == 2 and analysis.explorations >= 1
    assert not analysis.self_focus
    # Praised, not warned: the finding says sharing something similar shows understanding.
    kinds = {finding.kind: finding.explanation for finding in analysis.findings}
    assert "self_focus" not in kinds
    assert "something similar of your own" in kinds["interpretations"]


@pytest.mark.parametrize("response", [
    "maybe look into what your contract says about notice periods",
    "what helped me was writing down every time it happened, with dates",
    "I'd honestly just mute the group chat for a week",
    "talk to HR before it gets worse",
])
def test_indirect_and_hedged_suggestions_are_advice(response: str) -> None:
    analysis = analyse(response, "My team lead keeps messaging me at 11pm.")
    assert analysis.advice and analysis.unsolicited_advice


def test_a_closed_question_is_a_weak_exploration() -> None:
    analysis = analyse("Are you ok?", "I got dumped by text last night.")
    assert analysis.explorations == 1


def test_every_present_label_has_a_finding_and_no_absent_label_has_one() -> None:
    cases = [(seeker, response) for _, seeker, response, _ in CLEAR_FLAGS] + [
        (VENT, "Ugh that's awful. Have you tried just ignoring her? At least it was only once.")]
    for seeker, response in cases:
        analysis = analyse(response, seeker)
        present = {label for label, value in analysis.labels().items() if value}
        assert {finding.kind for finding in analysis.findings} == present, response
        for finding in analysis.findings:
            assert 0 <= finding.start < finding.end <= len(response)
            assert response[finding.start:finding.end].strip() == \
                response[finding.start:finding.end]
            assert finding.explanation.endswith(".") and finding.suggestion


def test_spans_are_offsets_into_the_text_as_given() -> None:
    # Curly apostrophes, emoji and accents before the span must not shift it.
    response = "Café chat 😅 … honestly you should’ve told him off. Why didn’t you?"
    analysis = analyse(response, "He mocked my accent in the café.")
    assert analysis.judgement
    for finding in analysis.findings:
        assert 0 <= finding.start < finding.end <= len(response)
    assert_span_covers(analysis, "judgement", response, "you should’ve told him off")


def test_an_empty_reply_gets_a_gentle_note_and_nothing_else() -> None:
    for response in ("", "  \n "):
        analysis = analyse(response, "anything")
        assert analysis.note and not analysis.findings and not analysis.judged
        assert not any(analysis.labels().values())


def test_an_overlong_reply_is_refused_clearly() -> None:
    analyse("a" * MAX_CHARS)
    with pytest.raises(DraftTooLong, match="10,000"):
        analyse("a" * (MAX_CHARS + 1))


@pytest.mark.parametrize("response", [
    "Lo siento mucho, de verdad. Estoy aquí para lo que necesites, cuando quieras hablar.",
    "Je suis vraiment désolé pour toi, tu peux me parler quand tu veux.",
    "Es tut mir so leid, das ist nicht fair und ich bin für dich da.",
    "本当に辛かったね。話してくれてありがとう。",
    "Мне очень жаль, что так получилось.",
])
def test_it_does_not_guess_at_other_languages(response: str) -> None:
    analysis = analyse(response)
    assert not analysis.judged and "English" in analysis.note
    assert not analysis.findings


@pytest.mark.parametrize("response", [
    "ok", "omg same", "lol wut", "that sucks dude", "u ok?", "sending hugs <3",
    "honestly ngl that's rough, u wanna talk abt it?",
    "Naïve of me maybe, but I think you handled it with real grace.",
])
def test_short_or_casual_english_is_judged(response: str) -> None:
    assert language_problem(response) is None


def test_the_contract_line_has_the_documented_shape() -> None:
    line = to_contract("abc", analyse("That sounds hard. What happened?", "Rough day."))
    assert list(line)[:11] == [
        "id", "emotional_reactions", "interpretations", "explorations", "advice",
        "unsolicited_advice", "judgement", "minimising", "self_focus", "secrecy_promise",
        "findings"]
    assert "note" not in line and "error" not in line


def test_analysis_is_deterministic() -> None:
    response = "Omg so unfair!! You should tell your teacher. I had the same thing in year 9."
    assert analyse(response, "My project partner took credit.") == analyse(
        response, "My project partner took credit.")
