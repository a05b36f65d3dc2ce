"""Forms for requests, conversations, supporter profiles and programme settings."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.idempotency import OnceForm
from haven.core.languages import LanguagesField
from haven.core.models import Location
from haven.core.picker import PersonField, picker_attrs
from haven.core.text import HavenForm
from haven.support.availability import AvailabilityField
from haven.support.models import SupportRequest

LANGUAGE_CHOICES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish")),
                    ("de", _("German")), ("pl", _("Polish")), ("pt", _("Portuguese")),
                    ("zh", _("Chinese")), ("hi", _("Hindi"))]


class RequestForm(OnceForm):
    token_field = "submission_id"
    repeat_ignores = ("acknowledged",)

    topic = forms.ChoiceField(label=_("What is it about?"))
    mode = forms.ChoiceField(label=_("How would you like to talk?"),
                             choices=SupportRequest.Mode.choices, widget=forms.RadioSelect,
                             initial=SupportRequest.Mode.MESSAGES)
    use_pseudonym = forms.TypedChoiceField(
        label=_("How should the supporter see you?"), widget=forms.RadioSelect,
        coerce=lambda value: value == "pseudonym", initial="name",
        choices=[("name", _("By my name")),
                 ("pseudonym", _("Under a pseudonym made for this request"))])
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, initial="en")
    avoid_my_team = forms.BooleanField(
        label=_("Nobody from my team"), required=False, initial=True,
        help_text=_("Nobody in your reporting line, above or below you, is ever asked."))
    avoid_my_department = forms.BooleanField(label=_("Nobody from my department"),
                                             required=False)
    person_of_concern = PersonField(
        label=_("Person of concern (optional)"), required=False,
        help_text=_("Their name or work e-mail. Nobody is ever shown this; Haven uses it only "
                    "so that your supporter is not close to them."))
    message = forms.CharField(
        label=_("Your first message"), widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000, help_text=_("Say as much or as little as you like."),
        error_messages={"required": _("Write a first message, even a short one.")})
    acknowledged = forms.BooleanField(
        label=_("I have read the limits of confidentiality above"), required=True,
        error_messages={"required": _("Please read and confirm the limits of confidentiality "
                                      "before sending.")})
    submission_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, topics: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["topic"]).choices = topics


class MessageForm(HavenForm):
    text = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=10_000)
    client_id = forms.UUIDField(widget=forms.HiddenInput)


class CommitmentForm(OnceForm):
    what = forms.CharField(label=_("What will you do?"), max_length=500,
                           help_text=_("e.g. “Check in with you on Friday”."))
    due_at = forms.DateTimeField(label=_("By when?"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class RenegotiateForm(HavenForm):
    due_at = forms.DateTimeField(label=_("New time"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    note = forms.CharField(label=_("A note for your colleague"), max_length=500)


class FeedbackForm(HavenForm):
    felt_heard = forms.TypedChoiceField(
        label=_("Did you feel heard?"), coerce=int, widget=forms.RadioSelect,
        choices=[(1, _("1 — not at all")), (2, "2"), (3, "3"), (4, "4"),
                 (5, _("5 — completely"))])
    would_return = forms.TypedChoiceField(
        label=_("Would you come back?"), required=False, widget=forms.RadioSelect,
        coerce=lambda value: {"yes": True, "no": False}.get(value), empty_value=None,
        choices=[("yes", _("Yes")), ("no", _("No"))])


class SupporterProfileForm(HavenForm):
    active = forms.BooleanField(label=_("Taking new requests"), required=False)
    capacity = forms.IntegerField(label=_("Most open conversations at once"), min_value=1,
                                  max_value=20)
    languages = LanguagesField(label=_("Languages"), error_messages={
        "required": _("Tick at least one language you can support colleagues in.")})
    topics = forms.MultipleChoiceField(label=_("Topics you are ready for"),
                                       widget=forms.CheckboxSelectMultiple, required=False)
    availability = AvailabilityField(
        label=_("Weekly availability, in your time zone"), required=False,
        help_text=_("For each day, up to three time ranges, e.g. 09:00 – 12:30. Leave a day "
                    "empty when you are not available. Ranges that overlap are joined."))
    away_from = forms.DateField(label=_("Away from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    away_until = forms.DateField(label=_("Away until"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, topics: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["topics"]).choices = topics
        cast(LanguagesField, self.fields["languages"]).keep(self.initial.get("languages", []))


class ProgrammeSettingsForm(HavenForm):
    topics = forms.CharField(
        label=_("Request topics"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One topic a line: a short code, a colon, then the label people see, e.g. "
                    "“bullying: Bullying or harassment”. Keep a topic's code when you rename it."))
    confidentiality_text = forms.CharField(
        label=_("Limits of confidentiality"), widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000, help_text=_("Shown, and confirmed, before anyone asks for support."))
    crisis_text = forms.CharField(label=_("Crisis resources (default)"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    response_target_hours = forms.IntegerField(label=_("First-response target (working hours)"),
                                               min_value=1, max_value=72)
    offer_minutes = forms.IntegerField(label=_("Minutes a supporter has to answer an offer"),
                                       min_value=5, max_value=1440)
    retention_days = forms.IntegerField(
        label=_("Days content is kept after a conversation closes"), min_value=1,
        max_value=3650)
    safety_contact = PersonField(
        label=_("Safety contact"), required=False,
        widget=forms.TextInput(attrs=picker_attrs(me=True)),
        help_text=_("Their name or work e-mail."))

    def __init__(self, *args: Any, locations: list[Location], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locations = locations
        for location in locations:
            self.fields[f"crisis_{location.pk}"] = forms.CharField(
                label=_("Crisis resources in %(place)s") % {"place": location.name},
                required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Leave empty to show the default."))
        # Each place's crisis resources right under the default ones, not after the numbers.
        self.order_fields(["topics", "confidentiality_text", "crisis_text",
                           *(f"crisis_{location.pk}" for location in locations)])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Every per-location field leaves the cleaned data (only the settings' own fields go
        # on to the service); an empty one means "show the default".
        texts = {location.pk: (data.pop(f"crisis_{location.pk}", None) or "").strip()
                 for location in self.locations}
        data["crisis_by_location"] = {str(pk): text for pk, text in texts.items() if text}
        return data

    def clean_topics(self) -> list[dict[str, str]]:
        topics = []
        for number, line in enumerate(self.cleaned_data["topics"].splitlines(), start=1):
            if not line.strip():
                continue
            slug, sep, label = line.partition(":")
            slug = slug.strip().lower()
            if not sep or not slug.replace("_", "").replace("-", "").isalnum() or \
                    not label.strip():
                raise forms.ValidationError(
                    _("Line %(n)d: write “code: Label”.") % {"n": number})
            topics.append({"slug": slug, "label": label.strip()})
        if not topics:
            raise forms.ValidationError(_("List at least one topic."))
        return topics
