"""Languages by name in templates: {{ person.languages|language_names }}."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from haven.core.languages import language_name

register = template.Library()


@register.filter(name="language_names")
def language_names(codes: Iterable[str] | None) -> str:
    """Stored language codes as names, separated by commas ("English, French (français)")."""
    return ", ".join(language_name(code) for code in codes or ())


@register.filter(name="language_name")
def language_name_filter(code: str) -> str:
    return language_name(code)
