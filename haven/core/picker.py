"""The people picker's server side: naming directory people in a form field by full name or
work e-mail (what a person types without scripts, and what the picker fills in), and the
search's rate limit. The search itself is a selector (selectors.people_for_picker)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.audit import hash_identifier
from haven.core.models import Person
from haven.core.ratelimit import count_hit

# Rate-limit bucket "people_search": the picker asks once per pause in typing (250 ms), so a
# fast typist naming several people stays well under 60 a minute; 120 leaves room for a second
# tab, and still makes reading the whole directory through the search slow.
SEARCH_LIMIT, SEARCH_WINDOW = 120, 60


def over_search_limit(*, person: Person) -> bool:
    """Count one picker search by PERSON; True once they pass SEARCH_LIMIT in the window."""
    key = "ratelimit:people_search:" + hash_identifier(str(person.pk))
    return count_hit(key, window=SEARCH_WINDOW) > SEARCH_LIMIT


def picker_attrs(*, many: bool = False, free: bool = False, me: bool = False,
                 **attrs: Any) -> dict[str, Any]:
    """Widget attributes that make picker.js turn a field into the people picker: one person
    (a text input) or MANY (a textarea holding one name or e-mail a line, shown as chips).
    FREE: a chip may be any text (a textarea read as free text, not resolved to people).
    The search leaves out the person typing unless ME (naming oneself rarely makes sense)."""
    return {"data-picker": "many" if many else "one", "autocomplete": "off",
            **({"data-picker-free": "1"} if free else {}),
            **({"data-picker-me": "1"} if me else {}), **attrs}


def find_person(text: str) -> Person:
    """The one active person TEXT names, by work e-mail or full name (any case). No match, or
    several people of that name, is an error that says what to do."""
    text = text.strip()
    people = Person.objects.filter(is_active=True)
    matches = list(people.filter(email__iexact=text)[:2] if "@" in text
                   else people.filter(name__iexact=text)[:2])
    if not matches and "@" in text:
        raise forms.ValidationError(_("Nobody in the directory has that e-mail."))
    if not matches:
        raise forms.ValidationError(_("Nobody in the directory is called “%(name)s”. Check "
                                      "the spelling, or use their work e-mail.")
                                    % {"name": text})
    if len(matches) > 1:
        raise forms.ValidationError(_("More than one person is called “%(name)s”: use "
                                      "their work e-mail instead.") % {"name": text})
    return matches[0]


def find_people(text: str) -> list[Person]:
    """Each line (or comma-separated part) of TEXT names one person, as find_person reads it;
    each person once, in the order given."""
    found: list[Person] = []
    for line in (part.strip() for part in text.replace(",", "\n").splitlines()):
        if line and (person := find_person(line)) not in found:
            found.append(person)
    return found


class PersonField(forms.CharField):
    """One directory person, typed as a full name or work e-mail or chosen with the picker;
    cleans to the Person, or None when left empty."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault("widget", forms.TextInput(attrs=picker_attrs()))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Person | None:
        text = super().clean(value)
        return find_person(text) if text else None
