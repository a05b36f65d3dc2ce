"""Initials avatars and the icon set:

    {% load haven_ui %}
    {% avatar person %} {{ person.name }}     a circle with the initials, hidden from screen readers
    {% avatar pseudonym %} {{ pseudonym }}    always pass the name shown, never one behind it
    {% icon "home" %}                         a symbol of haven/static/haven/icons.svg, decorative

The letters and colour come from haven.core.avatars, which the people picker's search uses too.
"""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

from haven.core.avatars import avatar_for

register = template.Library()


@register.simple_tag
def avatar(person_or_name: object) -> SafeString:
    name = getattr(person_or_name, "name", person_or_name)
    drawn = avatar_for("" if name is None else str(name))
    return format_html(
        '<span class="avatar avatar--{}" aria-hidden="true">{}</span>', drawn.colour, drawn.initials
    )


@register.simple_tag
def icon(name: str) -> SafeString:
    if not name:
        return SafeString("")
    return format_html(
        '<svg class="icon" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        static("haven/icons.svg"),
        name,
    )
