"""The programme's settings (topics, texts, targets, retention, the safety contact): one row,
read by every part of support and changed by coordinators."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from haven.core.audit import audit
from haven.core.models import AuditAction, Person
from haven.support.models import ProgrammeSettings


def programme_settings() -> ProgrammeSettings:
    return ProgrammeSettings.objects.get_or_create(pk=1)[0]

def update_programme_settings(*, actor: Person,
                              **fields: Any) -> ProgrammeSettings:
    allowed = {"topics", "confidentiality_text", "crisis_text", "crisis_by_location",
               "response_target_hours", "offer_minutes", "retention_days", "safety_contact"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Unknown settings: %(names)s") % {"names": ", ".join(unknown)})
    with transaction.atomic():
        current = ProgrammeSettings.objects.select_for_update().get_or_create(pk=1)[0]
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean()
        current.save()
        audit(action=AuditAction.PROGRAMME_SETTINGS_CHANGED, actor=actor,
              object_type="programme_settings", object_id=1,
              detail={"fields": ",".join(sorted(fields))[:64]})
    return current
