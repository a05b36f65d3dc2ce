"""Forms for recognition and thanks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from haven.core.idempotency import OnceForm
from haven.core.models import Team
from haven.core.picker import PersonField
from haven.core.text import HavenForm
from haven.recognition.models import (
    COMMENT_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    Audience,
    CompanyValue,
    ReactionKind,
)


class GiveForm(OnceForm):
    recipient = PersonField(
        label=_("Colleague"), required=False,
        help_text=_("Their name or work e-mail. Leave empty to recognise a whole team "
                    "instead."))
    team = forms.ModelChoiceField(label=_("Or a team"), queryset=Team.objects.none(),
                                  required=False, empty_label=_("No team — a person"))
    values = forms.ModelMultipleChoiceField(
        label=_("Which of our values did they show?"), queryset=CompanyValue.objects.none(),
        widget=forms.CheckboxSelectMultiple, required=False)
    message = forms.CharField(
        label=_("What did they do?"), widget=forms.Textarea(attrs={"rows": 5}),
        strip=False, required=False,
        help_text=_("Up to %(n)d characters. Be specific: what they did and what it changed.")
        % {"n": MESSAGE_MAX_LENGTH})
    audience = forms.ChoiceField(label=_("Who may see it?"), choices=Audience.choices,
                                 widget=forms.RadioSelect, initial=Audience.ORGANISATION)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["values"].queryset = CompanyValue.objects.filter(  # type: ignore[attr-defined]
            active=True)


class ReactForm(HavenForm):
    kind = forms.ChoiceField(choices=ReactionKind.choices)


class ModerateForm(HavenForm):
    decision = forms.ChoiceField(choices=[("publish", _("Publish")), ("reject", _("Reject"))])
    # Checked by the service (required to reject, at most 200 characters), so that the
    # page and the service give the same message.
    reason = forms.CharField(required=False, strip=False)


class CommentForm(OnceForm):
    message = forms.CharField(
        label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}), strip=False,
        required=False, help_text=_("Up to %(n)d characters. Everyone who can see the "
                                    "recognition can read it.") % {"n": COMMENT_MAX_LENGTH})


class ValueForm(OnceForm):
    name = forms.CharField(label=_("Name"), max_length=60)
    description = forms.CharField(label=_("What it means"), max_length=200, required=False)


class ValueActiveForm(HavenForm):
    active = forms.TypedChoiceField(coerce=lambda value: value == "yes",
                                    choices=[("yes", "yes"), ("no", "no")])


class PreferencesForm(HavenForm):
    celebrate_milestones = forms.BooleanField(
        label=_("Celebrate my work anniversaries with the organisation"), required=False)
    weekly_digest = forms.BooleanField(
        label=_("Send me a weekly e-mail about recognition"), required=False)
