"""Which actions the audit log knows: each app registers its own (a TextChoices of its audit
actions) from its AppConfig.ready(), so core knows none of theirs and a new action needs no
migration — the column stores the value; the registry gives it a label."""

from __future__ import annotations

from django.db import models

_actions: dict[str, str] = {}


def register_audit_actions(choices: type[models.TextChoices]) -> None:
    for value, label in choices.choices:
        known = _actions.get(value)
        if known is not None and str(known) != str(label):
            raise ValueError(f"Audit action {value!r} is registered twice with two meanings.")
        _actions[value] = label


def is_audit_action(value: str) -> bool:
    return value in _actions


def audit_action_choices() -> list[tuple[str, str]]:
    """(value, label) of every registered action, by label."""
    return sorted(_actions.items(), key=lambda item: str(item[1]))


def audit_action_label(value: str) -> str:
    return str(_actions.get(value, value))
