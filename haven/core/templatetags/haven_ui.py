"""Initials avatars and the icon set:

    {% load haven_ui %}
    {% avatar person %} {{ person.name }}     a circle with the initials, hidden from screen readers
    {% avatar pseudonym %} {{ pseudonym }}    always pass the name shown, never one behind it
    {% icon "home" %}                         a symbol of haven/static/haven/icons.svg, decorative
"""

from __future__ import annotations

import hashlib
import unicodedata

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

AVATAR_COLOURS = 8  # .avatar--0 … .avatar--7 in haven.css, each >= 4.5:1 against white text


def _first_letter(word: str) -> str:
    """The first letter or digit of WORD with its combining marks, upper-cased where that
    keeps it one letter (German ß would become SS)."""
    for start, char in enumerate(word):
        if char.isalnum():
            end = start + 1
            while end < len(word) and unicodedata.combining(word[end]):
                end += 1
            letter = word[start:end]
            upper = letter.upper()
            return upper if len(upper) == len(letter) else letter
    return ""


def initials(name: str) -> str:
    """The first letters of the first and last words of NAME ("?" when it has none)."""
    letters = [letter for word in unicodedata.normalize("NFC", name).split()
               if (letter := _first_letter(word))]
    if not letters:
        return "?"
    return letters[0] if len(letters) == 1 else letters[0] + letters[-1]


def avatar_colour(name: str) -> int:
    """The same colour for the same name, in every process (unlike hash(), which is salted)."""
    digest = hashlib.sha256(unicodedata.normalize("NFC", name).encode()).digest()
    return digest[0] % AVATAR_COLOURS


@register.simple_tag
def avatar(person_or_name: object) -> SafeString:
    name = getattr(person_or_name, "name", person_or_name)
    name = "" if name is None else str(name)
    return format_html('<span class="avatar avatar--{}" aria-hidden="true">{}</span>',
                       avatar_colour(name), initials(name))


@register.simple_tag
def icon(name: str) -> SafeString:
    if not name:
        return SafeString("")
    return format_html('<svg class="icon" aria-hidden="true" focusable="false">'
                       '<use href="{}#{}"></use></svg>', static("haven/icons.svg"), name)
