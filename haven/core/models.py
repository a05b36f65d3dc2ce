"""The organisation directory (people, teams, departments, locations, roles) and the audit log."""

from __future__ import annotations

import zoneinfo
from functools import cached_property, lru_cache
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.audit_actions import audit_action_label


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())  # reads the whole tz database: once


def validate_time_zone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(
            _("%(value)s is not a time zone name such as Europe/London."),
            params={"value": value},
        )


class Role(models.TextChoices):
    """Roles beyond colleague, which everyone is. A person may hold several."""

    SUPPORTER = "supporter", _("Peer supporter")
    COORDINATOR = "coordinator", _("Programme coordinator")
    CASE_HANDLER = "case_handler", _("Case handler")
    ADMINISTRATOR = "administrator", _("Administrator")


COLLEAGUE = "colleague"


class Department(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PersonManager(BaseUserManager["Person"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> Person:
        person = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            person.set_password(password)
        else:
            person.set_unusable_password()
        person.save(using=self._db)
        return person


class Person(AbstractBaseUser):
    """Everyone in the organisation; each is a colleague and may also hold other roles."""

    email = models.EmailField(_("work e-mail"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    job_level = models.PositiveSmallIntegerField(_("job level"), null=True, blank=True)
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("pk")), name="person_not_own_manager"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def roles(self) -> frozenset[str]:
        """Role names held, always including colleague."""
        return frozenset({COLLEAGUE, *(grant.role for grant in self.role_grants.all())})

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def time_zone(self) -> str | None:
        return self.location.time_zone if self.location_id and self.location else None

    # Django's auth checks these on request.user; Haven has no Django admin and no superusers.
    @property
    def is_staff(self) -> bool:
        return False

    @property
    def is_superuser(self) -> bool:
        return False

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False

    def has_module_perms(self, app_label: str) -> bool:
        return False


class RoleGrant(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "role"], name="one_grant_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.role}"


class PersonalAccessToken(models.Model):
    """An API token; only its SHA-256 is stored, the token itself is shown once."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AuditAction(models.TextChoices):
    """The audit actions core records; every app registers its own (core.audit_actions)."""

    SIGN_IN = "sign_in", _("Signed in")
    SIGN_OUT = "sign_out", _("Signed out")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset")
    MFA_ADDED = "mfa_added", _("MFA method added")
    MFA_REMOVED = "mfa_removed", _("MFA method removed")
    MFA_RESET = "mfa_reset", _("MFA recovery codes regenerated")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_REVOKED = "role_revoked", _("Role revoked")
    DIRECTORY_IMPORTED = "directory_imported", _("Directory imported")
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    AUDIT_VIEWED = "audit_viewed", _("Audit log viewed")
    PROGRAMME_SETTINGS_CHANGED = "programme_settings_changed", _("Programme settings changed")
    PERSON_DEACTIVATED = "person_deactivated", _("Person deactivated")
    PERSON_REACTIVATED = "person_reactivated", _("Person reactivated")
    EMAIL_SETTINGS_CHANGED = "email_settings_changed", _("E-mail settings changed")


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only: rows cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only: rows cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only: rows cannot be updated.")


class AuditEvent(models.Model):
    """Who did what to which record, when. Never content. Written only by services.audit()."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # No foreign-key constraint: the log outlives the people in it and is never rewritten.
    actor = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+",
    )
    # Instead of the actor, where naming them would say who sought support (a participant in
    # a support conversation): a keyed pseudonym whose key is shredded with the conversation.
    actor_pseudonym = models.CharField(max_length=16, blank=True)
    # One of the actions registered by the apps (haven.core.audit.register_audit_actions): no
    # choices here, so a new action needs no migration.
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip_hash = models.CharField(max_length=16, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        # Django's internals and related lookups use the base manager; it must refuse too.
        base_manager_name = "objects"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only: rows cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only: rows cannot be deleted.")

    @property
    def action_label(self) -> str:
        return audit_action_label(self.action)


class FormSubmission(models.Model):
    """A create form that went through (haven.core.idempotency): sending it again shows what
    it made instead of making it twice. It names nobody: both tags are keyed hashes with the
    person inside, and the row goes after a day (the content tag after minutes)."""

    # HMAC of (person, form, the form's one-time token): the same page sent twice.
    tag = models.CharField(max_length=64, unique=True)
    # HMAC of (person, form, what was typed): the same text sent again from a page fetched
    # anew (back, then send). Blank once the repeat window has passed.
    repeat_tag = models.CharField(max_length=64, blank=True, db_index=True)
    shown_at = models.CharField(max_length=300)  # the path that shows what was made
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # An API create sent with an Idempotency-Key (the tag is then of the person, route and
    # key): an HMAC of the body, to refuse the same key with another body, and the first
    # answer's status and the id of what it made ("" for an anonymous create).
    body_tag = models.CharField(max_length=64, blank=True)
    answer_status = models.PositiveSmallIntegerField(null=True, blank=True)
    answer_id = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"FormSubmission {self.pk}"


class EmailOptOut(models.Model):
    """A kind of optional e-mail (haven.core.email_kinds) a person turned off. No row means
    the default: they get it. Kept by kind name, so a new kind needs no migration."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="email_opt_outs")
    kind = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "kind"],
                                               name="one_email_opt_out_per_kind")]

    def __str__(self) -> str:
        return f"EmailOptOut {self.pk}"


class JobRun(models.Model):
    """One periodic job's run for one time slot (haven.core.scheduler). The unique pair is the
    lock: of several workers, the one whose INSERT commits first runs the job for that slot;
    the others' INSERT fails and they skip it. Names a job and times only: no personal data."""

    job = models.CharField(max_length=200)
    slot = models.DateTimeField()  # the start of the slot this run is for
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    changed = models.IntegerField(null=True, blank=True)  # what the job returned; -1: failed

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"],
                                               name="one_job_run_per_slot")]
        indexes = [models.Index(fields=["slot"], name="job_run_slot")]

    def __str__(self) -> str:
        return f"JobRun {self.pk}"
