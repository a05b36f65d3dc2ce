"""Reading the CSV file: its header, and each row on its own into cleaned values, with the
problems of each row reported by line."""

from __future__ import annotations

import csv
import difflib
import zoneinfo
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import TextIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from haven.core.importer.columns import (
    ACTIVE_VALUES,
    COLUMN_NAMES,
    ISO_DATE,
    LIST_SEPARATOR,
    MAX_JOB_LEVEL,
    MAX_LENGTHS,
    REQUIRED_COLUMNS,
    ROLE_NAMES,
    ImportRejected,
    Row,
    RowError,
    join,
    quoted,
)
from haven.core.models import Role
from haven.core.services import clean_languages
from haven.core.text import LINE_BREAKS_AND_TAB, bad_character, describe


@cache
def _time_zones() -> frozenset[str]:
    # available_timezones() walks the zoneinfo files; once per process is enough.
    return frozenset(zoneinfo.available_timezones())


def read(source: TextIO) -> tuple[list[str], list[tuple[int, list[str]]], list[RowError]]:
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
        problems.extend(_column_name_problems(columns))
    if problems:
        raise ImportRejected([RowError(1, problem) for problem in problems])
    return columns


def _column_name_problems(columns: list[str]) -> list[str]:
    problems: list[str] = []
    for position, name in enumerate(columns, start=1):
        if not name:
            problems.append(_("column %(n)d has no name.") % {"n": position})
        elif columns.index(name) != position - 1:
            problems.append(_("the column %(name)s appears twice.") % {"name": quoted(name)})
        elif name not in COLUMN_NAMES:
            guess = difflib.get_close_matches(name, COLUMN_NAMES, n=1)
            hint = (_(" Did you mean %(guess)s?") % {"guess": quoted(guess[0])}
                    if guess else "")
            problems.append(_("unknown column %(name)s; the columns are %(known)s.%(hint)s")
                            % {"name": quoted(name), "known": join(COLUMN_NAMES),
                               "hint": hint})
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            problems.append(_("the required column %(name)s is missing.")
                            % {"name": quoted(name)})
    if "time_zone" in columns and "location" not in columns:
        problems.append(_("the time_zone column needs a location column beside it."))
    return problems


def parse_row(line: int, cells: list[str], columns: list[str],
              errors: list[RowError]) -> Row | None:
    """The row's cleaned values; its problems go to ERRORS. None if it has no usable e-mail."""
    raw = {name: cell.strip() for name, cell in zip(columns, cells, strict=True)}
    # Columns already reported: their value is emptied and says no more.
    reported, problems = _clear_unstorable(raw)
    email = raw["email"].lower()
    email_problem = _email_problem(email, raw, reported)
    if email_problem is not None:
        problems.append(email_problem)
    row = Row(line=line, email=email, name=raw["name"], pronouns=raw.get("pronouns", ""),
              team=raw.get("team", ""), department=raw.get("department", ""),
              location=raw.get("location", ""), manager_email=raw.get("manager_email", "").lower())
    if not row.name and "name" not in reported:
        problems.append(_("name is empty; every row needs one."))
    for parse in _FIELD_PARSERS:
        problem = parse(row, raw)
        if problem is not None:
            problems.append(problem)
    errors.extend(RowError(line, problem) for problem in problems)
    return row if email and email_problem is None else None


def _clear_unstorable(raw: dict[str, str]) -> tuple[set[str], list[str]]:
    """Empty the values that cannot be stored; returns their columns and the problems."""
    reported: set[str] = set()
    problems: list[str] = []
    for name, value in raw.items():
        # Every value is one line (a name, a team, an e-mail …), and holds nothing that
        # cannot be stored: the rule of every other input (haven.core.text).
        found = bad_character(value, multiline=False)
        if found is not None:
            reported.add(name)
            position, char = found
            problems.append((
                _("%(column)s contains %(what)s at position %(position)d; a value must be "
                  "on one line.") if char in LINE_BREAKS_AND_TAB else
                _("%(column)s contains a character that cannot be stored: %(what)s at "
                  "position %(position)d.")) % {"column": name, "what": describe(char),
                                               "position": position})
            raw[name] = ""
    for name, limit in MAX_LENGTHS.items():
        if len(raw.get(name, "")) > limit:
            problems.append(_("%(column)s is longer than %(limit)d characters.")
                            % {"column": name, "limit": limit})
            reported.add(name)
            raw[name] = ""
    return reported, problems


def _email_problem(email: str, raw: dict[str, str], reported: set[str]) -> str | None:
    if not email:
        return None if "email" in reported else _("email is empty; every row needs one.")
    try:
        validate_email(email)
    except ValidationError:
        return _("email %(value)s is not an e-mail address.") % {"value": quoted(raw["email"])}
    return None


# Each of these sets one field of ROW from the RAW cells, or returns why it cannot.
FieldParser = Callable[[Row, dict[str, str]], "str | None"]


def _parse_time_zone(row: Row, raw: dict[str, str]) -> str | None:
    time_zone = raw.get("time_zone", "")
    if time_zone and time_zone not in _time_zones():
        row.time_zone_unknown = True
        return (_("time_zone %(value)s is not a time zone name such as Europe/London.")
                % {"value": quoted(time_zone)})
    if time_zone and not row.location:
        return (_("time_zone %(value)s is given but location is empty.")
                % {"value": quoted(time_zone)})
    row.time_zone = time_zone
    return None


def _parse_job_level(row: Row, raw: dict[str, str]) -> str | None:
    job_level = raw.get("job_level", "")
    if not job_level:
        return None
    if job_level.isascii() and job_level.isdigit() and 1 <= int(job_level) <= MAX_JOB_LEVEL:
        row.job_level = int(job_level)
        return None
    return (_("job_level %(value)s is not a whole number from 1 to %(max)d.")
            % {"value": quoted(job_level), "max": MAX_JOB_LEVEL})


def _parse_start_date(row: Row, raw: dict[str, str]) -> str | None:
    start_date = raw.get("start_date", "")
    if not start_date:
        return None
    try:
        if not ISO_DATE.fullmatch(start_date):
            raise ValueError(start_date)
        row.start_date = date.fromisoformat(start_date)
    except ValueError:
        return (_("start_date %(value)s is not a date in YYYY-MM-DD form.")
                % {"value": quoted(start_date)})
    return None


def _parse_languages(row: Row, raw: dict[str, str]) -> str | None:
    languages = raw.get("languages", "")
    try:
        row.languages = clean_languages(languages.split(LIST_SEPARATOR))
    except ValidationError as error:
        hint = (_(" Separate languages with semicolons, e.g. en; fr.")
                if "," in languages else "")
        return (_("languages: %(reason)s%(hint)s")
                % {"reason": " ".join(error.messages), "hint": hint})
    return None


def _parse_roles(row: Row, raw: dict[str, str]) -> str | None:
    if "roles" not in raw:
        return None
    given = {role.strip().lower() for role in raw["roles"].split(LIST_SEPARATOR)}
    # Everyone is a colleague; saying so is harmless, so it is accepted and dropped.
    given -= {"", "colleague"}
    unknown = sorted(given - ROLE_NAMES)
    row.roles = given - set(unknown)
    if unknown:
        return (_("roles: %(unknown)s is not a role; use %(known)s, separated by semicolons.")
                % {"unknown": join(quoted(role) for role in unknown),
                   "known": join(Role.values)})
    return None


def _parse_active(row: Row, raw: dict[str, str]) -> str | None:
    active = raw.get("active", "").lower()
    if active in ACTIVE_VALUES:
        row.active = ACTIVE_VALUES[active]
    elif active:
        return (_("active %(value)s is not yes or no; write no to deactivate the person, yes to "
                  "reactivate them, or leave the cell empty to keep them as they are.")
                % {"value": quoted(raw["active"])})
    return None


_FIELD_PARSERS: tuple[FieldParser, ...] = (
    _parse_time_zone, _parse_job_level, _parse_start_date, _parse_languages, _parse_roles,
    _parse_active,
)
