"""Initials avatars: the letters and the colour drawn for a name, computed here once for the
{% avatar %} tag (haven_ui) and the people picker's search (people_search), so a person's
circle looks the same on every page and in the picker's list."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass

AVATAR_COLOURS = 8  # .avatar--0 … .avatar--7 in haven.css, each >= 4.5:1 against white text


@dataclass(frozen=True)
class Avatar:
    initials: str
    colour: int  # N of the CSS class avatar--N


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
    letters = [
        letter
        for word in unicodedata.normalize("NFC", name).split()
        if (letter := _first_letter(word))
    ]
    if not letters:
        return "?"
    return letters[0] if len(letters) == 1 else letters[0] + letters[-1]


def avatar_colour(name: str) -> int:
    """The same colour for the same name, in every process (unlike hash(), which is salted)."""
    digest = hashlib.sha256(unicodedata.normalize("NFC", name).encode()).digest()
    return digest[0] % AVATAR_COLOURS


def avatar_for(name: str) -> Avatar:
    """The avatar of NAME: pass the name the viewer is shown (a pseudonym where one is used)."""
    return Avatar(initials=initials(name), colour=avatar_colour(name))
