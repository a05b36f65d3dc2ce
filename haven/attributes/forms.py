"""Forms for the attributes people may choose to share: administrators' definitions, and each
colleague's own answers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.attributes.models import SharedAttribute
from haven.attributes.services import MAX_OPTIONS, NAME_MAX, OPTION_MAX, QUESTION_MAX, field_name
from haven.core.idempotency import OnceForm
from haven.core.text import HavenForm

# Generous bounds on what is read at all; the service gives the precise messages.
OPTIONS_TEXT_MAX = MAX_OPTIONS * (OPTION_MAX + 2) * 2


class AttributeForm(OnceForm):
    name = forms.CharField(
        label=_("Name"), max_length=NAME_MAX,
        help_text=_("The heading of its table in the inclusion insight, e.g. “Working pattern”."))
    question = forms.CharField(
        label=_("Question people see"), max_length=QUESTION_MAX,
        help_text=_("Plain and neutral, e.g. “Do you have caring responsibilities outside "
                    "work?”"))
    options = forms.CharField(
        label=_("Answers to choose from, one a line"), max_length=OPTIONS_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("2 to 20 answers of up to 80 characters. “Prefer not to say” is always "
                    "offered as well; choosing it stores nothing."))

    def option_lines(self) -> list[str]:
        return self.cleaned_data["options"].splitlines()


class EditAttributeForm(AttributeForm):
    token_field = None  # an edit, not a create: it has no one-time token
    withdraw_removed = forms.BooleanField(
        label=_("If I removed or reworded an answer, withdraw it from anyone who chose it"),
        required=False,
        help_text=_("They keep their other answers and can choose again from the answers left."))

    @classmethod
    def for_attribute(cls, attribute: SharedAttribute) -> EditAttributeForm:
        return cls(initial={"name": attribute.name, "question": attribute.question,
                            "options": "\n".join(attribute.options)})


class AttributeActiveForm(HavenForm):
    active = forms.TypedChoiceField(coerce=lambda value: value == "yes",
                                    choices=[("yes", "yes"), ("no", "no")])


class AnswersForm(HavenForm):
    """One optional question per attribute on offer; "Prefer not to say" (empty) stores
    nothing."""

    def __init__(self, *args: Any, attributes: list[SharedAttribute], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attributes = attributes
        for attribute in attributes:
            self.fields[field_name(attribute.pk)] = forms.ChoiceField(
                label=attribute.question, required=False, widget=forms.RadioSelect,
                choices=[("", _("Prefer not to say")),
                         *((option, option) for option in attribute.options)],
                error_messages={"invalid_choice": _(
                    "That answer is no longer offered; choose one from the list.")})

    def answers(self) -> dict[int, str | None]:
        return {attribute.pk: self.cleaned_data[field_name(attribute.pk)] or None
                for attribute in self.attributes}


class WithdrawForm(HavenForm):
    attribute = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    everything = forms.BooleanField(label=_("Yes, withdraw all my answers"), required=False)
