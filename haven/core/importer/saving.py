"""Writing a checked import: the places it names, new people (managers before their reports),
changed fields, roles and activation, then one audit row."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from itertools import chain
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.utils import timezone

from haven.core.audit import audit
from haven.core.importer.columns import (
    PERSON_ATTRIBUTES,
    Directory,
    ImportRejected,
    ImportResult,
    Row,
    RowError,
)
from haven.core.models import AuditAction, Department, Location, Person, Team
from haven.core.services import set_person_active, set_roles

BATCH_SIZE = 500
MAX_LEVELS = 16  # of management among new people created level by level; see _create_people

RoleChange = tuple[Person, set[str]]
ActiveChange = tuple[int, int, bool]  # (line, person id, active)


class _Settled:
    """How many rows are saved or found unchanged so far, reported as the count grows."""

    def __init__(self, report: Callable[[int], None]) -> None:
        self.count = 0
        self.report = report

    def add(self, rows: int) -> None:
        self.count += rows
        self.report(self.count)


class _Writer:
    """The rows of one import, what is stored, and the ids of everyone saved so far."""

    def __init__(self, rows: list[Row], columns: list[str], directory: Directory) -> None:
        self.rows = rows
        self.columns = columns
        self.directory = directory
        self.ids = {email: values["id"] for email, values in directory.people.items()}
        self.created: dict[str, Person] = {}

    def attributes(self, row: Row) -> dict[str, Any]:
        """The Person attributes that the file's columns set, as ROW gives them."""
        directory = self.directory
        values = {"email": row.email, "name": row.name, "pronouns": row.pronouns,
                  "team_id": directory.teams[row.team].pk if row.team else None,
                  "department_id": (directory.departments[row.department].pk
                                    if row.department else None),
                  "location_id": directory.locations[row.location].pk if row.location else None,
                  "job_level": row.job_level, "start_date": row.start_date,
                  "languages": row.languages}
        return {PERSON_ATTRIBUTES[c]: values[PERSON_ATTRIBUTES[c]]
                for c in self.columns if c in PERSON_ATTRIBUTES}


def save(rows: list[Row], columns: list[str], directory: Directory, actor: Person | None,
         saved: Callable[[int], None]) -> ImportResult:
    places = _save_places(rows, directory)
    writer = _Writer(rows, columns, directory)
    settled = _Settled(saved)
    new_rows = [row for row in rows if row.email not in directory.people]
    _create_people(writer, new_rows, settled)
    changes, role_changes, active_changes = _plan_changes(writer, settled)
    changed_ids = _write_changes(changes, settled)
    _apply_roles_and_activation(role_changes, active_changes, actor)
    updated = len(set(changed_ids) | {person.pk for person, _roles in role_changes
                                      if person.email not in writer.created}
                  | {person_id for _line, person_id, _active in active_changes})
    result = ImportResult(created=len(new_rows), updated=updated,
                          unchanged=len(rows) - len(new_rows) - updated)
    audit(action=AuditAction.DIRECTORY_IMPORTED, actor=actor, detail={
        "rows": len(rows), "created": result.created, "updated": result.updated,
        "unchanged": result.unchanged, "roles_changed": len(role_changes),
        "deactivated": sum(1 for *_rest, active in active_changes if not active),
        "reactivated": sum(1 for *_rest, active in active_changes if active), **places})
    return result


def _create_people(writer: _Writer, new_rows: list[Row], settled: _Settled) -> None:
    # New managers are created before their new reports, a level at a time, so each report
    # is inserted with its manager. Beyond a realistic depth that would cost a query per
    # level, so the deepest levels are inserted together and their managers filled in after.
    levels = _by_management_depth(new_rows)
    if len(levels) > MAX_LEVELS:
        levels[MAX_LEVELS:] = [list(chain.from_iterable(levels[MAX_LEVELS:]))]
    waiting: list[tuple[Person, str]] = []
    for level in levels:
        for start in range(0, len(level), BATCH_SIZE):
            batch = []
            for row in level[start:start + BATCH_SIZE]:
                person = Person(**writer.attributes(row),
                                manager_id=writer.ids.get(row.manager_email),
                                password=_unusable_password(), is_active=row.active is not False)
                if row.manager_email and person.manager_id is None:
                    waiting.append((person, row.manager_email))
                batch.append(person)
            Person.objects.bulk_create(batch)
            writer.ids.update(_ids_of(batch))
            writer.created.update((person.email, person) for person in batch)
            settled.add(len(batch))
    for person, manager_email in waiting:
        person.manager_id = writer.ids[manager_email]
    Person.objects.bulk_update([person for person, _email in waiting], ["manager"],
                               batch_size=BATCH_SIZE)


def _plan_changes(writer: _Writer, settled: _Settled) -> tuple[
        dict[tuple[str, ...], list[Person]], list[RoleChange], list[ActiveChange]]:
    """The stored people whose fields differ, grouped by the fields that differ, and the
    role and activation changes of everyone in the file."""
    # Each changed person is written with only the fields that differ, grouped by those
    # fields: bulk_update's cost grows with rows × fields, and most re-imports change little.
    changes: dict[tuple[str, ...], list[Person]] = {}
    role_changes: list[RoleChange] = []
    active_changes: list[ActiveChange] = []
    unchanged = 0
    for row in writer.rows:
        current = writer.directory.people.get(row.email)
        if current is None:
            person, held = writer.created[row.email], set()
        else:
            wanted = writer.attributes(row)
            if "manager_email" in writer.columns:
                wanted["manager_id"] = writer.ids.get(row.manager_email)
            person = Person(id=current["id"], **wanted)
            held = writer.directory.roles.get(current["id"], set())
            differing = tuple(name for name, value in wanted.items() if current[name] != value)
            if differing:
                changes.setdefault(differing, []).append(person)
            else:
                unchanged += 1
        if row.roles is not None and row.roles != held:
            role_changes.append((person, row.roles))
        if current is not None and row.active is not None \
                and row.active != current["is_active"]:
            active_changes.append((row.line, current["id"], row.active))
    settled.add(unchanged)
    return changes, role_changes, active_changes


def _write_changes(changes: dict[tuple[str, ...], list[Person]],
                   settled: _Settled) -> list[int]:
    """Write the changed fields; returns the ids of the people changed."""
    changed_ids: list[int] = []
    for differing, people in changes.items():
        fields = [name.removesuffix("_id") for name in differing]
        for start in range(0, len(people), BATCH_SIZE):
            batch = people[start:start + BATCH_SIZE]
            Person.objects.bulk_update(batch, fields)
            changed_ids.extend(person.pk for person in batch)
            settled.add(len(batch))
    now = timezone.now()
    for start in range(0, len(changed_ids), BATCH_SIZE):
        # bulk_update and update() skip auto_now, so updated_at is stamped here.
        Person.objects.filter(pk__in=changed_ids[start:start + BATCH_SIZE]).update(
            updated_at=now)
    return changed_ids


def _apply_roles_and_activation(role_changes: list[RoleChange],
                                active_changes: list[ActiveChange],
                                actor: Person | None) -> None:
    # Role changes go through set_roles one person at a time so each grant and revocation is
    # audited as it would be from the person's page; only people whose roles differ get here.
    for person, roles in role_changes:
        set_roles(person=person, roles=roles, actor=actor)
    # Then (de)activations, one at a time through the service the person page uses, so each
    # ends sessions, tokens and support exactly as there, and is audited as there.
    for line, person_id, active in active_changes:
        try:
            set_person_active(person=Person.objects.get(pk=person_id), active=active,
                              actor=actor, via="import")
        except ValidationError as error:  # changed since the check: everything rolls back
            raise ImportRejected([RowError(line, " ".join(error.messages))]) from None


def _save_places(rows: list[Row], directory: Directory) -> dict[str, int]:
    """Create the departments, teams and locations the rows name; returns counts for the audit."""
    departments = _create_missing(
        Department, directory.departments, {row.department: {} for row in rows if row.department})
    team_departments = {row.team: directory.departments[row.department].pk
                        for row in rows if row.team and row.department}
    teams = _create_missing(Team, directory.teams, {
        row.team: {"department_id": team_departments.get(row.team)} for row in rows if row.team})
    moved = [team for name, team in directory.teams.items()
             if name in team_departments and team.department_id != team_departments[name]]
    for team in moved:
        team.department_id = team_departments[team.name]
    Team.objects.bulk_update(moved, ["department"], batch_size=BATCH_SIZE)
    zones = {row.location: row.time_zone for row in reversed(rows) if row.time_zone}
    locations = _create_missing(Location, directory.locations, {
        row.location: {"time_zone": zones.get(row.location, "")} for row in rows if row.location})
    return {"departments_created": departments, "teams_created": teams,
            "teams_moved": len(moved), "locations_created": locations}


def _unusable_password() -> str:
    # What set_unusable_password() stores, from one urandom call instead of 40 secrets.choice
    # calls, which cost about 0.3 s per 10,000 new people. People choose theirs when invited.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _create_missing(model: type[Department | Team | Location], existing: dict[str, Any],
                    wanted: dict[str, dict[str, Any]]) -> int:
    """Create the named rows not in EXISTING (adding them to it); returns how many."""
    new = [model(name=name, **values) for name, values in wanted.items() if name not in existing]
    manager: Any = model.objects
    manager.bulk_create(new, batch_size=BATCH_SIZE)
    if any(obj.pk is None for obj in new):
        # Databases that cannot return ids from a bulk insert: read them back by name.
        new = list(manager.filter(name__in=[obj.name for obj in new]))
    existing.update((obj.name, obj) for obj in new)
    return len(new)


def _ids_of(batch: list[Person]) -> dict[str, int]:
    if all(person.pk is not None for person in batch):
        return {person.email: person.pk for person in batch}
    # As in _create_missing: some databases do not return ids from a bulk insert.
    found = dict(Person.objects.filter(email__in=[p.email for p in batch])
                 .values_list("email", "pk"))
    for person in batch:
        person.pk = found[person.email]
    return found


def _by_management_depth(rows: list[Row]) -> list[list[Row]]:
    """New people grouped so that every new manager is created before their reports."""
    by_email = {row.email: row for row in rows}
    depth: dict[str, int] = {}
    for row in rows:
        climb: list[str] = []
        current = row.email
        while current not in depth:
            manager = by_email[current].manager_email
            if manager not in by_email:
                depth[current] = 0
                break
            climb.append(current)
            current = manager
        base = depth[current]
        for email in reversed(climb):
            base += 1
            depth[email] = base
    levels: list[list[Row]] = [[] for _level in range(max(depth.values(), default=-1) + 1)]
    for row in rows:
        levels[depth[row.email]].append(row)
    return levels
