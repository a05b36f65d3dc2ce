"""Helpers for the practice and certification tests: the coach's reading of a reply, built by
hand, so the rules are tested apart from how well the model reads any particular text."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.sessions.models import Session
from django.core.management import call_command

from haven.coach import services
from haven.coach.engine.analysis import Analysis
from haven.coach.models import PracticeAttempt
from haven.coach.scenarios import SCENARIOS
from haven.core.models import Person

SLUGS = [scenario.slug for scenario in SCENARIOS]


def reading(er: int = 2, ip: int = 2, ex: int = 1, **flags: bool) -> Analysis:
    """The coach's reading: levels ER, IP, EX and the named flags."""
    if flags.get("unsolicited_advice"):
        flags.setdefault("advice", True)
    return Analysis(emotional_reactions=er, interpretations=ip, explorations=ex, **flags)


def practise(supporter: Person, slug: str, score: int = 5, attempt: int | None = None,
             **flags: bool) -> PracticeAttempt:
    """One submitted revision with empathy SCORE (split over the three levels) and FLAGS."""
    er, rest = min(2, score), max(0, score - 2)
    ip, ex = min(2, rest), max(0, rest - 2)
    return services.record_practice(supporter=supporter, scenario=slug,
                                    analysis=reading(er, ip, ex, **flags),
                                    attempt_id=attempt).attempt


def practise_many(supporter: Person, scores: list[int], **flags: bool) -> list[PracticeAttempt]:
    """One attempt per score, each on the next scenario."""
    return [practise(supporter, SLUGS[index], score, **flags)
            for index, score in enumerate(scores)]


def everything_stored() -> str:
    """Every row of every table as JSON (binary columns base64), and every session decoded."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out, format="json", indent=None)
    sessions = [repr(session.get_decoded()) for session in Session.objects.all()]
    return out.getvalue() + "\n".join(sessions)


def fields_of(model: Any) -> set[str]:
    return {field.name for field in model._meta.get_fields()}
