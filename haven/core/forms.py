"""Forms for Haven's own directory pages."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from haven.core import selectors
from haven.core.audit_actions import audit_action_choices
from haven.core.email_kinds import EmailKind
from haven.core.idempotency import OnceForm
from haven.core.languages import LanguagesField
from haven.core.models import Person, Role
from haven.core.selectors import MAX_ID, MAX_PEOPLE_MATCHES, MAX_SEARCH
from haven.core.text import HavenForm


def errors_to_form(form: forms.Form, error: ValidationError,
                   renamed: dict[str, str] | None = None) -> None:
    """Attach a service's ValidationError to FORM, field by field where it names one (the
    service's name for a field may differ from the form's: RENAMED maps one to the other)."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            field = (renamed or {}).get(field, field)
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


class ProfileForm(HavenForm):
    pronouns = forms.CharField(label=_("Pronouns (optional)"), max_length=40, required=False,
                               help_text=_("Shown beside your name, e.g. she/her, they/them."))
    languages = LanguagesField(
        label=_("Languages you speak"), required=False,
        help_text=_("Tick every language you can hold a conversation in."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(LanguagesField, self.fields["languages"]).keep(self.initial.get("languages", []))


class RolesForm(HavenForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles besides colleague"), choices=Role.choices, required=False,
        widget=forms.CheckboxSelectMultiple)


class PersonActiveForm(HavenForm):
    active = forms.TypedChoiceField(choices=[("1", _("Active")), ("0", _("Deactivated"))],
                                    coerce=lambda value: value == "1")


class AccessTokenForm(OnceForm):
    name = forms.CharField(label=_("Token name"), max_length=80,
                           help_text=_("What will use it, e.g. “HR sync script”."))
    days = forms.TypedChoiceField(
        label=_("Expires after"), coerce=int, initial=90,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("1 year"))])


class ImportPeopleForm(HavenForm):
    file = forms.FileField(label=_("CSV file of people"),
                           help_text=_("UTF-8 CSV with a header row; see the columns below."))


class AcceptInvitationForm(HavenForm):
    password1 = forms.CharField(label=_("Choose a password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Type it again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
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


def _action_choices() -> list[tuple[str, str]]:
    # A callable: apps register their actions when they are ready, after this module loads.
    return [("", str(_("Any action"))), *audit_action_choices()]


class AuditFilterForm(HavenForm):
    """The audit page's filters. A person is found by e-mail or name; links may name them by
    id (`actor`), which also finds people no longer in the directory."""

    person = forms.CharField(
        label=_("Person"), required=False, max_length=MAX_SEARCH,
        help_text=_("Their work e-mail or part of their name. Shows what they did."))
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=_action_choices)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=40)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    since = forms.DateField(label=_("From"), required=False, validators=[_validate_log_date],
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, validators=[_validate_log_date],
                            widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID,  # larger would crash the database driver
        widget=forms.HiddenInput, error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value"),
            _("This link names no person: its person id is not valid. "
              "Type their e-mail or name instead.")))

    def __init__(self, *args: Any, viewer: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.matches: list[Person] = []  # several people match what was typed: choose one
        self.more_matches = False  # and there are more than those listed
        self.actor_person: Person | None = None  # whose events are listed
        if self.is_bound and str(self.data.get("person", "")).strip():
            # What was typed replaces a person named by a link, and the link's id must not
            # come back once the field is cleared.
            del self.fields["actor"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("“Until” must be on or after “From”."))
        if data.get("person"):
            self._find_person(data)
        elif data.get("actor"):
            self.actor_person = selectors.person_for_audit_filter(
                viewer=self.viewer, person_id=data["actor"])
        return data

    def _find_person(self, data: dict[str, Any]) -> None:
        people = selectors.people_for_audit_filter(viewer=self.viewer, text=data["person"])
        data["actor"] = None
        if not people:
            self.add_error("person", _(
                "Nobody in the directory matches “%(text)s”. Check the spelling, or type "
                "their work e-mail.") % {"text": data["person"]})
        elif len(people) == 1:
            self.actor_person = people[0]
            data["actor"] = people[0].pk
        else:
            self.matches = people[:MAX_PEOPLE_MATCHES]
            self.more_matches = len(people) > MAX_PEOPLE_MATCHES


class EmailSettingsForm(HavenForm):
    """A checkbox for each optional e-mail this person may get (haven.core.email_kinds)."""

    def __init__(self, *args: Any, kinds: list[EmailKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind.key] = forms.BooleanField(
                label=str(kind.label), help_text=str(kind.description), required=False)


class UnsubscribeForm(HavenForm):
    choice = forms.ChoiceField(choices=[("stop", _("Stop")), ("resume", _("Turn back on"))])
