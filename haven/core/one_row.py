"""Settings that administrators edit in Haven's own pages, one table each with exactly one
row: created on first use from the environment's first values, then what the row says counts."""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.db import models, transaction

from haven.core.audit import audit
from haven.core.models import AuditAction, Person


class OneRowSettings(models.Model):
    class Meta:
        abstract = True

    @classmethod
    def first_values(cls) -> dict[str, Any]:
        """The values the row starts with (e.g. from HAVEN_* variables); the fields' own
        defaults otherwise."""
        return {}

    @classmethod
    def load(cls) -> Self:
        return cls._default_manager.get_or_create(pk=1, defaults=cls.first_values())[0]


Row = TypeVar("Row", bound=OneRowSettings)


def save_settings(row_type: type[Row], *, actor: Person, values: dict[str, Any],
                  object_type: str) -> Row:
    """Set VALUES on the row, validated by its fields, in one transaction; audited with the
    names of what changed (never the values). Nothing changed, nothing written."""
    with transaction.atomic():
        row_type.load()
        current = row_type._default_manager.select_for_update().get(pk=1)
        changed = sorted(name for name, value in values.items()
                         if getattr(current, name) != value)
        if not changed:
            return current
        for name in changed:
            setattr(current, name, values[name])
        current.full_clean()
        current.save()
        audit(action=AuditAction.PROGRAMME_SETTINGS_CHANGED, actor=actor,
              object_type=object_type, object_id=current.pk,
              detail={"fields": ",".join(changed)[:64]})
    return current
