"""Forms of the journal. The services check meaning (dates, lengths, files); these parse what
was typed and give every control a label."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.idempotency import OnceForm
from haven.core.models import Person
from haven.core.picker import find_people, picker_attrs
from haven.core.text import HavenForm
from haven.speakup.journal import services
from haven.speakup.journal.attachments import MAX_PER_ENTRY, max_bytes

NAMES_MAX = 2_000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one control; each is checked by the service (attachments.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={
            "accept": "image/png,image/jpeg,image/webp,image/gif,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data
                    if item]
        return [super().clean(data, initial)] if data else []


class EntryForm(OnceForm):
    occurred_on = forms.DateField(label=_("When did it happen?"),
                                  widget=forms.DateInput(attrs={"type": "date"},
                                                         format="%Y-%m-%d"),
                                  error_messages={"required": _("Give the date it happened "
                                                                "(your best guess is fine).")})
    occurred_time = forms.TimeField(label=_("At what time? (optional)"), required=False,
                                    widget=forms.TimeInput(attrs={"type": "time"},
                                                           format="%H:%M"))
    what = forms.CharField(label=_("What happened?"), widget=forms.Textarea(attrs={"rows": 6}),
                           max_length=services.WHAT_MAX,
                           help_text=_("What was said or done, in as much detail as you "
                                       "remember. Exact words help."),
                           error_messages={"required": _("Say what happened, even briefly.")})
    where = forms.CharField(label=_("Where? (optional)"), required=False,
                            max_length=services.WHERE_MAX)
    people = forms.CharField(
        label=_("Who was involved, from the directory (optional)"), required=False,
        max_length=NAMES_MAX, widget=forms.Textarea(attrs=picker_attrs(many=True, rows=2)),
        help_text=_("One person per line: their full name or work e-mail. Nobody is told."))
    others = forms.CharField(label=_("Who was involved, in your words (optional)"),
                             required=False, max_length=services.OTHERS_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("People outside the directory, or a description."))
    witnesses = forms.CharField(
        label=_("Witnesses (optional)"), required=False, max_length=services.WITNESSES_MAX,
        widget=forms.Textarea(attrs=picker_attrs(many=True, free=True, rows=2)),
        help_text=_("One a line: someone from the directory, or anyone in your words."))
    impact = forms.CharField(label=_("How did it affect you? (optional)"), required=False,
                             max_length=services.IMPACT_MAX,
                             widget=forms.Textarea(attrs={"rows": 4}))
    new_files = MultipleFileField(
        label=_("Attachments (optional)"), required=False,
        help_text=_("Screenshots, photos or PDFs: PNG, JPEG, WebP, GIF or PDF, up to "
                    "%(size)d MB each and %(most)d per entry.")
        % {"size": max_bytes() // (1024 * 1024), "most": MAX_PER_ENTRY})

    def clean_people(self) -> list[Person]:
        return find_people(self.cleaned_data.get("people") or "")

    def entry_input(self) -> services.EntryInput:
        data = self.cleaned_data
        return services.EntryInput(
            occurred_on=data["occurred_on"], occurred_time=data.get("occurred_time"),
            what=data["what"], where=data.get("where", ""), people=data.get("people", []),
            others=data.get("others", ""), witnesses=data.get("witnesses", ""),
            impact=data.get("impact", ""))


class EditEntryForm(EntryForm):
    token_field = None  # an edit, not a create: it has no one-time token
    keep = forms.MultipleChoiceField(label=_("Keep these attachments"), required=False,
                                     widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, attachments: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = self.fields["keep"]
        assert isinstance(keep, forms.MultipleChoiceField)
        keep.choices = [(meta["id"], meta["name"]) for meta in attachments]
        if not attachments:
            del self.fields["keep"]


class ConfirmForm(HavenForm):
    confirm = forms.BooleanField(label=_("Yes, I understand this cannot be undone"),
                                 error_messages={"required": _(
                                     "Tick the box to confirm; nothing was deleted.")})


class VerifyForm(HavenForm):
    export = forms.FileField(label=_("The journal's JSON export (.json)"),
                             error_messages={"required": _("Choose the export file to check."),
                                             "empty": _("That file is empty.")})
