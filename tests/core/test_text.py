"""The one rule for text (haven.core.text): what it refuses and how it says so, the form
mixin every page form uses, and text made safe for e-mail headers and calendar fields."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

import haven
from haven.core.text import (
    CheckedText,
    HavenForm,
    bad_character,
    check_text,
    one_line,
    refusal,
)

HAVEN = Path(haven.__file__).parent


@pytest.mark.parametrize(("text", "expected"), [
    ("a\x00b", (2, "\x00")),
    ("\ud800", (1, "\ud800")),
    ("ok \udfff", (4, "\udfff")),
    ("\ufffe", (1, "\ufffe")),
    ("x\uffff", (2, "\uffff")),
    ("\ufdd0", (1, "\ufdd0")),
    ("\ufdef", (1, "\ufdef")),
    ("\U0001fffe", (1, "\U0001fffe")),
    ("\U0010ffff", (1, "\U0010ffff")),
    ("bell\x07", (5, "\x07")),
    ("\x1b[31m", (1, "\x1b")),
    ("\x7f", (1, "\x7f")),
    ("\x85", (1, "\x85")),
    ("\x9f", (1, "\x9f")),
    ("\x0b", (1, "\x0b")),
])
def test_it_finds_characters_that_cannot_be_stored(text: str,
                                                   expected: tuple[int, str]) -> None:
    assert bad_character(text) == expected
    assert bad_character(text, multiline=False) == expected


@pytest.mark.parametrize("text", [
    "", "plain", "two\nlines", "windows\r\nlines", "a\ttab", "Zoë, Ørjan, 李雷, José",
    "emoji 🙂 and flags 🇳🇴", "\u00a0non-breaking", "\u200dzero width joiner", "\ufeffbom",
    "\ufdcf just before the non-characters", "\ufdf0 just after", "\ufffd replacement",
    "\U0001fffd", "\ue000 private use", "\u2028 line separator",
])
def test_it_accepts_ordinary_text_on_several_lines(text: str) -> None:
    assert bad_character(text) is None
    assert refusal(text) is None
    check_text(text)


@pytest.mark.parametrize("text", ["a\nb", "a\rb", "a\tb", "a\u2028b", "a\u2029b"])
def test_a_single_line_refuses_line_breaks_and_tabs(text: str) -> None:
    assert bad_character(text, multiline=False) == (2, text[1])
    assert refusal(text, multiline=False).startswith("This must be a single line: it contains")


def test_the_refusal_names_the_character_and_where_and_never_the_text() -> None:
    assert refusal("secret\x00plan") == (
        "The text contains a character that cannot be stored: NUL (U+0000) at position 7. "
        "Remove it and try again.")
    assert refusal("my \ud800 secret") == (
        "The text contains a character that cannot be stored: an unpaired surrogate (U+D800) "
        "at position 4. Remove it and try again.")
    assert refusal("Quiz\r\nBcc: x", multiline=False) == (
        "This must be a single line: it contains a line break (U+000D) at position 5.")
    assert "secret" not in refusal("secret\ufffe") and "U+FFFE" in refusal("secret\ufffe")


def test_check_text_raises_a_validation_error_on_the_field() -> None:
    with pytest.raises(ValidationError) as refused:
        check_text("a\x00", field="title")

    assert refused.value.message_dict == {"title": [refusal("a\x00")]}
    assert refused.value.error_dict["title"][0].code == "bad_character"


@given(st.text(st.characters(codec=None)))
def test_a_refused_text_is_refused_where_its_bad_character_is(text: str) -> None:
    found = bad_character(text)
    if found is None:
        text.encode("utf-8")  # whatever passes can be stored and sealed
        assert "\x00" not in text
    else:
        position, char = found
        assert text[position - 1] == char
        assert bad_character(text[:position - 1]) is None


@given(st.text(st.characters(codec=None)))
def test_one_line_makes_anything_fit_for_a_header(text: str) -> None:
    line = one_line(text)

    assert bad_character(line, multiline=False) is None
    assert line == line.strip()


def test_one_line_keeps_the_words_and_joins_the_lines() -> None:
    assert one_line("Quiz night\r\nBcc: everyone@example.org") == (
        "Quiz night Bcc: everyone@example.org")
    assert one_line("  Choir\n") == "Choir"
    assert one_line("Tea\x00\ud800\ufffe party") == "Tea  party"


# The form mixin ------------------------------------------------------------------------------

class _Sample(HavenForm):
    title = forms.CharField(max_length=20)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    email = forms.EmailField(required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["added_later"] = forms.CharField(required=False)


@pytest.mark.parametrize(("field", "value", "refused"), [
    ("title", "Choir\r\nBcc: x", True),
    ("title", "Choir\tpractice", True),
    ("title", "Choir\x00", True),
    ("title", "Choir \ufffe", True),
    ("title", "Choir", False),
    ("notes", "line one\r\nline two\tand a tab", False),
    ("notes", "line one\x00", True),
    ("notes", "a\x85b", True),
    ("email", "kai\x00@example.org", True),
    ("added_later", "a\x07b", True),
])
def test_every_text_field_of_a_form_refuses_bad_characters(field: str, value: str,
                                                           refused: bool) -> None:
    form = _Sample({"title": "Choir", field: value})

    assert form.is_valid() is not refused
    if refused:
        message = refusal(value.strip(), multiline=field == "notes")
        assert message in form.errors[field]
        # One message for NUL, not Django's own beside it.
        assert "Null characters are not allowed." not in form.errors[field]
        assert form[field].value() == value  # shown again as typed


def test_a_field_may_declare_itself_multi_line() -> None:
    class Hidden(HavenForm):
        reply = forms.CharField(widget=forms.HiddenInput)
        reply.multiline = True  # type: ignore[attr-defined]

    assert Hidden({"reply": "two\nlines"}).is_valid()
    assert not Hidden({"reply": "two\x00lines"}).is_valid()


def _form_modules() -> list[str]:
    found = []
    for path in HAVEN.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.ClassDef) and any(
                ast.unparse(base).endswith("Form") for base in node.bases)
               for node in ast.walk(tree)):
            module = ".".join(path.relative_to(HAVEN.parent).with_suffix("").parts)
            found.append(module)
    return sorted(found)


def test_every_form_in_haven_checks_its_text() -> None:
    modules = _form_modules()
    assert "haven.core.forms" in modules and "haven.support.forms" in modules
    missing = []
    for name in modules:
        module = importlib.import_module(name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if (issubclass(cls, forms.BaseForm) and cls.__module__ == name
                    and not issubclass(cls, CheckedText)):
                missing.append(f"{name}.{cls.__name__}")
    assert not missing, f"forms that do not check their text (use HavenForm): {missing}"
