"""Reads of the directory and the audit log, each with its access check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, Prefetch, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from haven.core.access import ADMINISTRATORS, COORDINATORS, allows
from haven.core.email_kinds import EmailKind, email_kinds, read_unsubscribe_token
from haven.core.models import (
    AuditEvent,
    Department,
    EmailOptOut,
    Location,
    Person,
    PersonalAccessToken,
    RoleGrant,
    Team,
)
from haven.core.tasks import failed_email, failure_reason, send_email

# Database ids are 64-bit; SQLite's driver crashes on larger numbers instead of matching nothing.
MAX_ID = 2**63 - 1
MAX_SEARCH = 100
# How many people the audit page lists when a name matches several; more means "type more".
MAX_PEOPLE_MATCHES = 20


def parse_id(raw: str) -> int | None:
    """An id typed into a URL, or None when it is not one (ASCII digits, in range)."""
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        return None
    number = int(raw)
    return number if 0 < number <= MAX_ID else None


def clean_search(text: str) -> str:
    """A search as typed, without control characters (PostgreSQL refuses NUL), capped."""
    return "".join(char for char in text if char.isprintable()).strip()[:MAX_SEARCH]


def _require(viewer: Person, rule: frozenset[str]) -> None:
    if not viewer.is_authenticated or not allows(rule, viewer.roles):
        raise PermissionDenied


def people_for_directory(*, viewer: Person, search: str = "", role: str = "",
                         team_id: int | None = None) -> QuerySet[Person]:
    _require(viewer, COORDINATORS)
    search = clean_search(search)
    people = (Person.objects.select_related("team", "department", "location", "manager")
              .prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.all())))
    if team_id is not None and not 0 < team_id <= MAX_ID:
        return people.none()
    if search:
        people = people.filter(Q(name__icontains=search) | Q(email__icontains=search))
    if role:
        people = people.filter(role_grants__role=role)
    if team_id:
        people = people.filter(team_id=team_id)
    return people.order_by("name", "pk")


def person_for_directory(*, viewer: Person, person_id: int) -> Person:
    _require(viewer, COORDINATORS)
    if not 0 < person_id <= MAX_ID:
        raise Http404
    person = (Person.objects.select_related("team", "department", "location", "manager")
              .prefetch_related("role_grants").filter(pk=person_id).first())
    if person is None:
        raise Http404
    return person


def teams(*, viewer: Person) -> QuerySet[Team]:
    _require(viewer, COORDINATORS)
    return Team.objects.select_related("department")


def departments(*, viewer: Person) -> QuerySet[Department]:
    _require(viewer, COORDINATORS)
    return Department.objects.all()


def locations(*, viewer: Person) -> QuerySet[Location]:
    _require(viewer, COORDINATORS)
    return Location.objects.all()


def access_tokens_of(*, person: Person) -> QuerySet[PersonalAccessToken]:
    return PersonalAccessToken.objects.filter(person=person)


def access_token_of(*, person: Person, token_id: int) -> PersonalAccessToken:
    if not 0 < token_id <= MAX_ID:
        raise Http404
    token = PersonalAccessToken.objects.filter(person=person, pk=token_id).first()
    if token is None:
        raise Http404
    return token


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor_id: int | None = None
    object_type: str = ""
    object_id: str = ""
    since: date | None = None
    until: date | None = None

    def as_detail(self) -> dict[str, str | int]:
        """The filters used, for the AUDIT_VIEWED row: which records someone looked at."""
        detail: dict[str, str | int] = {}
        for name in ("action", "actor_id", "object_type", "object_id", "since", "until"):
            value = getattr(self, name)
            if value:
                detail[name] = value.isoformat() if isinstance(value, date) else value
        return detail


def people_for_audit_filter(*, viewer: Person, text: str) -> list[Person]:
    """The people TEXT may mean on the audit page: the one whose work e-mail it is, else
    everyone whose name or e-mail holds each of its words. At most MAX_PEOPLE_MATCHES + 1,
    so the page can say that there are more than it lists."""
    _require(viewer, ADMINISTRATORS)
    text = clean_search(text)
    if not text:
        return []
    # Leavers stay: the log outlives employment, and what they did is still worth finding.
    people = Person.objects.select_related("team")
    exact = people.filter(email__iexact=text).first()
    if exact is not None:
        return [exact]
    for word in text.split():
        people = people.filter(Q(name__icontains=word) | Q(email__icontains=word))
    return list(people.order_by("name", "pk")[:MAX_PEOPLE_MATCHES + 1])


def person_for_audit_filter(*, viewer: Person, person_id: int) -> Person | None:
    """Who an actor id in an audit link is, or None when they are not in the directory."""
    _require(viewer, ADMINISTRATORS)
    if not 0 < person_id <= MAX_ID:
        return None
    return Person.objects.select_related("team").filter(pk=person_id).first()


def audit_events(*, viewer: Person, filters: AuditFilter) -> QuerySet[AuditEvent]:
    _require(viewer, ADMINISTRATORS)
    # Not select_related: filtering on the actor turns its join into an INNER JOIN, which
    # would hide the events of people no longer in the directory.
    events = AuditEvent.objects.prefetch_related("actor")
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor_id:
        events = events.filter(actor_id=filters.actor_id)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    zone = timezone.get_current_timezone()
    if filters.since:
        events = events.filter(at__gte=datetime.combine(filters.since, time.min, tzinfo=zone))
    if filters.until:
        events = events.filter(at__lte=datetime.combine(filters.until, time.max, tzinfo=zone))
    return events


def needs_mfa_setup(person: Person) -> bool:
    """PERSON holds a role that requires two-factor sign-in (HAVEN_MFA_REQUIRED_ROLES) and has
    not set up TOTP yet: pages send them to set it up, the API refuses them."""
    return bool(person.roles & settings.HAVEN_MFA_REQUIRED_ROLES) and not (
        Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists())


def email_settings_of(person: Person) -> list[tuple[EmailKind, bool]]:
    """Each optional e-mail PERSON may get, and whether it is on: the kinds for everyone, those
    for a role they hold, and any they turned off (so that they can turn it on again)."""
    off = set(EmailOptOut.objects.filter(person=person).values_list("kind", flat=True))
    return [(kind, kind.key not in off) for kind in email_kinds()
            if not kind.roles or kind.roles & person.roles or kind.key in off]


def unsubscribing(token: str) -> tuple[Person, EmailKind] | None:
    """The person and kind an unsubscribe link names, or None when the link is not one of
    Haven's, was altered, or names someone no longer in the directory. Holding the link is
    the access check: it was sent to that person only."""
    named = read_unsubscribe_token(token)
    if named is None:
        return None
    person = Person.objects.filter(pk=named[0]).first()
    return (person, named[1]) if person is not None else None


@dataclass(frozen=True)
class SignUpCounts:
    """Where the directory stands: for the administrators' set-up checklist."""

    people: int  # active people in the directory
    not_invited: int  # no password yet and never invited
    invited: int  # invited, not signed up yet
    signed_up: int


def sign_up_counts(*, viewer: Person) -> SignUpCounts:
    _require(viewer, ADMINISTRATORS)
    no_password = Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)  # as has_usable_password
    counts = Person.objects.filter(is_active=True).aggregate(
        people=Count("pk"),
        not_invited=Count("pk", filter=no_password & Q(invited_at__isnull=True)),
        invited=Count("pk", filter=no_password & Q(invited_at__isnull=False)))
    return SignUpCounts(people=counts["people"], not_invited=counts["not_invited"],
                        invited=counts["invited"],
                        signed_up=counts["people"] - counts["not_invited"] - counts["invited"])


# The people picker (haven/static/haven/picker.js) asks as someone types. Short searches and
# long answers would turn it into a way to list the directory, so both are bounded.
PICKER_MIN_LENGTH = 2
PICKER_MAX_RESULTS = 10


def people_for_picker(*, viewer: Person, text: str, include_viewer: bool = False
                      ) -> list[Person]:
    """At most PICKER_MAX_RESULTS active people whose name or team contains TEXT (or whose
    work e-mail is TEXT), those whose name starts with it first; none for fewer than
    PICKER_MIN_LENGTH characters. The viewer is left out unless INCLUDE_VIEWER."""
    if not viewer.is_authenticated:
        raise PermissionDenied
    text = clean_search(text)
    if len(text) < PICKER_MIN_LENGTH:
        return []
    matching = Q(name__icontains=text) | Q(team__name__icontains=text)
    if "@" in text:
        matching |= Q(email__iexact=text)
    people = Person.objects.filter(matching, is_active=True).select_related("team")
    if not include_viewer:
        people = people.exclude(pk=viewer.pk)
    return list(people.annotate(later=Case(When(name__istartswith=text, then=0), default=1))
                .order_by("later", "name", "pk")[:PICKER_MAX_RESULTS])


@dataclass(frozen=True)
class MailFailures:
    """Outgoing e-mail in trouble, without content or addresses: FAILED e-mails were given up
    on after every retry (in the past week), REASONS counts them by the failure's type name
    (e.g. {"ConnectionRefusedError": 3}), RETRYING are waiting for another attempt."""
    failed: int
    reasons: dict[str, int]
    retrying: int


def mail_failures() -> MailFailures:
    """For administrators' Home and /healthz (no person's data: no viewer check needed)."""
    reasons: dict[str, int] = {}
    for result in failed_email().only("exception_class_path", "traceback"):
        reason = failure_reason(result)
        reasons[reason] = reasons.get(reason, 0) + 1
    retrying = DBTaskResult.objects.filter(
        task_path=send_email.module_path, status=TaskResultStatus.READY,
        args_kwargs__kwargs__attempt__gt=1).count()
    return MailFailures(failed=sum(reasons.values()), reasons=dict(sorted(reasons.items())),
                        retrying=retrying)
