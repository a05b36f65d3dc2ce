"""Import or update the directory from a CSV file: validate every row first, then all or nothing.
A column left out of the file leaves that field as stored; an empty cell clears it."""

from __future__ import annotations

import csv
import difflib
import re
import secrets
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import chain
from typing import Any, TextIO

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.core.audit import audit
from haven.core.models import AuditAction, Department, Location, Person, Role, RoleGrant, Team
from haven.core.services import clean_languages, set_person_active, set_roles
from haven.core.text import LINE_BREAKS_AND_TAB, bad_character, describe

# Semicolons separate items inside one cell, so a list never needs CSV quoting.
LIST_SEPARATOR = ";"
MAX_JOB_LEVEL = 15
BATCH_SIZE = 500
MAX_LEVELS = 16  # of management among new people created level by level; see _save

COLUMNS: list[tuple[str, bool, str]] = [
    # (column, required, what it holds): shown on the import page and by `haven import-people -h`
    ("email", True, "work e-mail; identifies the person on re-import (compared in lower case)"),
    ("name", True, "full name"),
    ("pronouns", False, "e.g. she/her or they/them"),
    ("team", False, "team name; a new name creates the team"),
    ("department", False, "department name; a new name creates it. Given with a team, it also "
                          "becomes that team's department"),
    ("location", False, "office or site name; a new name creates it"),
    ("time_zone", False, "the location's time zone, e.g. Europe/London: needed for a new "
                         "location, and must match an existing location's zone"),
    ("job_level", False, f"whole number from 1 to {MAX_JOB_LEVEL}"),
    ("manager_email", False, "the manager's work e-mail: anyone in this file (before or after "
                             "this row) or already in the directory"),
    ("start_date", False, "first working day as YYYY-MM-DD, e.g. 2024-09-02"),
    ("languages", False, "language codes separated by semicolons, e.g. en; fr; pt-BR"),
    ("roles", False, "roles separated by semicolons: supporter, coordinator, case_handler, "
                     "administrator. With this column, each person holds exactly the roles "
                     "listed (an empty cell removes them all); without it, roles stay as they are"),
    ("active", False, "yes or no. No deactivates the person at once: signed out everywhere, API "
                      "tokens revoked, support conversations handed over, sign-in refused. Yes "
                      "reactivates. An empty cell leaves them as they are; new people are "
                      "active unless the cell says no"),
]
COLUMN_NAMES = [name for name, _required, _meaning in COLUMNS]
REQUIRED_COLUMNS = [name for name, required, _meaning in COLUMNS if required]
# Column → the Person attribute it sets. manager_email is resolved separately, after creation.
PERSON_ATTRIBUTES = {
    "email": "email", "name": "name", "pronouns": "pronouns", "team": "team_id",
    "department": "department_id", "location": "location_id", "job_level": "job_level",
    "start_date": "start_date", "languages": "languages",
}
MAX_LENGTHS = {"email": 254, "name": 150, "pronouns": 40, "team": 120, "department": 120,
               "location": 120}
ROLE_NAMES = frozenset(Role.values)
ACTIVE_VALUES = {"yes": True, "no": False}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class RowError:
    line: int  # physical line in the file; the header is line 1
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problems; nothing was imported.")
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


ProgressCallback = Callable[[int, int], None]


@dataclass
class _Row:
    line: int
    email: str
    name: str = ""
    pronouns: str = ""
    team: str = ""
    department: str = ""
    location: str = ""
    time_zone: str = ""
    time_zone_unknown: bool = False  # already reported; the location needs no second report
    job_level: int | None = None
    manager_email: str = ""
    start_date: date | None = None
    languages: list[str] = field(default_factory=list)
    roles: set[str] | None = None
    active: bool | None = None  # None: the column is absent or the cell empty


@dataclass
class _Directory:
    """What is stored now, loaded once so that checking rows needs no further queries."""

    people: dict[str, dict[str, Any]]  # lower-case e-mail → id and current attributes
    email_of: dict[int, str]
    departments: dict[str, Department]
    teams: dict[str, Team]
    locations: dict[str, Location]
    roles: dict[int, set[str]]

    @classmethod
    def load(cls) -> _Directory:
        attributes = ["id", "manager_id", "is_active", *PERSON_ATTRIBUTES.values()]
        people: dict[str, dict[str, Any]] = {}
        for values in Person.objects.order_by("pk").values(*attributes):
            people.setdefault(values["email"].lower(), values)
        roles: dict[int, set[str]] = {}
        for person_id, role in RoleGrant.objects.values_list("person_id", "role"):
            roles.setdefault(person_id, set()).add(role)
        return cls(
            people=people,
            email_of={values["id"]: email for email, values in people.items()},
            departments={d.name: d for d in Department.objects.all()},
            teams={t.name: t for t in Team.objects.all()},
            locations={loc.name: loc for loc in Location.objects.all()},
            roles=roles,
        )


@cache
def _time_zones() -> frozenset[str]:
    # available_timezones() walks the zoneinfo files; once per process is enough.
    return frozenset(zoneinfo.available_timezones())


def _quoted(value: str) -> str:
    """A value as it appears in a message: quoted, and cut short if long."""
    return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}…'"


def _join(items: Iterable[str]) -> str:
    return ", ".join(items)


def import_people(*, source: TextIO, actor: Person | None,
                  progress: ProgressCallback | None = None) -> ImportResult:
    """Create or update the people in SOURCE (CSV text with a header row, see COLUMNS).

    Raises ImportRejected listing every problem, having changed nothing, if any row is wrong.
    PROGRESS(done, total) is called along the way; each row counts twice, checked and saved.
    """
    columns, lines, errors = _read(source)
    total = 2 * len(lines)

    def report(done: int) -> None:
        if progress is not None:
            progress(done, total)

    with transaction.atomic():
        directory = _Directory.load()
        rows: list[_Row] = []
        for done, (line, cells) in enumerate(lines, start=1):
            row = _parse_row(line, cells, columns, errors)
            if row is not None:
                rows.append(row)
            if done % 1000 == 0:
                report(done)
        errors.extend(_check_across_rows(rows, columns, directory, actor))
        if errors:
            raise ImportRejected(sorted(errors, key=lambda error: error.line))
        report(len(lines))
        result = _save(rows, columns, directory, actor,
                       lambda saved: report(len(lines) + saved))
    report(total)
    return result


def _read(source: TextIO) -> tuple[list[str], list[tuple[int, list[str]]], list[RowError]]:
    """The checked header, the non-blank rows with the line each starts on, and rows whose
    number of fields differs from the header's."""
    reader = csv.reader(source)
    lines: list[tuple[int, list[str]]] = []
    errors: list[RowError] = []
    try:
        header = next(reader, None)
        if header is None:
            raise ImportRejected([RowError(1, _(
                "the file is empty; its first line must name the columns, e.g. email,name."))])
        columns = _check_header(header)
        while True:
            # line_num counts physical lines read so far, so a row with a quoted line break
            # still reports the line it starts on.
            line = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                break
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, and spreadsheets' rows of empty cells
            if len(cells) != len(columns):
                errors.append(RowError(line, _(
                    "this row has %(found)d fields but the header has %(expected)d; look for a "
                    "stray comma or an unclosed quote.") % {"found": len(cells),
                                                            "expected": len(columns)}))
            else:
                lines.append((line, cells))
    except csv.Error as error:
        raise ImportRejected([RowError(max(reader.line_num, 1), _(
            "the file cannot be read as CSV here: %(error)s.") % {"error": error})]) from None
    return columns, lines, errors


def _check_header(header: list[str]) -> list[str]:
    # Excel writes a byte-order mark; a source opened without utf-8-sig still carries it.
    columns = [cell.strip().lower().lstrip("\ufeff").strip() for cell in header]
    problems: list[str] = []
    if not any(columns):
        problems.append(_("the first line must name the columns, e.g. email,name."))
    elif len(columns) == 1 and LIST_SEPARATOR in columns[0]:
        problems.append(_("the columns are separated by semicolons; separate them with commas "
                          "(in Excel, save as “CSV UTF-8”)."))
    else:
        for position, name in enumerate(columns, start=1):
            if not name:
                problems.append(_("column %(n)d has no name.") % {"n": position})
            elif columns.index(name) != position - 1:
                problems.append(_("the column %(name)s appears twice.") % {"name": _quoted(name)})
            elif name not in COLUMN_NAMES:
                guess = difflib.get_close_matches(name, COLUMN_NAMES, n=1)
                hint = (_(" Did you mean %(guess)s?") % {"guess": _quoted(guess[0])}
                        if guess else "")
                problems.append(_("unknown column %(name)s; the columns are %(known)s.%(hint)s")
                                % {"name": _quoted(name), "known": _join(COLUMN_NAMES),
                                   "hint": hint})
        for name in REQUIRED_COLUMNS:
            if name not in columns:
                problems.append(_("the required column %(name)s is missing.")
                                % {"name": _quoted(name)})
        if "time_zone" in columns and "location" not in columns:
            problems.append(_("the time_zone column needs a location column beside it."))
    if problems:
        raise ImportRejected([RowError(1, problem) for problem in problems])
    return columns


def _parse_row(line: int, cells: list[str], columns: list[str],
               errors: list[RowError]) -> _Row | None:
    """The row's cleaned values; its problems go to ERRORS. None if it has no usable e-mail."""
    raw = {name: cell.strip() for name, cell in zip(columns, cells, strict=True)}
    reported: set[str] = set()  # columns already reported; their empty value says no more
    for name, value in raw.items():
        # Every value is one line (a name, a team, an e-mail …), and holds nothing that
        # cannot be stored: the rule of every other input (haven.core.text).
        found = bad_character(value, multiline=False)
        if found is not None:
            reported.add(name)
            position, char = found
            errors.append(RowError(line, (
                _("%(column)s contains %(what)s at position %(position)d; a value must be "
                  "on one line.") if char in LINE_BREAKS_AND_TAB else
                _("%(column)s contains a character that cannot be stored: %(what)s at "
                  "position %(position)d.")) % {"column": name, "what": describe(char),
                                               "position": position}))
            raw[name] = ""

    def fail(message: str, **params: object) -> None:
        errors.append(RowError(line, message % params))

    for name, limit in MAX_LENGTHS.items():
        if len(raw.get(name, "")) > limit:
            fail(_("%(column)s is longer than %(limit)d characters."), column=name, limit=limit)
            reported.add(name)
            raw[name] = ""

    email = raw["email"].lower()
    usable_email = False
    if not email:
        if "email" not in reported:
            fail(_("email is empty; every row needs one."))
    else:
        try:
            validate_email(email)
            usable_email = True
        except ValidationError:
            fail(_("email %(value)s is not an e-mail address."), value=_quoted(raw["email"]))
    row = _Row(line=line, email=email, name=raw["name"], pronouns=raw.get("pronouns", ""),
               team=raw.get("team", ""), department=raw.get("department", ""),
               location=raw.get("location", ""), manager_email=raw.get("manager_email", "").lower())
    if not row.name and "name" not in reported:
        fail(_("name is empty; every row needs one."))

    time_zone = raw.get("time_zone", "")
    if time_zone and time_zone not in _time_zones():
        row.time_zone_unknown = True
        fail(_("time_zone %(value)s is not a time zone name such as Europe/London."),
             value=_quoted(time_zone))
    elif time_zone and not row.location:
        fail(_("time_zone %(value)s is given but location is empty."), value=_quoted(time_zone))
    else:
        row.time_zone = time_zone

    job_level = raw.get("job_level", "")
    if job_level:
        if job_level.isascii() and job_level.isdigit() and 1 <= int(job_level) <= MAX_JOB_LEVEL:
            row.job_level = int(job_level)
        else:
            fail(_("job_level %(value)s is not a whole number from 1 to %(max)d."),
                 value=_quoted(job_level), max=MAX_JOB_LEVEL)

    start_date = raw.get("start_date", "")
    if start_date:
        try:
            if not ISO_DATE.fullmatch(start_date):
                raise ValueError(start_date)
            row.start_date = date.fromisoformat(start_date)
        except ValueError:
            fail(_("start_date %(value)s is not a date in YYYY-MM-DD form."),
                 value=_quoted(start_date))

    languages = raw.get("languages", "")
    try:
        row.languages = clean_languages(languages.split(LIST_SEPARATOR))
    except ValidationError as error:
        hint = (_(" Separate languages with semicolons, e.g. en; fr.")
                if "," in languages else "")
        fail(_("languages: %(reason)s%(hint)s"), reason=" ".join(error.messages), hint=hint)

    if "roles" in raw:
        given = {role.strip().lower() for role in raw["roles"].split(LIST_SEPARATOR)}
        # Everyone is a colleague; saying so is harmless, so it is accepted and dropped.
        given -= {"", "colleague"}
        unknown = sorted(given - ROLE_NAMES)
        if unknown:
            fail(_("roles: %(unknown)s is not a role; use %(known)s, separated by semicolons."),
                 unknown=_join(_quoted(role) for role in unknown), known=_join(Role.values))
        row.roles = given - set(unknown)

    active = raw.get("active", "").lower()
    if active in ACTIVE_VALUES:
        row.active = ACTIVE_VALUES[active]
    elif active:
        fail(_("active %(value)s is not yes or no; write no to deactivate the person, yes to "
               "reactivate them, or leave the cell empty to keep them as they are."),
             value=_quoted(raw["active"]))
    return row if usable_email else None


def _check_across_rows(rows: list[_Row], columns: list[str], directory: _Directory,
                       actor: Person | None) -> list[RowError]:
    """Problems only visible across rows or against the directory: duplicates, conflicting
    teams and locations, unknown managers and reporting cycles."""
    errors: list[RowError] = []
    by_email: dict[str, _Row] = {}
    team_departments: dict[str, tuple[str, int]] = {}
    new_zones: dict[str, tuple[str, int]] = {}
    new_locations_first_line: dict[str, int] = {}
    for row in rows:
        earlier = by_email.setdefault(row.email, row)
        if earlier is not row:
            errors.append(RowError(row.line, _("email %(value)s is already on line %(line)d.")
                                   % {"value": _quoted(row.email), "line": earlier.line}))
        if row.team and row.department:
            department, line = team_departments.setdefault(row.team, (row.department, row.line))
            if department != row.department:
                errors.append(RowError(row.line, _(
                    "team %(team)s is given department %(here)s here but %(there)s on line "
                    "%(line)d.") % {"team": _quoted(row.team), "here": _quoted(row.department),
                                    "there": _quoted(department), "line": line}))
        location = directory.locations.get(row.location)
        if location is not None and row.time_zone and row.time_zone != location.time_zone:
            errors.append(RowError(row.line, _(
                "time_zone %(value)s differs from %(zone)s, the time zone of location "
                "%(location)s.") % {"value": _quoted(row.time_zone),
                                    "zone": _quoted(location.time_zone),
                                    "location": _quoted(row.location)}))
        elif location is None and row.location and not row.time_zone_unknown:
            new_locations_first_line.setdefault(row.location, row.line)
            if row.time_zone:
                zone, line = new_zones.setdefault(row.location, (row.time_zone, row.line))
                if zone != row.time_zone:
                    errors.append(RowError(row.line, _(
                        "location %(location)s is given time_zone %(here)s here but %(there)s "
                        "on line %(line)d.") % {"location": _quoted(row.location),
                                                "here": _quoted(row.time_zone),
                                                "there": _quoted(zone), "line": line}))
    for location_name, line in new_locations_first_line.items():
        if location_name not in new_zones:
            errors.append(RowError(line, _(
                "location %(location)s is new, so it needs a time_zone such as Europe/London.")
                % {"location": _quoted(location_name)}))
    if "manager_email" in columns:
        errors.extend(_check_managers(by_email, directory))
    if "roles" in columns and actor is not None and actor.is_authenticated:
        own = by_email.get(actor.email.lower())
        if own is not None and own.roles is not None and Role.ADMINISTRATOR not in own.roles \
                and actor.has_role(Role.ADMINISTRATOR):
            errors.append(RowError(own.line, _(
                "this would remove your own administrator role; ask another administrator.")))
    if "active" in columns:
        errors.extend(_check_administrators_remain(by_email, directory))
    return errors


def _check_administrators_remain(by_email: dict[str, _Row],
                                 directory: _Directory) -> list[RowError]:
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


def _check_managers(by_email: dict[str, _Row], directory: _Directory) -> list[RowError]:
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
                % {"value": _quoted(manager)}))
            manager = ""
        manager_of[email] = manager or None
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
            others = (_(" (lines %(lines)s)") % {"lines": _join(str(n) for n in lines[:10])}
                      if len(lines) > 1 else "")
            errors.append(RowError(lines[0], _(
                "manager_email makes a reporting cycle: %(cycle)s%(others)s.")
                % {"cycle": " → ".join(shown), "others": others}))
        finished.update(path)
    return errors


def _save(rows: list[_Row], columns: list[str], directory: _Directory, actor: Person | None,
          saved: Callable[[int], None]) -> ImportResult:
    places = _save_places(rows, directory)

    def attributes(row: _Row) -> dict[str, Any]:
        values = {"email": row.email, "name": row.name, "pronouns": row.pronouns,
                  "team_id": directory.teams[row.team].pk if row.team else None,
                  "department_id": (directory.departments[row.department].pk
                                    if row.department else None),
                  "location_id": directory.locations[row.location].pk if row.location else None,
                  "job_level": row.job_level, "start_date": row.start_date,
                  "languages": row.languages}
        return {PERSON_ATTRIBUTES[c]: values[PERSON_ATTRIBUTES[c]]
                for c in columns if c in PERSON_ATTRIBUTES}

    ids = {email: values["id"] for email, values in directory.people.items()}
    settled = 0
    new_rows = [row for row in rows if row.email not in directory.people]
    created: dict[str, Person] = {}
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
                person = Person(**attributes(row), manager_id=ids.get(row.manager_email),
                                password=_unusable_password(), is_active=row.active is not False)
                if row.manager_email and person.manager_id is None:
                    waiting.append((person, row.manager_email))
                batch.append(person)
            Person.objects.bulk_create(batch)
            ids.update(_ids_of(batch))
            created.update((person.email, person) for person in batch)
            settled += len(batch)
            saved(settled)
    for person, manager_email in waiting:
        person.manager_id = ids[manager_email]
    Person.objects.bulk_update([person for person, _email in waiting], ["manager"],
                               batch_size=BATCH_SIZE)

    # Each changed person is written with only the fields that differ, grouped by those
    # fields: bulk_update's cost grows with rows × fields, and most re-imports change little.
    changes: dict[tuple[str, ...], list[Person]] = {}
    role_changes: list[tuple[Person, set[str]]] = []
    active_changes: list[tuple[int, int, bool]] = []  # (line, person id, active)
    for row in rows:
        current = directory.people.get(row.email)
        if current is None:
            person, held = created[row.email], set()
        else:
            wanted = attributes(row)
            if "manager_email" in columns:
                wanted["manager_id"] = ids.get(row.manager_email)
            person = Person(id=current["id"], **wanted)
            held = directory.roles.get(current["id"], set())
            differing = tuple(name for name, value in wanted.items() if current[name] != value)
            if differing:
                changes.setdefault(differing, []).append(person)
            else:
                settled += 1
        if row.roles is not None and row.roles != held:
            role_changes.append((person, row.roles))
        if current is not None and row.active is not None \
                and row.active != current["is_active"]:
            active_changes.append((row.line, current["id"], row.active))
    saved(settled)
    changed_ids: list[int] = []
    for differing, people in changes.items():
        fields = [name.removesuffix("_id") for name in differing]
        for start in range(0, len(people), BATCH_SIZE):
            batch = people[start:start + BATCH_SIZE]
            Person.objects.bulk_update(batch, fields)
            changed_ids.extend(person.pk for person in batch)
            settled += len(batch)
            saved(settled)
    now = timezone.now()
    for start in range(0, len(changed_ids), BATCH_SIZE):
        # bulk_update and update() skip auto_now, so updated_at is stamped here.
        Person.objects.filter(pk__in=changed_ids[start:start + BATCH_SIZE]).update(
            updated_at=now)

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
    updated = len(set(changed_ids) | {person.pk for person, _roles in role_changes
                                      if person.email not in created}
                  | {person_id for _line, person_id, _active in active_changes})
    result = ImportResult(created=len(new_rows), updated=updated,
                          unchanged=len(rows) - len(new_rows) - updated)
    audit(action=AuditAction.DIRECTORY_IMPORTED, actor=actor, detail={
        "rows": len(rows), "created": result.created, "updated": result.updated,
        "unchanged": result.unchanged, "roles_changed": len(role_changes),
        "deactivated": sum(1 for *_rest, active in active_changes if not active),
        "reactivated": sum(1 for *_rest, active in active_changes if active), **places})
    return result


def _save_places(rows: list[_Row], directory: _Directory) -> dict[str, int]:
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


def _by_management_depth(rows: list[_Row]) -> list[list[_Row]]:
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
    levels: list[list[_Row]] = [[] for _level in range(max(depth.values(), default=-1) + 1)]
    for row in rows:
        levels[depth[row.email]].append(row)
    return levels
