"""What every stage of the import shares: the columns a file may have, a parsed row, the
directory as stored before the import, and the errors that reject a file."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from haven.core.models import Department, Location, Person, Role, RoleGrant, Team

# Semicolons separate items inside one cell, so a list never needs CSV quoting.
LIST_SEPARATOR = ";"
MAX_JOB_LEVEL = 15

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
class Row:
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
class Directory:
    """What is stored now, loaded once so that checking rows needs no further queries."""

    people: dict[str, dict[str, Any]]  # lower-case e-mail → id and current attributes
    email_of: dict[int, str]
    departments: dict[str, Department]
    teams: dict[str, Team]
    locations: dict[str, Location]
    roles: dict[int, set[str]]

    @classmethod
    def load(cls) -> Directory:
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


def quoted(value: str) -> str:
    """A value as it appears in a message: quoted, and cut short if long."""
    return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}…'"


def join(items: Iterable[str]) -> str:
    return ", ".join(items)
