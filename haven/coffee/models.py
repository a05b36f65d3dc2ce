"""Coffee pairings: who takes part and how, whom they never want to meet, the rounds, and the
groups each round made. The algorithm itself is haven.coffee.pairing (pure functions)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.email_kinds import EmailKind
from haven.core.models import Location
from haven.core.one_row import OneRowSettings


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Every four weeks")


# Days since someone's last group after which a round includes them again. A day short of the
# full interval, so that a weekly round running a little earlier than last week still counts.
FREQUENCY_DAYS = {Frequency.WEEKLY: 6, Frequency.FORTNIGHTLY: 13, Frequency.MONTHLY: 27}


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    REMOTE = "remote", _("Remote (video call)")


class CoffeeProfile(models.Model):
    """A colleague's choice to take part in coffee pairings, and how."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="coffee_profile")
    active = models.BooleanField(_("take part in coffee pairings"), default=True)
    frequency = models.CharField(_("how often"), max_length=12, choices=Frequency.choices,
                                 default=Frequency.FORTNIGHTLY)
    mode = models.CharField(_("how to meet"), max_length=12, choices=MeetingMode.choices,
                            default=MeetingMode.REMOTE)
    # Where to meet in person; unused for remote meetings.
    location = models.ForeignKey(Location, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    joined_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(mode="in_person", location__isnull=True),
                name="coffee_in_person_needs_location"),
        ]

    def __str__(self) -> str:
        return f"Coffee profile of {self.person_id}"


class CoffeeBlock(models.Model):
    """BLOCKER never meets BLOCKED in a coffee group. Nobody is told, the blocked least."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="coffee_blocks")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="one_coffee_block"),
            models.CheckConstraint(condition=~models.Q(blocker=models.F("blocked")),
                                   name="coffee_block_not_self"),
        ]

    def __str__(self) -> str:
        return f"Coffee block {self.pk}"


class PairingRound(models.Model):
    """One run of the pairing algorithm, by a coordinator or by the schedule."""

    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")  # None: the schedule
    # The schedule's rounds are unique per date, so two workers cannot both run one.
    scheduled_for = models.DateField(null=True, blank=True, unique=True)
    # A coordinator's confirmation form carries this; sending it twice runs one round.
    submission_id = models.UUIDField(null=True, blank=True, unique=True)
    seed = models.BigIntegerField()
    participants = models.PositiveIntegerField(default=0)
    groups_made = models.PositiveIntegerField(default=0)
    unpaired = models.PositiveIntegerField(default=0)
    total_weight = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Pairing round {self.pk}"


class CoffeeGroup(models.Model):
    """Two or three colleagues introduced to each other in one round."""

    round = models.ForeignKey(PairingRound, on_delete=models.CASCADE, related_name="groups")
    mode = models.CharField(max_length=12, choices=MeetingMode.choices)
    location = models.ForeignKey(Location, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    # A suggestion for the calendar invitation; the group may of course pick another time.
    meet_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="UTC")
    calendar_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    starters = models.JSONField(default=list)  # indexes into haven.coffee.starters.STARTERS
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Coffee group {self.pk}"


class CoffeeMembership(models.Model):
    group = models.ForeignKey(CoffeeGroup, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="coffee_memberships")
    met = models.BooleanField(null=True, blank=True)  # "did you meet?": None until answered
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["group", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="one_membership_per_group"),
        ]

    def __str__(self) -> str:
        return f"Member {self.person_id} of coffee group {self.group_id}"

class CoffeeSkip(models.Model):
    """Someone who was due in a round but got no group, and why (shown to them in the app)."""

    round = models.ForeignKey(PairingRound, on_delete=models.CASCADE, related_name="skips")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="coffee_skips")
    reason = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="one_skip_per_round"),
        ]

    def __str__(self) -> str:
        return f"Coffee skip of {self.person_id} in round {self.round_id}"


class CoffeeSettings(OneRowSettings):
    """One row: when the schedule runs coffee rounds and how far back pairs never repeat.
    Edited by administrators in Haven's pages; the first row takes the HAVEN_COFFEE_*
    environment variables as its defaults."""

    schedule_enabled = models.BooleanField(_("run a round every week"), default=True)
    weekday = models.PositiveSmallIntegerField(_("day of the week"), default=0)  # 0 Monday
    hour = models.PositiveSmallIntegerField(_("from this hour (organisation time)"), default=9)
    no_repeat_rounds = models.PositiveSmallIntegerField(
        _("never repeat a pair from this many recent rounds"), default=6)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("coffee settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="coffee_weekday_0_6"),
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="coffee_hour_0_23"),
            models.CheckConstraint(condition=models.Q(no_repeat_rounds__lte=52),
                                   name="coffee_no_repeat_at_most_52"),
        ]

    def __str__(self) -> str:
        return "Coffee settings"

    @classmethod
    def first_values(cls) -> dict[str, object]:
        # A deployment keeps the schedule it had before administrators could edit it.
        def within(value: int, highest: int) -> int:
            return min(max(int(value), 0), highest)

        return {"schedule_enabled": True,
                "weekday": within(settings.HAVEN_COFFEE_WEEKDAY, 6),
                "hour": within(settings.HAVEN_COFFEE_HOUR, 23),
                "no_repeat_rounds": within(settings.HAVEN_COFFEE_NO_REPEAT_ROUNDS, 52)}


COFFEE_EMAIL = EmailKind(
    key="coffee", label=_("Coffee pairings"),
    description=_("After each round you are in: your group's introduction with a suggested time "
                  "and a calendar invitation, or why no group was found. Turning this off "
                  "also leaves you out of rounds, since a group would wait for someone who "
                  "was never told."))


class CoffeeAudit(models.TextChoices):
    """The audit actions this app records (registered in its AppConfig.ready())."""

    COFFEE_ROUND_RUN = "coffee_round_run", _("Coffee round run")
