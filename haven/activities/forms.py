"""Forms for activities. Validation of meaning lives in the services;
these forms parse input and give every control a label."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.activities.models import REASON_MAX, TITLE_MAX, Activity
from haven.core.idempotency import OnceForm
from haven.core.text import HavenForm

_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ActivityForm(OnceForm):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}),
                                  required=False, max_length=4000)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=_LOCAL,
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label=_("Ends"), widget=_LOCAL,
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    time_zone = forms.ChoiceField(label=_("Time zone"),
                                  help_text=_("The start and end are times in this zone."))
    place = forms.CharField(label=_("Place"), max_length=200, required=False,
                            help_text=_("A room or address; leave empty if it is online only."))
    online_link = forms.URLField(label=_("Online link"), max_length=500, required=False,
                                 assume_scheme="https",
                                 help_text=_("For a video call; leave empty if in person only."))
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000,
                                  help_text=_("Once they are taken, people join a waitlist."))
    accessibility = forms.CharField(
        label=_("Accessibility notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
        max_length=4000,
        help_text=_("Step-free access, captions, quiet space, dietary options: what to expect."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = [
            (zone, zone) for zone in sorted(available_timezones())]

    def in_zone(self, value: datetime) -> datetime:
        """The wall-clock time the person typed, read in the activity's time zone."""
        return value.replace(tzinfo=None).replace(tzinfo=ZoneInfo(self.cleaned_data["time_zone"]))

    def activity_fields(self) -> dict[str, Any]:
        """The cleaned fields as the services take them, times read in the chosen zone."""
        data = self.cleaned_data
        return {"title": data["title"], "description": data["description"],
                "starts_at": self.in_zone(data["starts_at"]),
                "ends_at": self.in_zone(data["ends_at"]), "time_zone": data["time_zone"],
                "place": data["place"], "online_link": data["online_link"],
                "capacity": data["capacity"], "accessibility": data["accessibility"]}

    @staticmethod
    def initial_for(activity: Activity) -> dict[str, Any]:
        """An activity as the form shows it: its times on the wall clock of its own zone."""
        zone = ZoneInfo(activity.time_zone)
        return {"title": activity.title, "description": activity.description,
                "starts_at": activity.starts_at.astimezone(zone).replace(tzinfo=None),
                "ends_at": activity.ends_at.astimezone(zone).replace(tzinfo=None),
                "time_zone": activity.time_zone, "place": activity.place,
                "online_link": activity.online_link, "capacity": activity.capacity,
                "accessibility": activity.accessibility}


class CancelPlaceForm(HavenForm):
    confirm = forms.BooleanField(
        label=_("Yes, give up my place"),
        error_messages={"required": _("Tick the box to confirm.")})


class CallOffForm(HavenForm):
    note = forms.CharField(
        label=_("A note to the people signed up (optional)"), required=False,
        max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent with the e-mail and shown on the activity's page: why, or what "
                    "happens instead."))
    confirm = forms.BooleanField(
        label=_("Yes, call off this activity"),
        error_messages={"required": _("Tick the box to confirm; the activity is still on.")})


class FeedbackForm(HavenForm):
    score = forms.TypedChoiceField(
        label=_("How was it?"), widget=forms.RadioSelect, coerce=int,
        choices=[(5, _("5 — very good")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 — poor"))])


class ActivitySettingsForm(HavenForm):
    """The administrators' activity settings. The service checks the value again."""

    colleagues_may_propose = forms.TypedChoiceField(
        label=_("Who may propose an activity?"), widget=forms.RadioSelect,
        coerce=lambda value: value == "yes",
        choices=[("no", _("Coordinators and administrators only")),
                 ("yes", _("Every colleague"))],
        help_text=_("Whoever proposes an activity organises it: they can change it, call it "
                    "off and see who is going."),
        error_messages={"required": _("Choose who may propose an activity."),
                        "invalid_choice": _("Choose who may propose an activity.")})
