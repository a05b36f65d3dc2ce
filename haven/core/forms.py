"""Forms for Haven's own directory pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from haven.core.models import AuditAction, Person, Role
from haven.core.selectors import MAX_ID


class ProfileForm(forms.Form):
    pronouns = forms.CharField(label=_("Pronouns (optional)"), max_length=40, required=False,
                               help_text=_("Shown beside your name, e.g. she/her, they/them."))
    languages = forms.CharField(
        label=_("Languages you speak"), max_length=200, required=False,
        help_text=_("Language codes separated by commas, e.g. en, fr, pt-BR."))


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles besides colleague"), choices=Role.choices, required=False,
        widget=forms.CheckboxSelectMultiple)


class AccessTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80,
                           help_text=_("What will use it, e.g. “HR sync script”."))
    days = forms.TypedChoiceField(
        label=_("Expires after"), coerce=int, initial=90,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("1 year"))])


class ImportPeopleForm(forms.Form):
    file = forms.FileField(label=_("CSV file of people"),
                           help_text=_("UTF-8 CSV with a header row; see the columns below."))


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(label=_("Choose a password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Type it again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first, self.person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


# Dates the log can hold: far outside Haven's life, yet inside what every time zone can convert.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def _validate_log_date(value: date) -> None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise forms.ValidationError(
            _("Choose a date between %(first)s and %(last)s."),
            params={"first": EARLIEST_DATE.isoformat(), "last": LATEST_DATE.isoformat()})


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=[("", _("Any action")), *AuditAction.choices])
    actor = forms.IntegerField(label=_("Actor (person id)"), required=False, min_value=1,
                               max_value=MAX_ID)  # larger would crash the database driver
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=40)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    since = forms.DateField(label=_("From"), required=False, validators=[_validate_log_date],
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, validators=[_validate_log_date],
                            widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("“Until” must be on or after “From”."))
        return data
