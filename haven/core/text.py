"""The one rule for what text Haven accepts, and text made safe for a header.

Every free-text input (page forms, the API, live chat, the directory import, searches) refuses
a character that cannot be stored or should never be typed: NUL (PostgreSQL's text columns
refuse it), unpaired surrogates U+D800–U+DFFF (not encodable as UTF-8: the vault, the database
driver and the e-mail encoder would fail on them), Unicode non-characters (U+FDD0–U+FDEF and
U+xFFFE/U+xFFFF in every plane) and the other C0/C1 control characters. Multi-line text keeps
tab, CR and LF; a single-line field (a title, a name, a search) refuses those too, and the
Unicode line and paragraph separators, because a line break in a header-bound value (an
e-mail subject, a calendar field) would end the header.

The refusal names the character and where it is, never the text around it, so a message can
be logged or shown without repeating what someone wrote.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

_NON_CHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
# Tab, LF and CR are the only control characters multi-line text may hold.
_NEVER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff" + _NON_CHARACTERS + "]")
_NOT_IN_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
                              + _NON_CHARACTERS + "]")
_LINE_BREAKS = frozenset("\n\r\u2028\u2029")
# What multi-line text may hold and a single line may not.
LINE_BREAKS_AND_TAB = _LINE_BREAKS | {"\t"}


def describe(char: str) -> str:
    """CHAR named for a person, e.g. NUL (U+0000), a tab, the control character U+0085."""
    code = ord(char)
    if code == 0:
        return _("NUL (U+0000)")
    if char == "\t":
        return _("a tab")
    if char in _LINE_BREAKS:
        return _("a line break (U+%(code)04X)") % {"code": code}
    if 0xD800 <= code <= 0xDFFF:
        return _("an unpaired surrogate (U+%(code)04X)") % {"code": code}
    if unicodedata.category(char) == "Cc":
        return _("the control character U+%(code)04X") % {"code": code}
    return _("the non-character U+%(code)04X") % {"code": code}


def bad_character(text: str, *, multiline: bool = True) -> tuple[int, str] | None:
    """The first character TEXT may not hold, as (position counted from 1, the character),
    or None when the text is acceptable."""
    found = (_NEVER if multiline else _NOT_IN_ONE_LINE).search(text)
    return None if found is None else (found.start() + 1, found.group())


def refusal(text: str, *, multiline: bool = True) -> str | None:
    """Why TEXT is refused, in a sentence for the person who typed it; None if it is fine."""
    found = bad_character(text, multiline=multiline)
    if found is None:
        return None
    position, char = found
    what = {"what": describe(char), "position": position}
    if char in LINE_BREAKS_AND_TAB:
        return _("This must be a single line: it contains %(what)s at position "
                 "%(position)d.") % what
    return _("The text contains a character that cannot be stored: %(what)s at position "
             "%(position)d. Remove it and try again.") % what


def check_text(text: str, *, multiline: bool = True, field: str | None = None) -> None:
    """Raise ValidationError (code "bad_character", on FIELD when given) if TEXT holds a
    character that refusal() explains."""
    message = refusal(text, multiline=multiline)
    if message is not None:
        error = ValidationError(message, code="bad_character")
        raise ValidationError({field: error}) if field else error


@deconstructible
class TextValidator:
    """check_text as a Django field validator."""

    def __init__(self, *, multiline: bool = True) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if isinstance(value, str):
            check_text(value, multiline=self.multiline)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash(self.multiline)


class CheckedText:
    """Mixin of every Haven form: each text field (CharField and its kinds, e-mail and URL
    fields included) refuses what refusal() names, beside the field, and the form shows again
    with what was typed. Multi-line where the widget is a Textarea, or the field says
    `multiline = True` (say, a reply kept in a hidden input). Applied when the form is
    cleaned, so fields a form adds in its own __init__ are covered too."""

    fields: dict[str, forms.Field]

    def full_clean(self) -> None:
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not any(
                    isinstance(validator, TextValidator) for validator in field.validators):
                multiline = getattr(field, "multiline", isinstance(field.widget, forms.Textarea))
                # Django's own NUL check would say it a second time, in other words.
                field.validators = [
                    validator for validator in field.validators
                    if not isinstance(validator, ProhibitNullCharactersValidator)
                ] + [TextValidator(multiline=multiline)]
        super().full_clean()  # type: ignore[misc]


class CountedText:
    """Mixin of every Haven form: a text field with a limit shows "n / limit" while one types
    (`data-limit`, read by haven/static/haven/counter.js) instead of carrying a `maxlength`
    attribute, with which a browser cuts pasted text at the limit without a word. Past the
    limit the form is refused with how long the text is, and shows again with all of it."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if not isinstance(field, forms.CharField) or field.max_length is None or not (
                    isinstance(widget, forms.Textarea)
                    or getattr(widget, "input_type", "") == "text"):
                continue  # hidden ids, e-mail addresses, passwords: no counter
            field.widget.attrs.pop("maxlength", None)
            field.widget.attrs["data-limit"] = str(field.max_length)
            field.error_messages["max_length"] = _(
                "This is %(show_value)d characters long and the limit is %(limit_value)d: "
                "shorten it and send again. Nothing was sent; what you wrote is kept here.")


class HavenForm(CountedText, CheckedText, forms.Form):
    """The base of every form in Haven (a test checks that none is missed)."""


def max_length(model: type[models.Model], field: str) -> int:
    """The max_length of one of MODEL's text fields, for the services' own length messages."""
    declared = model._meta.get_field(field)
    # A programming error, not input: every field asked about here is a column with a length.
    assert isinstance(declared, models.Field) and declared.max_length is not None, \
        f"{model.__name__}.{field} has no max_length"
    return declared.max_length


_HEADER_UNSAFE = re.compile("(?:[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"
                            + _NON_CHARACTERS + "])+")


def without_unstorable(text: str) -> str:
    """TEXT without what refusal() names in multi-line text (lines and tabs stay): for text
    made from values stored before input was checked, on its way out (an e-mail body, a
    calendar description)."""
    return _NEVER.sub("", text)


def one_line(text: str) -> str:
    """TEXT for an e-mail header or a calendar property: every run of line breaks and other
    characters refusal() names becomes one space. For values stored before input was checked,
    and for text put together from several values; new input is refused instead."""
    return _HEADER_UNSAFE.sub(" ", text).strip()
