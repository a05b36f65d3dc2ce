"""Six months of the demo organisation's life, told through Haven's own services (see clock.py
for how their times are set), from one random seed: the same history on every run."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from haven.core.models import Person, Role, Team
from haven.demo.history import connect, practice, speakup, support
from haven.demo.history.clock import move
from haven.recognition.models import RecognitionDigest
from haven.support.models import SupporterProfile

ALWAYS = [{"weekday": day, "start": "00:00", "end": "23:59"} for day in range(7)]


def seed_history(*, seed: int, people: list[Person], demo_colleague: Person,
                 demo_supporter: Person, coordinator: Person, case_handler: Person,
                 now: datetime | None = None) -> None:
    """Each part draws from its own random generator, so that a change in one (say, one
    coffee group more) does not reshuffle all the parts after it."""
    now = now or timezone.now()

    def rng_for(part: int) -> random.Random:
        return random.Random(seed * 100 + part)  # noqa: S311 (a demo, not a secret)

    rng = rng_for(0)
    supporters = [p for p in people if Role.SUPPORTER in p.roles]
    others = [p for p in supporters if p.pk != demo_supporter.pk]
    learning = {p.pk for p in rng.sample(others, 2)}
    practice.seed_practice(rng, now, supporters, learning)
    _approve_the_certified(learning)
    colleagues = [p for p in people if not p.roles & {Role.SUPPORTER, Role.COORDINATOR}
                  and p.pk != demo_colleague.pk]
    support.seed_support(rng_for(1), now, colleagues, demo_colleague, demo_supporter)
    values = connect.seed_values()
    teams = list(Team.objects.order_by("name"))
    connect.seed_recognition(rng_for(2), now, people, teams, values)
    connect.seed_coffee(rng_for(3), now, people)
    organisers = [p for p in people if p.roles & {Role.COORDINATOR, Role.ADMINISTRATOR}]
    connect.seed_activities(rng_for(4), now, people, organisers)
    connect.seed_questions(rng_for(5), now, people, coordinator)
    _office_hours(rng_for(6), supporters, demo_supporter)
    speakup.seed_speakup(rng_for(7), now, people, demo_colleague, case_handler)
    _this_weeks_digest_is_sent(now)


def _approve_the_certified(learning: set[int]) -> None:
    """Coordinators approved each supporter the coach certified; the learners wait."""
    for profile in SupporterProfile.objects.filter(certified_at__isnull=False).exclude(
            person_id__in=learning):
        move(profile, approved_at=profile.certified_at)


def _office_hours(rng: random.Random, supporters: list[Person], demo_supporter: Person) -> None:
    """While the history was told every supporter was reachable (so matching did not depend on
    the hour the seed ran). Now the real week: office hours for most, and every hour of every
    day for the demo supporter and one colleague in another time zone, so that a request in
    the demo finds someone at any hour (two zones also cover each other's 23:59)."""
    zone = demo_supporter.time_zone
    second = next((p for p in supporters if p.pk != demo_supporter.pk
                   and p.time_zone != zone), None)
    for person in supporters:
        if person.pk == demo_supporter.pk or (second is not None and person.pk == second.pk):
            windows = ALWAYS
        else:
            start, end = rng.choice([("08:00", "16:00"), ("09:00", "17:00"), ("10:00", "18:00")])
            windows = [{"weekday": d, "start": start, "end": end} for d in range(5)]
        SupporterProfile.objects.filter(person=person).update(availability=windows)


def _this_weeks_digest_is_sent(now: datetime) -> None:
    """The weekly recognition digest covers the week before it: the demo starts as if this
    week's had gone out, so the worker does not e-mail everyone the moment the demo starts."""
    local = timezone.localtime(now)
    day = local.date() - timedelta(
        days=(local.weekday() - settings.HAVEN_RECOGNITION_DIGEST_WEEKDAY) % 7)
    RecognitionDigest.objects.get_or_create(week=day, defaults={"recipients": 0})
