"""The programme's settings (topics, texts, targets, retention, the safety contact): one row,
read by every part of support and changed by coordinators."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from haven.core.models import Person
from haven.core.one_row import save_settings
from haven.support.models import ProgrammeSettings


def programme_settings() -> ProgrammeSettings:
    return ProgrammeSettings.load()

def update_programme_settings(*, actor: Person,
                              **fields: Any) -> ProgrammeSettings:
    allowed = {"topics", "confidentiality_text", "crisis_text", "crisis_by_location",
               "response_target_hours", "offer_minutes", "retention_days", "safety_contact"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Unknown settings: %(names)s") % {"names": ", ".join(unknown)})
    return save_settings(ProgrammeSettings, actor=actor, values=fields,
                         object_type="programme_settings")
