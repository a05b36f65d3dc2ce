"""Writes for coffee pairings: taking part, blocking, running a round, "did you meet?", the
administrators' settings. Every function is keyword-only and runs in one transaction;
introductions (and word to anyone left out) go out by e-mail only after commit."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.coffee import pairing, skips
from haven.coffee.models import (
    COFFEE_EMAIL,
    FREQUENCY_DAYS,
    CoffeeAudit,
    CoffeeBlock,
    CoffeeGroup,
    CoffeeMembership,
    CoffeeProfile,
    CoffeeSettings,
    CoffeeSkip,
    Frequency,
    MeetingMode,
    PairingRound,
)
from haven.coffee.selectors import coffee_settings, schedule_slot, slot_has_run
from haven.coffee.starters import starters_for
from haven.coffee.tasks import introduce_groups, tell_unpaired
from haven.core.audit import audit
from haven.core.email_kinds import opted_out
from haven.core.models import Location, Person
from haven.core.one_row import save_settings
from haven.support import selectors as support_selectors

MEETING_MINUTES = 30
MEETING_DAY_OFFSET = 3  # the suggested meeting is three days after the round (Monday → Thursday)
IN_PERSON_HOUR = time(10, 30)
WORKING_HOURS = range(10, 16)  # a remote group's suggested start falls here for most members


# Taking part ----------------------------------------------------------------------------------

def save_profile(*, person: Person, active: bool, frequency: str, mode: str,
                 location: Location | None) -> CoffeeProfile:
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": _("Choose how often from the list.")})
    if mode not in MeetingMode.values:
        raise ValidationError({"mode": _("Choose in person or remote.")})
    if mode == MeetingMode.IN_PERSON:
        location = location or person.location
        if location is None:
            raise ValidationError({"location": _(
                "Choose where you would meet in person.")})
    else:
        location = None
    with transaction.atomic():
        profile, _created = CoffeeProfile.objects.select_for_update().get_or_create(
            person=person, defaults={"frequency": frequency, "mode": mode,
                                     "location": location, "active": active})
        profile.active, profile.frequency = active, frequency
        profile.mode, profile.location = mode, location
        profile.save()
    return profile


def block(*, person: Person, email: str) -> CoffeeBlock:
    """PERSON never meets whoever has EMAIL in a coffee group. Nobody is told."""
    blocked = Person.objects.filter(email=email.strip().lower()).first()
    if blocked is None:
        raise ValidationError({"email": _("Nobody in the directory has that e-mail.")})
    if blocked.pk == person.pk:
        raise ValidationError({"email": _("You cannot block yourself.")})
    try:
        with transaction.atomic():
            return CoffeeBlock.objects.create(blocker=person, blocked=blocked)
    except IntegrityError:  # already blocked: the wish is already kept
        return CoffeeBlock.objects.get(blocker=person, blocked=blocked)


def unblock(*, person: Person, block_id: int) -> bool:
    deleted, _detail = CoffeeBlock.objects.filter(pk=block_id, blocker=person).delete()
    return bool(deleted)


def answer_met(*, person: Person, group: CoffeeGroup, met: bool) -> CoffeeMembership:
    with transaction.atomic():
        membership = CoffeeMembership.objects.select_for_update().filter(
            group=group, person=person).first()
        if membership is None:
            raise ValidationError(_("You are not in this coffee group."))
        membership.met = met
        membership.answered_at = timezone.now()
        membership.save(update_fields=["met", "answered_at"])
    return membership


# Running a round ------------------------------------------------------------------------------

def due_profiles(now: datetime) -> list[CoffeeProfile]:
    """Active colleagues whose chosen interval has passed since their last group. Someone
    who turned coffee e-mails off is left out: their group would wait for a person who was
    never told about it."""
    profiles = (CoffeeProfile.objects.filter(active=True, person__is_active=True)
                .exclude(person__in=opted_out(COFFEE_EMAIL.key))
                .select_related("person", "person__team", "person__location", "location")
                .annotate(last_grouped=Max("person__coffee_memberships__group__created_at")))
    due: list[CoffeeProfile] = []
    for profile in profiles:
        days = FREQUENCY_DAYS[Frequency(profile.frequency)]
        if profile.last_grouped is None or profile.last_grouped <= now - timedelta(days=days):
            due.append(profile)
    return due


def recent_groups(rounds: int, *, before: PairingRound | None = None) -> list[list[list[int]]]:
    """The member ids of every group in the last ROUNDS rounds (before BEFORE), by round."""
    if rounds <= 0:
        return []
    earlier = PairingRound.objects.exclude(pk=before.pk) if before else PairingRound.objects
    round_ids = list(earlier.order_by("-started_at", "-id").values_list("pk", flat=True)[:rounds])
    groups: dict[int, dict[int, list[int]]] = {round_id: {} for round_id in round_ids}
    for round_id, group_id, person_id in (CoffeeMembership.objects
                                          .filter(group__round_id__in=round_ids)
                                          .values_list("group__round_id", "group_id",
                                                       "person_id")):
        groups[round_id].setdefault(group_id, []).append(person_id)
    return [list(by_group.values()) for by_group in groups.values()]


def forbidden_pairs(people: Iterable[int], *, before: PairingRound | None = None
                    ) -> frozenset[pairing.Pair]:
    """Recent pairs, blocks either way, and every requester with their person of concern."""
    ids = set(people)
    blocks = CoffeeBlock.objects.filter(blocker_id__in=ids, blocked_id__in=ids).values_list(
        "blocker_id", "blocked_id")
    concerns = support_selectors.concern_pairs(ids)
    return pairing.forbidden_pairs(
        recent_rounds=recent_groups(coffee_settings().no_repeat_rounds, before=before),
        blocks=list(blocks), concerns=list(concerns))


def participant_of(profile: CoffeeProfile) -> pairing.Participant:
    person = profile.person
    remote = profile.mode == MeetingMode.REMOTE
    return pairing.Participant(
        id=person.pk, team=person.team_id, department=person.department_id,
        # In person: where they meet. Remote: where they work, so that locations mix.
        location=person.location_id if remote else profile.location_id,
        level=person.job_level,
        mode=pairing.REMOTE if remote else pairing.IN_PERSON)


def run_round(*, run_by: Person | None = None, now: datetime | None = None,
              scheduled_for: date | None = None, submission_id: str | None = None,
              seed: int | None = None) -> PairingRound:
    """Pair everyone who is due, store the groups, and introduce each group after commit.
    A coordinator's form sent twice (same submission id), or the schedule's round for a date
    run by two workers, makes one round."""
    now = now or timezone.now()
    submission = uuid.UUID(str(submission_id)) if submission_id else None
    existing = PairingRound.objects.filter(
        submission_id=submission).first() if submission else (
        PairingRound.objects.filter(scheduled_for=scheduled_for).first() if scheduled_for
        else None)
    if existing is not None:
        return existing
    seed = seed if seed is not None else secrets.randbits(62)
    try:
        with transaction.atomic():
            pairing_round = PairingRound.objects.create(
                started_at=now, run_by=run_by, scheduled_for=scheduled_for,
                submission_id=submission, seed=seed)
            profiles = due_profiles(now)
            by_person = {profile.person_id: profile for profile in profiles}
            plan = pairing.plan_round([participant_of(profile) for profile in profiles],
                                      forbidden=forbidden_pairs(by_person,
                                                                before=pairing_round),
                                      seed=seed)
            groups = _store_groups(pairing_round, plan, by_person, now)
            to_tell = _store_skips(pairing_round, plan, by_person)
            pairing_round.participants = len(profiles)
            pairing_round.groups_made = len(plan.groups)
            pairing_round.unpaired = len(plan.unpaired)
            pairing_round.total_weight = plan.weight
            pairing_round.save(update_fields=["participants", "groups_made", "unpaired",
                                              "total_weight"])
            audit(action=CoffeeAudit.COFFEE_ROUND_RUN, actor=run_by, object_type="coffee_round",
                  object_id=pairing_round.pk,
                  detail={"participants": len(profiles), "groups": len(plan.groups)})
            group_ids = [group.pk for group in groups]
            if group_ids:
                transaction.on_commit(lambda: introduce_groups.enqueue(group_ids))
            if to_tell:
                transaction.on_commit(lambda: tell_unpaired.enqueue(to_tell))
    except IntegrityError:  # the same round started at the same moment elsewhere
        again = PairingRound.objects.filter(submission_id=submission).first() if submission \
            else PairingRound.objects.filter(scheduled_for=scheduled_for).first()
        if again is None:
            raise
        return again
    return pairing_round


def _store_groups(pairing_round: PairingRound, plan: pairing.RoundPlan,
                  by_person: dict[int, CoffeeProfile], now: datetime) -> list[CoffeeGroup]:
    groups = []
    for member_ids in plan.groups:
        profiles = [by_person[member] for member in member_ids]
        first = profiles[0]
        meet_at, zone = suggest_meeting(
            day=(now + timedelta(days=MEETING_DAY_OFFSET)).date(), mode=first.mode,
            zones=[_zone_of(profile) for profile in profiles])
        groups.append(CoffeeGroup(
            round=pairing_round, mode=first.mode,
            location=first.location if first.mode == MeetingMode.IN_PERSON else None,
            meet_at=meet_at, time_zone=zone, created_at=now))
    CoffeeGroup.objects.bulk_create(groups)
    memberships: list[CoffeeMembership] = []
    for group, member_ids in zip(groups, plan.groups, strict=True):
        group.starters = starters_for(group.pk)
        memberships.extend(CoffeeMembership(group=group, person_id=member)
                           for member in member_ids)
    CoffeeGroup.objects.bulk_update(groups, ["starters"])
    CoffeeMembership.objects.bulk_create(memberships)
    return groups


def _store_skips(pairing_round: PairingRound, plan: pairing.RoundPlan,
                 by_person: dict[int, CoffeeProfile]) -> list[int]:
    """A CoffeeSkip for everyone left out, with why. Returns the skips to tell by e-mail:
    not someone left out again for the same reason with no group since (the page still says
    it; a weekly e-mail repeating it would only nag)."""
    if not plan.unpaired:
        return []
    previous: dict[int, CoffeeSkip] = {}
    for earlier in (CoffeeSkip.objects.filter(person_id__in=plan.unpaired)
                    .exclude(round=pairing_round).select_related("round")
                    .order_by("round__started_at", "round_id")):
        previous[earlier.person_id] = earlier  # the latest one wins
    created = CoffeeSkip.objects.bulk_create(
        CoffeeSkip(round=pairing_round, person_id=person_id,
                   reason=skips.skip_reason(plan_reason, by_person[person_id].mode))
        for person_id, plan_reason in plan.unpaired.items())
    to_tell = []
    for skip in created:
        last = previous.get(skip.person_id)
        last_grouped = getattr(by_person[skip.person_id], "last_grouped", None)
        repeated = (last is not None and last.reason == skip.reason
                    and (last_grouped is None or last_grouped < last.round.started_at))
        if not repeated:
            to_tell.append(skip.pk)
    return to_tell


def _zone_of(profile: CoffeeProfile) -> str:
    location = profile.location if profile.mode == MeetingMode.IN_PERSON else \
        profile.person.location
    return location.time_zone if location else settings.TIME_ZONE


def suggest_meeting(*, day: date, mode: str, zones: list[str]) -> tuple[datetime, str]:
    """A time to put in the invitation: 10:30 where an in-person group meets; for a remote
    group, the earliest whole hour (UTC) that falls in working hours for most members."""
    if mode == MeetingMode.IN_PERSON:
        zone = zones[0]
        local = datetime.combine(day, IN_PERSON_HOUR, tzinfo=ZoneInfo(zone))
        return local.astimezone(ZoneInfo("UTC")), zone
    best: tuple[int, datetime] | None = None
    for hour in range(24):
        start = datetime.combine(day, time(hour), tzinfo=ZoneInfo("UTC"))
        fits = sum(1 for zone in zones if start.astimezone(ZoneInfo(zone)).hour in WORKING_HOURS)
        if best is None or fits > best[0]:
            best = (fits, start)
    assert best is not None
    return best[1], "UTC"


# The schedule ---------------------------------------------------------------------------------

def scheduled_date(now: datetime, current: CoffeeSettings | None = None) -> date | None:
    """This week's scheduled round date, once its hour has come (organisation time); else
    None. A week whose hour passed with no round (the worker was down, or the schedule was
    just turned on) still runs it, later that week."""
    day, starts = schedule_slot(now, current or coffee_settings())
    return day if now >= starts else None


def run_due_round(*, now: datetime | None = None) -> int:
    """The periodic job: run this week's round once, if the schedule is on, its time has come
    and anyone takes part. Returns the number of groups made."""
    now = now or timezone.now()
    current = coffee_settings()
    if not current.schedule_enabled:
        return 0
    day = scheduled_date(now, current)
    if day is None or slot_has_run(day):
        return 0
    if not CoffeeProfile.objects.filter(active=True, person__is_active=True).exists():
        return 0
    return run_round(now=now, scheduled_for=day).groups_made


# The administrators' settings -----------------------------------------------------------------

SETTING_LIMITS = {"weekday": 6, "hour": 23, "no_repeat_rounds": 52}


def update_coffee_settings(*, actor: Person, schedule_enabled: bool, weekday: int, hour: int,
                           no_repeat_rounds: int) -> CoffeeSettings:
    """Save the schedule and the no-repeat window; audited with the names of what changed."""
    values = {"weekday": weekday, "hour": hour, "no_repeat_rounds": no_repeat_rounds}
    messages = {"weekday": _("Choose a day of the week from the list."),
                "hour": _("Choose an hour from 0 to 23."),
                "no_repeat_rounds": _("Enter a whole number of rounds from 0 to 52.")}
    errors = {name: messages[name] for name, value in values.items()
              if isinstance(value, bool) or not isinstance(value, int)
              or not 0 <= value <= SETTING_LIMITS[name]}
    if errors:
        raise ValidationError(errors)
    # Part of the programme's settings: the same audit action, told apart by the object type.
    return save_settings(CoffeeSettings, actor=actor, object_type="coffee_settings",
                         values={"schedule_enabled": bool(schedule_enabled), **values})
