"""The checks across rows, and against the directory as stored: duplicate e-mails, conflicting
teams and locations, managers and reporting cycles, and administrators who must remain."""

from __future__ import annotations

from itertools import chain
from typing import Any

from django.utils.translation import gettext as _

from haven.core.importer.columns import Directory, Row, RowError, join, quoted
from haven.core.models import Person, Role


def check_across_rows(rows: list[Row], columns: list[str], directory: Directory,
                      actor: Person | None) -> list[RowError]:
    """Problems only visible across rows or against the directory: duplicates, conflicting
    teams and locations, unknown managers and reporting cycles."""
    by_email, errors = _by_email(rows)
    errors.extend(_check_team_departments(rows))
    errors.extend(_check_locations(rows, directory))
    if "manager_email" in columns:
        errors.extend(_check_managers(by_email, directory))
    if "roles" in columns:
        errors.extend(_check_own_administrator_role(by_email, actor))
    if "active" in columns:
        errors.extend(_check_administrators_remain(by_email, directory))
    return errors


def _by_email(rows: list[Row]) -> tuple[dict[str, Row], list[RowError]]:
    """Each e-mail's first row, and an error for each later row with the same e-mail."""
    by_email: dict[str, Row] = {}
    errors: list[RowError] = []
    for row in rows:
        earlier = by_email.setdefault(row.email, row)
        if earlier is not row:
            errors.append(RowError(row.line, _("email %(value)s is already on line %(line)d.")
                                   % {"value": quoted(row.email), "line": earlier.line}))
    return by_email, errors


def _check_team_departments(rows: list[Row]) -> list[RowError]:
    errors: list[RowError] = []
    team_departments: dict[str, tuple[str, int]] = {}
    for row in rows:
        if row.team and row.department:
            department, line = team_departments.setdefault(row.team, (row.department, row.line))
            if department != row.department:
                errors.append(RowError(row.line, _(
                    "team %(team)s is given department %(here)s here but %(there)s on line "
                    "%(line)d.") % {"team": quoted(row.team), "here": quoted(row.department),
                                    "there": quoted(department), "line": line}))
    return errors


def _check_locations(rows: list[Row], directory: Directory) -> list[RowError]:
    """A stored location keeps its time zone; a new one needs exactly one."""
    errors: list[RowError] = []
    new_zones: dict[str, tuple[str, int]] = {}
    new_locations_first_line: dict[str, int] = {}
    for row in rows:
        location = directory.locations.get(row.location)
        if location is not None and row.time_zone and row.time_zone != location.time_zone:
            errors.append(RowError(row.line, _(
                "time_zone %(value)s differs from %(zone)s, the time zone of location "
                "%(location)s.") % {"value": quoted(row.time_zone),
                                    "zone": quoted(location.time_zone),
                                    "location": quoted(row.location)}))
        elif location is None and row.location and not row.time_zone_unknown:
            new_locations_first_line.setdefault(row.location, row.line)
            if row.time_zone:
                zone, line = new_zones.setdefault(row.location, (row.time_zone, row.line))
                if zone != row.time_zone:
                    errors.append(RowError(row.line, _(
                        "location %(location)s is given time_zone %(here)s here but %(there)s "
                        "on line %(line)d.") % {"location": quoted(row.location),
                                                "here": quoted(row.time_zone),
                                                "there": quoted(zone), "line": line}))
    for location_name, line in new_locations_first_line.items():
        if location_name not in new_zones:
            errors.append(RowError(line, _(
                "location %(location)s is new, so it needs a time_zone such as Europe/London.")
                % {"location": quoted(location_name)}))
    return errors


def _check_own_administrator_role(by_email: dict[str, Row],
                                  actor: Person | None) -> list[RowError]:
    if actor is None or not actor.is_authenticated:
        return []
    own = by_email.get(actor.email.lower())
    if own is not None and own.roles is not None and Role.ADMINISTRATOR not in own.roles \
            and actor.has_role(Role.ADMINISTRATOR):
        return [RowError(own.line, _(
            "this would remove your own administrator role; ask another administrator."))]
    return []


def _check_administrators_remain(by_email: dict[str, Row],
                                 directory: Directory) -> list[RowError]:
    """Deactivating the last active administrator would lock everyone out of managing Haven;
    the rows that would do it are named. Roles are changed before anyone is deactivated, so a
    file may hand the role on and deactivate the person who held it."""

    def stored(email: str) -> dict[str, Any] | None:
        return directory.people.get(email)

    def administrator_after(email: str) -> bool:
        row = by_email.get(email)
        if row is not None and row.roles is not None:
            return Role.ADMINISTRATOR in row.roles
        values = stored(email)
        return values is not None and Role.ADMINISTRATOR in directory.roles.get(values["id"], ())

    def active_after(email: str) -> bool:
        row = by_email.get(email)
        if row is not None and row.active is not None:
            return row.active
        values = stored(email)
        return values is None or values["is_active"]

    if any(administrator_after(email) and active_after(email)
           for email in chain(directory.people, by_email)):
        return []
    return [RowError(row.line, _(
        "active is no for the last active administrator; give another person the "
        "administrator role first (in the roles column or on their page)."))
        for row in by_email.values()
        if row.active is False and administrator_after(row.email)
        and (stored(row.email) or {}).get("is_active")]


def _check_managers(by_email: dict[str, Row], directory: Directory) -> list[RowError]:
    errors: list[RowError] = []
    # The reporting lines as they would be after the import: the file's, else the stored ones.
    manager_of = {email: directory.email_of.get(values["manager_id"] or 0)
                  for email, values in directory.people.items()}
    for email, row in by_email.items():
        manager = row.manager_email
        if manager == email:
            errors.append(RowError(row.line, _(
                "manager_email is the person's own e-mail; nobody can manage themselves.")))
            manager = ""
        elif manager and manager not in by_email and manager not in directory.people:
            errors.append(RowError(row.line, _(
                "manager_email %(value)s is not in this file nor in the directory.")
                % {"value": quoted(manager)}))
            manager = ""
        manager_of[email] = manager or None
    return errors + _check_cycles(by_email, manager_of)


def _check_cycles(by_email: dict[str, Row],
                  manager_of: dict[str, str | None]) -> list[RowError]:
    errors: list[RowError] = []
    # Each person has at most one manager, so following managers from each row either ends
    # or loops; a loop through a row of this file is this file's cycle.
    finished: set[str] = set()
    for start in by_email:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current not in finished and current not in on_path:
            path.append(current)
            on_path.add(current)
            current = manager_of.get(current)
        cycle = path[path.index(current):] if current is not None and current in on_path else []
        lines = sorted(by_email[email].line for email in cycle if email in by_email)
        # A loop among stored people only, which this file leaves alone, is not its problem.
        if lines:
            shown = [*cycle[:6], "…"] if len(cycle) > 6 else [*cycle, cycle[0]]
            others = (_(" (lines %(lines)s)") % {"lines": join(str(n) for n in lines[:10])}
                      if len(lines) > 1 else "")
            errors.append(RowError(lines[0], _(
                "manager_email makes a reporting cycle: %(cycle)s%(others)s.")
                % {"cycle": " → ".join(shown), "others": others}))
        finished.update(path)
    return errors
