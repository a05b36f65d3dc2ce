"""Attributes people may choose to share about themselves, and each person's own answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SharedAttribute(models.Model):
    """Something people may choose to share about themselves (e.g. caring responsibilities,
    working pattern) so that the inclusion insight can show whether recognition and pairings
    reach them. Administrators define it; sharing is always optional and can be withdrawn."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    question = models.CharField(_("question shown to people"), max_length=200)
    options = models.JSONField(_("answers to choose from"), default=list)  # list of str
    active = models.BooleanField(_("offered to people"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PersonAttribute(models.Model):
    """A person's own answer to a SharedAttribute. Only they see it; the insight shows it only
    through the k-anonymity helper. Deleting the row withdraws it."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="shared_attributes")
    attribute = models.ForeignKey(SharedAttribute, on_delete=models.CASCADE,
                                  related_name="answers")
    value = models.CharField(max_length=80)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "attribute"],
                                    name="one_answer_per_attribute"),
        ]

    def __str__(self) -> str:
        return f"Shared attribute {self.attribute_id} of {self.person_id}"
