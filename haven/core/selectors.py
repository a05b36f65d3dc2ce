"""Reads of the directory and the audit log, each with its access check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from haven.core.access import ADMINISTRATORS, COORDINATORS, allows
from haven.core.models import AuditEvent, Person, PersonalAccessToken, RoleGrant


def _require(viewer: Person, rule: frozenset[str]) -> None:
    if not viewer.is_authenticated or not allows(rule, viewer.roles):
        raise PermissionDenied


def people_for_directory(*, viewer: Person, search: str = "", role: str = "",
                         team_id: int | None = None) -> QuerySet[Person]:
    _require(viewer, COORDINATORS)
    people = (Person.objects.select_related("team", "department", "location", "manager")
              .prefetch_related(Prefetch("role_grants", queryset=RoleGrant.objects.all())))
    if search:
        people = people.filter(Q(name__icontains=search) | Q(email__icontains=search))
    if role:
        people = people.filter(role_grants__role=role)
    if team_id:
        people = people.filter(team_id=team_id)
    return people.order_by("name", "pk")


def person_for_directory(*, viewer: Person, person_id: int) -> Person:
    _require(viewer, COORDINATORS)
    person = (Person.objects.select_related("team", "department", "location", "manager")
              .prefetch_related("role_grants").filter(pk=person_id).first())
    if person is None:
        raise Http404
    return person


def access_tokens_of(*, person: Person) -> QuerySet[PersonalAccessToken]:
    return PersonalAccessToken.objects.filter(person=person)


def access_token_of(*, person: Person, token_id: int) -> PersonalAccessToken:
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


def audit_events(*, viewer: Person, filters: AuditFilter) -> QuerySet[AuditEvent]:
    _require(viewer, ADMINISTRATORS)
    events = AuditEvent.objects.select_related("actor")
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
