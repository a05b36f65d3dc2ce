"""Forms for coffee pairings: taking part, blocking, "did you meet?", running a round, and the
administrators' settings."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.coffee.models import Frequency, MeetingMode
from haven.core.models import Location
from haven.core.picker import PersonField
from haven.core.text import HavenForm


class ProfileForm(HavenForm):
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
        location = cast(forms.ModelChoiceField, self.fields["location"])
        location.queryset = Location.objects.order_by("name")


class BlockForm(HavenForm):
    person = PersonField(
        label=_("Who?"), error_messages={"required": _("Type their name or work e-mail.")},
        help_text=_("Their name or work e-mail. You will never be paired with them. Nobody "
                    "is told, they least of all."))


class MetForm(HavenForm):
    met = forms.TypedChoiceField(
        label=_("Did you meet?"), widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
        choices=[("yes", _("Yes, we met")), ("no", _("No, not this time"))])


class RunRoundForm(HavenForm):
    confirm = forms.BooleanField(
        label=_("Yes, pair everyone who is due now and send the introductions"),
        error_messages={"required": _("Tick the box to confirm that a round should run now.")})
    submission_id = forms.UUIDField(widget=forms.HiddenInput)


WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
            (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]


class CoffeeSettingsForm(HavenForm):
    """The administrators' coffee settings. The service checks the same bounds again."""

    schedule_enabled = forms.TypedChoiceField(
        label=_("Run a round every week on its own?"), widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
        choices=[("yes", _("Yes, on the day and hour below")),
                 ("no", _("No, only when a coordinator runs one"))],
        error_messages={"required": _("Choose whether rounds run on their own."),
                        "invalid_choice": _("Choose whether rounds run on their own.")})
    weekday = forms.TypedChoiceField(
        label=_("Day of the week"), choices=WEEKDAYS, coerce=int,
        error_messages={"required": _("Choose a day of the week from the list."),
                        "invalid_choice": _("Choose a day of the week from the list.")})
    hour = forms.TypedChoiceField(
        label=_("From this hour"), choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        coerce=int,
        error_messages={"required": _("Choose an hour from 0 to 23."),
                        "invalid_choice": _("Choose an hour from 0 to 23.")})
    no_repeat_rounds = forms.IntegerField(
        label=_("Never repeat a pair from this many recent rounds"), min_value=0, max_value=52,
        help_text=_("From 0 to 52. Two people grouped together in any of these rounds are not "
                    "grouped again; 0 allows repeats at once."),
        error_messages={key: _("Enter a whole number of rounds from 0 to 52.")
                        for key in ("required", "invalid", "min_value", "max_value")})

    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hour"].help_text = _(
            "In the organisation's time (%(zone)s). The round runs within a minute of it.") % {
            "zone": zone}
