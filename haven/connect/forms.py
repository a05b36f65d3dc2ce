"""Forms for coffee pairings: taking part, blocking, "did you meet?", running a round."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.connect.models import Frequency, MeetingMode
from haven.core.models import Location


class ProfileForm(forms.Form):
    active = forms.TypedChoiceField(
        label=_("Coffee pairings"), widget=forms.RadioSelect,
        coerce=lambda value: value == "yes", initial="yes",
        choices=[("yes", _("Yes, pair me with colleagues")), ("no", _("No, not for now"))])
    frequency = forms.ChoiceField(label=_("How often?"), choices=Frequency.choices,
                                  widget=forms.RadioSelect, initial=Frequency.FORTNIGHTLY)
    mode = forms.ChoiceField(label=_("How would you like to meet?"),
                             choices=MeetingMode.choices, widget=forms.RadioSelect,
                             initial=MeetingMode.REMOTE,
                             help_text=_("In person pairs you only with colleagues at the same "
                                         "location; remote pairs you with remote colleagues "
                                         "anywhere."))
    location = forms.ModelChoiceField(
        label=_("Where would you meet in person?"), queryset=Location.objects.none(),
        required=False, empty_label=_("My usual location"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.order_by("name")


class BlockForm(forms.Form):
    email = forms.EmailField(
        label=_("Their work e-mail"), max_length=254,
        help_text=_("You will never be paired with them. Nobody is told, they least of all."))


class MetForm(forms.Form):
    met = forms.TypedChoiceField(
        label=_("Did you meet?"), widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
        choices=[("yes", _("Yes, we met")), ("no", _("No, not this time"))])


class RunRoundForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, pair everyone who is due now and send the introductions"),
        error_messages={"required": _("Tick the box to confirm that a round should run now.")})
    submission_id = forms.UUIDField(widget=forms.HiddenInput)
