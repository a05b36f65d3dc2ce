"""Forms for reports, case keys and cases. Meaning is checked in the services; these parse
input and give every control a label."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.idempotency import OnceForm
from haven.core.picker import PersonField
from haven.core.text import HavenForm
from haven.speakup.models import CaseState
from haven.speakup.models.reports import LINE_MAX, MESSAGE_MAX, NOTE_MAX, OUTCOME_MAX, WHAT_MAX

CODE_MAX = 64
PASSPHRASE_MAX = 1024


class ReportForm(OnceForm):
    named_person = PersonField(
        label=_("The person this is about (from the directory)"), required=False,
        help_text=_("Their name or work e-mail. If they are not in the directory, leave this "
                    "empty and type their name below."))
    named_text = forms.CharField(label=_("Or their name"), max_length=LINE_MAX, required=False)
    what = forms.CharField(label=_("What happened"), max_length=WHAT_MAX,
                           widget=forms.Textarea(attrs={"rows": 8}))
    when = forms.CharField(label=_("When (optional)"), max_length=LINE_MAX, required=False,
                           help_text=_("A date, a time, or how often it happens."))
    where = forms.CharField(label=_("Where (optional)"), max_length=LINE_MAX, required=False)
    rule = forms.ChoiceField(label=_("When should the case handlers receive it?"),
                             widget=forms.RadioSelect, initial="held", choices=[])
    identity = forms.ChoiceField(
        label=_("Should the case handler know it was you?"), widget=forms.RadioSelect,
        initial="anonymous", choices=[
            ("anonymous", _("No: keep me anonymous to the case handler")),
            ("named", _("Yes: show them my name"))])

    def __init__(self, *args: Any, threshold: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["rule"]).choices = [
            ("held", _("Only when at least %(n)d different people have named this person "
                       "(including me)") % {"n": threshold}),
            ("now", _("Now, even if nobody else has"))]


class EditReportForm(HavenForm):
    code = forms.CharField(widget=forms.HiddenInput, max_length=CODE_MAX)
    what = forms.CharField(label=_("What happened"), max_length=WHAT_MAX,
                           widget=forms.Textarea(attrs={"rows": 8}))
    when = forms.CharField(label=_("When (optional)"), max_length=LINE_MAX, required=False)
    where = forms.CharField(label=_("Where (optional)"), max_length=LINE_MAX, required=False)


class ReceiptCodeForm(HavenForm):
    code = forms.CharField(label=_("Your receipt code"), max_length=CODE_MAX,
                           widget=forms.TextInput(attrs={"autocomplete": "off",
                                                         "spellcheck": "false"}),
                           help_text=_("The 25 letters and digits you were given when you "
                                       "filed the report, e.g. ABCDE-FGHIJ-KLMNO-PQRST-UVWXY."))


class ReporterMessageForm(HavenForm):
    code = forms.CharField(widget=forms.HiddenInput, max_length=CODE_MAX)
    text = forms.CharField(label=_("Your message to the case handler"), max_length=MESSAGE_MAX,
                           widget=forms.Textarea(attrs={"rows": 4}))


class SetUpKeysForm(HavenForm):
    passphrase = forms.CharField(label=_("Passphrase"), max_length=PASSPHRASE_MAX, strip=False,
                                 widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                 help_text=_("At least 12 characters. It is not your sign-in "
                                             "password and nobody can reset it for you."))
    confirm = forms.CharField(label=_("The passphrase again"), max_length=PASSPHRASE_MAX,
                              strip=False, widget=forms.PasswordInput(
                                  attrs={"autocomplete": "new-password"}))


class UnlockForm(HavenForm):
    passphrase = forms.CharField(label=_("Your case passphrase"), max_length=PASSPHRASE_MAX,
                                 strip=False, widget=forms.PasswordInput(
                                     attrs={"autocomplete": "current-password"}))


class ChangePassphraseForm(HavenForm):
    current = forms.CharField(label=_("Current passphrase"), max_length=PASSPHRASE_MAX,
                              strip=False, widget=forms.PasswordInput(
                                  attrs={"autocomplete": "current-password"}))
    new = forms.CharField(label=_("New passphrase"), max_length=PASSPHRASE_MAX, strip=False,
                          widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    confirm = forms.CharField(label=_("The new passphrase again"), max_length=PASSPHRASE_MAX,
                              strip=False, widget=forms.PasswordInput(
                                  attrs={"autocomplete": "new-password"}))


class RecoverKeysForm(HavenForm):
    recovery_key = forms.CharField(label=_("Your recovery key"), max_length=200,
                                   help_text=_("The groups of four you printed or wrote down "
                                               "when you set up your keys."))
    new = forms.CharField(label=_("New passphrase"), max_length=PASSPHRASE_MAX, strip=False,
                          widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    confirm = forms.CharField(label=_("The new passphrase again"), max_length=PASSPHRASE_MAX,
                              strip=False, widget=forms.PasswordInput(
                                  attrs={"autocomplete": "new-password"}))


class CaseStateForm(HavenForm):
    state = forms.ChoiceField(label=_("Move the case to"), choices=CaseState.choices,
                              widget=forms.RadioSelect)
    outcome = forms.CharField(label=_("Outcome (needed to close; the reporter sees it)"),
                              max_length=OUTCOME_MAX, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(HavenForm):
    text = forms.CharField(label=_("Private note (only case handlers of this case see it)"),
                           max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}))


class HandlerMessageForm(HavenForm):
    text = forms.CharField(label=_("Message to the reporter"), max_length=MESSAGE_MAX,
                           widget=forms.Textarea(attrs={"rows": 4}))


class SpeakupSettingsForm(HavenForm):
    """The administrators' speak-up settings. The row's validators check the bounds again."""

    threshold = forms.IntegerField(
        label=_("Reports needed before release"), min_value=2, max_value=50,
        help_text=_("A held report is sent to the case handlers once at least this many "
                    "different people have named the same person. At least 2."))
    acknowledge_days = forms.IntegerField(label=_("Days to acknowledge a case"), min_value=1,
                                          max_value=90)
    feedback_days = forms.IntegerField(
        label=_("Days to give the reporter feedback, counted from acknowledgement"),
        min_value=1, max_value=365)
