"""Practice records of the empathy coach: scores and risk flags per attempt, never the text a
supporter wrote (coordinators see progress, and nobody can see practice replies)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

MECHANISMS = ("emotional_reactions", "interpretations", "explorations")
# The flags that count against certification. Advice the colleague asked for is not a risk.
RISK_FLAGS = ("unsolicited_advice", "judgement", "minimising", "self_focus", "secrecy_promise")


class PracticeAttempt(models.Model):
    """One supporter's practice of one scenario. Each submitted revision overwrites the levels and
    flags, so they are always the final revision's; the first revision's score and whether it
    had a risk flag are kept to show improvement. Once the example reply has been shown
    (`finished_at`), the attempt takes no more revisions."""

    supporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="practice_attempts")
    scenario = models.SlugField(max_length=60)
    started_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    revisions = models.PositiveSmallIntegerField(default=1)  # drafts submitted, the first included
    first_score = models.PositiveSmallIntegerField()
    first_flagged = models.BooleanField()
    emotional_reactions = models.PositiveSmallIntegerField()
    interpretations = models.PositiveSmallIntegerField()
    explorations = models.PositiveSmallIntegerField()
    advice = models.BooleanField(default=False)
    unsolicited_advice = models.BooleanField(default=False)
    judgement = models.BooleanField(default=False)
    minimising = models.BooleanField(default=False)
    self_focus = models.BooleanField(default=False)
    secrecy_promise = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["supporter", "-started_at"],
                                name="practice_by_supporter")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(emotional_reactions__lte=2, interpretations__lte=2,
                                   explorations__lte=2),
                name="practice_levels_0_to_2"),
            models.CheckConstraint(condition=models.Q(first_score__lte=6),
                                   name="practice_first_score_0_to_6"),
            models.CheckConstraint(condition=models.Q(revisions__gte=1),
                                   name="practice_at_least_one_revision"),
        ]

    def __str__(self) -> str:
        return f"Practice {self.pk} of {self.scenario}"

    @property
    def times_revised(self) -> int:
        """Revisions after the first draft (`revisions` counts every draft submitted)."""
        return self.revisions - 1

    @property
    def score(self) -> int:
        """The empathy score, 0-6: the sum of the three mechanisms' levels (0-2 each)."""
        return self.emotional_reactions + self.interpretations + self.explorations

    @property
    def risks(self) -> list[str]:
        return [name for name in RISK_FLAGS if getattr(self, name)]

    @property
    def flagged(self) -> bool:
        return any(getattr(self, name) for name in RISK_FLAGS)
