"""Supporters' practice with the empathy coach over the months: most reached certification,
a few are still on their way. Practice replies are never stored (only the coach's levels and
flags are), so the seed records levels the coach might have given: the demo's supporters are
good at it, with the odd flagged first draft that a revision fixes."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from haven.coach import services as coach
from haven.coach.engine.analysis import Analysis
from haven.coach.models import PracticeAttempt
from haven.coach.scenarios import SCENARIOS
from haven.core.models import Person
from haven.demo.history.clock import move
from haven.support.models import SupporterProfile


def _analysis(rng: random.Random, *, strong: bool, flagged: bool = False) -> Analysis:
    levels = [rng.choices([0, 1, 2], [1, 4, 6] if strong else [3, 4, 2])[0] for _ in range(3)]
    return Analysis(emotional_reactions=levels[0], interpretations=levels[1],
                    explorations=levels[2], unsolicited_advice=flagged,
                    minimising=flagged and rng.random() < 0.5)


def _practise(rng: random.Random, supporter: Person, slug: str, at: datetime,
              strong: bool) -> None:
    first_flagged = rng.random() < 0.2
    result = coach.record_practice(supporter=supporter, scenario=slug,
                                   analysis=_analysis(rng, strong=strong, flagged=first_flagged))
    attempt = result.attempt
    if first_flagged:  # a second draft addresses the flag
        coach.record_practice(supporter=supporter, scenario=slug, attempt_id=attempt.pk,
                              analysis=_analysis(rng, strong=strong))
    coach.finish_practice(supporter=supporter, attempt_id=attempt.pk)
    move(attempt, started_at=at, submitted_at=at + timedelta(minutes=rng.randint(4, 15)),
         finished_at=at + timedelta(minutes=rng.randint(16, 25)))


def seed_practice(rng: random.Random, now: datetime, supporters: list[Person],
                  still_learning: set[int]) -> None:
    """Certified supporters practised every scenario at least once, about six months ago; those
    in STILL_LEARNING (person ids) have done a few and are not certified yet."""
    slugs = list(dict.fromkeys(scenario.slug for scenario in SCENARIOS))
    for supporter in supporters:
        learning = supporter.pk in still_learning
        chosen = rng.sample(slugs, rng.randint(3, 6)) if learning else slugs
        start = now - timedelta(days=rng.uniform(20, 40) if learning else rng.uniform(175, 190))
        for number, slug in enumerate(chosen):
            _practise(rng, supporter, slug, start + timedelta(days=number * 1.5, hours=number),
                      strong=not learning)
        last = PracticeAttempt.objects.filter(supporter=supporter).order_by(
            "-finished_at").values_list("finished_at", flat=True).first()
        profile = SupporterProfile.objects.filter(person=supporter,
                                                  certified_at__isnull=False).first()
        if profile is not None and last is not None:
            move(profile, certified_at=last)
