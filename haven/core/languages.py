"""Languages by name: the choices a person picks from (every language Django names), and the
name shown for a stored code. Codes are stored as clean_languages writes them (en, pt-BR);
the API takes and gives codes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext


def _stored(code: str) -> str:
    """CODE as services.clean_languages stores it: pt-br becomes pt-BR."""
    primary, _sep, region = code.partition("-")
    return primary.lower() + (f"-{region.upper()}" if region else "")


def language_name(code: str) -> str:
    """The language's name in the viewer's language, with its own name when that differs,
    e.g. "French (français)"; a code Django does not know is shown as it is."""
    info = LANG_INFO.get(code.lower())
    if not info or "name" not in info:
        return code
    name, own = gettext(info["name"]), info["name_local"]
    return name if name.casefold() == own.casefold() else f"{name} ({own})"


def language_choices(keep: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(stored code, name) for every language Django names, sorted by the name shown, plus
    each code in KEEP that is not among them (stored earlier), so that saving never drops it."""
    choices = {_stored(code): language_name(code)
               for code, info in LANG_INFO.items() if "name" in info}
    for code in keep:
        choices.setdefault(code, code)
    return sorted(choices.items(), key=lambda choice: choice[1].casefold())


def in_stored_order(chosen: Iterable[str], stored: list[str]) -> list[str]:
    """CHOSEN codes with those already STORED first, in their stored order (the first
    language is the one a new support request starts in), then the others as chosen."""
    chosen = list(chosen)
    return ([code for code in stored if code in chosen]
            + [code for code in chosen if code not in stored])


class LanguagesField(forms.MultipleChoiceField):
    """Languages ticked by name from language_choices(); cleans to stored codes, those already
    stored first in their order. A form calls keep() with the codes stored now."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=language_choices, **kwargs)
        self.stored: list[str] = []

    def keep(self, stored: Iterable[str]) -> None:
        self.stored = list(stored)
        self.choices = language_choices(keep=self.stored)

    def clean(self, value: Any) -> list[str]:
        return in_stored_order(super().clean(value), self.stored)
