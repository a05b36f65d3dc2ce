"""The lexical screen: clear positives are held with a reason, kind words pass."""

from __future__ import annotations

import pytest

from haven.core.moderation import screen


@pytest.mark.parametrize(("text", "category"), [
    ("Thanks for nothing.", "sarcasm"),
    ("thank you for nothing, really", "sarcasm"),
    ("Great job breaking everything /s", "sarcasm"),
    ("Thanks, genius. The build is red again.", "sarcasm"),
    ("Well done Einstein", "sarcasm"),
    ("Thanks a lot for wasting my afternoon", "sarcasm"),
    ("Amazing work deleting the backups", "sarcasm"),
    ("So helpful. Not!", "sarcasm"),
    ("*slow clap* for the release notes", "sarcasm"),
    ("Yeah right, best teammate ever", "sarcasm"),
    ("You are an idiot", "insult"),
    ("What a bunch of MORONS", "insult"),
    ("Totally useless as always", "insult"),
    ("Honestly a waste of space", "insult"),
    ("Just shut up in meetings", "insult"),
    ("Stop acting like a retard", "slur"),
    ("Don't be such a spaz", "slur"),
])
def test_it_holds_bullying_and_abusive_language(text: str, category: str) -> None:
    verdict = screen(text)

    assert verdict.held
    assert verdict.category == category
    assert verdict.reason.startswith("it ")


@pytest.mark.parametrize("text", [
    "Thank you for fixing the build on Friday night!",
    "Great job breaking down a hard problem into small steps.",
    "Thanks for nothing short of a brilliant launch.",
    "You reminded us there is no such thing as a stupid question.",
    "A genius idea, thank you for sharing it.",
    "Thanks so much for covering my shift.",
    "You made the new starter feel so welcome. Not everyone takes the time.",
    "Well done on breaking the record for customer satisfaction!",
    "Cheers for the help with the slides /sparkles",
    "",
])
def test_it_lets_kind_words_through(text: str) -> None:
    assert screen(text).held is False


def test_curly_quotes_and_spacing_do_not_hide_sarcasm() -> None:
    assert screen("Thanks   for\nnothing").held
    assert screen("Don\u2019t be such an idiot").category == "insult"
