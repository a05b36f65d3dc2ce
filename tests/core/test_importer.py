"""The directory CSV import: the service, the upload page and `haven import-people`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from haven.core.importer import ImportRejected, ImportResult, ProgressCallback, import_people
from haven.core.models import (
    AuditAction,
    AuditEvent,
    Department,
    Location,
    Person,
    Role,
    RoleGrant,
    Team,
)
from tests.factories import LocationFactory, TeamFactory, make_person

pytestmark = pytest.mark.django_db

FULL_HEADER = ("email,name,pronouns,team,department,location,time_zone,job_level,"
               "manager_email,start_date,languages,roles")
ROOT = Path(__file__).resolve().parents[2]


def csv_text(*rows: str, header: str = FULL_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def run(text: str, actor: Person | None = None,
        progress: ProgressCallback | None = None) -> ImportResult:
    return import_people(source=io.StringIO(text), actor=actor, progress=progress)


def problems(text: str, actor: Person | None = None) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        run(text, actor)
    return [str(error) for error in rejected.value.errors]


def directory_snapshot() -> tuple[list[tuple[object, ...]], int, int, int, int]:
    people = list(Person.objects.order_by("pk").values_list(
        "email", "name", "pronouns", "team_id", "department_id", "location_id", "job_level",
        "manager_id", "start_date", "languages", "updated_at"))
    return (people, Team.objects.count(), Department.objects.count(), Location.objects.count(),
            RoleGrant.objects.count())


GOOD = csv_text(
    "Ann.Lee@Example.org,Ann Lee,she/her,Platform,Engineering,Leeds,Europe/London,5,"
    "bo@example.org,2023-01-02,en; fr,supporter",
    "bo@example.org,Bo Ng,,Platform,Engineering,Leeds,,9,,2019-05-01,en,",
)


# --- a valid file -------------------------------------------------------------------------

def test_it_creates_people_with_every_column() -> None:
    result = run(GOOD)

    assert result == ImportResult(created=2, updated=0, unchanged=0)
    ann = Person.objects.get(email="ann.lee@example.org")
    bo = Person.objects.get(email="bo@example.org")
    assert ann.name == "Ann Lee"
    assert ann.pronouns == "she/her"
    assert ann.team is not None and ann.team.name == "Platform"
    assert ann.team.department is not None and ann.team.department.name == "Engineering"
    assert ann.department == ann.team.department
    assert ann.location is not None and ann.location.name == "Leeds"
    assert ann.location.time_zone == "Europe/London"
    assert ann.job_level == 5
    assert ann.manager == bo
    assert ann.start_date == date(2023, 1, 2)
    assert ann.languages == ["en", "fr"]
    assert ann.roles == {"colleague", "supporter"}
    assert bo.manager is None
    assert bo.roles == {"colleague"}
    assert not ann.has_usable_password()
    assert not bo.has_usable_password()
    assert ann.password != bo.password  # random, as set_unusable_password() makes them
    assert Team.objects.count() == 1
    assert Location.objects.count() == 1


def test_it_audits_the_import_with_counts_only() -> None:
    administrator = make_person(Role.ADMINISTRATOR)
    run(GOOD, actor=administrator)

    event = AuditEvent.objects.get(action=AuditAction.DIRECTORY_IMPORTED)
    assert event.actor == administrator
    assert event.detail["created"] == 2
    assert event.detail["updated"] == 0
    assert event.detail["unchanged"] == 0
    assert all(isinstance(value, int) for value in event.detail.values())
    stored = str(event.detail) + event.object_id
    assert "ann" not in stored.lower()
    assert "example.org" not in stored


def test_it_accepts_any_case_in_the_header_and_a_byte_order_mark() -> None:
    result = run("\ufeffEMAIL, Name \nkai@example.org,Kai\n")

    assert result.created == 1
    assert Person.objects.get(email="kai@example.org").name == "Kai"


def test_it_skips_blank_lines() -> None:
    result = run("email,name\n\nkai@example.org,Kai\n,\n")

    assert result.created == 1


def test_it_imports_a_header_with_no_rows_as_nothing() -> None:
    assert run("email,name\n") == ImportResult(created=0, updated=0, unchanged=0)


# --- re-importing -----------------------------------------------------------------------------

def test_a_reimport_changes_nothing_and_counts_everyone_unchanged() -> None:
    run(GOOD)
    before = directory_snapshot()

    result = run(GOOD)

    assert result == ImportResult(created=0, updated=0, unchanged=2)
    assert directory_snapshot() == before


def test_a_reimport_updates_people_by_email_without_duplicating_them() -> None:
    run(GOOD)
    ann = Person.objects.get(email="ann.lee@example.org")
    bo_updated_at = Person.objects.get(email="bo@example.org").updated_at
    changed = GOOD.replace("Ann Lee,she/her,Platform", "Ann Lee-Smith,she/her,Mobile")

    result = run(changed)

    assert result == ImportResult(created=0, updated=1, unchanged=1)
    assert Person.objects.count() == 2
    ann.refresh_from_db()
    assert ann.name == "Ann Lee-Smith"
    assert ann.team is not None and ann.team.name == "Mobile"
    assert ann.job_level == 5
    assert ann.updated_at > Person.objects.get(email="bo@example.org").updated_at
    assert Person.objects.get(email="bo@example.org").updated_at == bo_updated_at


def test_a_reimport_writes_each_persons_own_changes() -> None:
    run(GOOD)
    changed = (GOOD.replace("Ann Lee,she/her", "Ann Lee,they/them")
               .replace("Leeds,,9,", "Leeds,,10,").replace("en; fr", "fr"))

    result = run(changed)

    assert result == ImportResult(created=0, updated=2, unchanged=0)
    ann = Person.objects.get(email="ann.lee@example.org")
    bo = Person.objects.get(email="bo@example.org")
    assert (ann.pronouns, ann.languages, ann.job_level) == ("they/them", ["fr"], 5)
    assert (bo.pronouns, bo.languages, bo.job_level) == ("", ["en"], 10)


def test_it_matches_stored_people_whatever_the_case_of_the_email() -> None:
    person = make_person(email="kai@example.org", name="Kai")

    result = run("email,name\nKAI@Example.ORG,Kai Moreau\n")

    assert result == ImportResult(created=0, updated=1, unchanged=0)
    person.refresh_from_db()
    assert person.name == "Kai Moreau"
    assert Person.objects.count() == 1


def test_columns_left_out_keep_what_is_stored() -> None:
    person = make_person(email="kai@example.org", name="Kai", pronouns="they/them",
                         languages=["de"], job_level=4)
    team_id, location_id = person.team_id, person.location_id

    result = run("email,name\nkai@example.org,Kai\n")

    assert result == ImportResult(created=0, updated=0, unchanged=1)
    person.refresh_from_db()
    assert (person.pronouns, person.languages, person.job_level) == ("they/them", ["de"], 4)
    assert (person.team_id, person.location_id) == (team_id, location_id)


def test_an_empty_cell_clears_the_field() -> None:
    boss = make_person(email="boss@example.org")
    person = make_person(email="kai@example.org", name="Kai", pronouns="they/them",
                         manager=boss)

    run("email,name,pronouns,team,location,manager_email,job_level,start_date,languages\n"
        "kai@example.org,Kai,,,,,,,\n")

    person.refresh_from_db()
    assert person.pronouns == ""
    assert person.team is None
    assert person.location is None
    assert person.manager is None
    assert person.job_level is None
    assert person.start_date is None
    assert person.languages == []


def test_a_row_with_team_and_department_gives_an_existing_team_that_department() -> None:
    team = TeamFactory(name="Platform", department__name="Engineering")

    run("email,name,team,department\nkai@example.org,Kai,Platform,Infrastructure\n")

    team.refresh_from_db()
    assert team.department is not None and team.department.name == "Infrastructure"
    assert Team.objects.filter(name="Platform").count() == 1


def test_a_row_with_only_a_team_leaves_the_teams_department_alone() -> None:
    team = TeamFactory(name="Platform", department__name="Engineering")

    run("email,name,team\nkai@example.org,Kai,Platform\n")

    team.refresh_from_db()
    assert team.department is not None and team.department.name == "Engineering"


def test_an_existing_location_needs_no_time_zone() -> None:
    leeds = LocationFactory(name="Leeds", time_zone="Europe/London")

    run("email,name,location,time_zone\nkai@example.org,Kai,Leeds,\n")

    assert Person.objects.get(email="kai@example.org").location == leeds
    assert Location.objects.count() == 1


def test_a_new_location_takes_its_time_zone_from_any_of_its_rows() -> None:
    run("email,name,location,time_zone\n"
        "kai@example.org,Kai,Oslo,\n"
        "lea@example.org,Lea,Oslo,Europe/Oslo\n")

    assert Location.objects.get(name="Oslo").time_zone == "Europe/Oslo"


# --- managers ---------------------------------------------------------------------------------

def test_it_accepts_managers_listed_after_their_reports() -> None:
    result = run(csv_text(
        "dev@example.org,Dev,,,,,,,lead@example.org,,,",
        "lead@example.org,Lead,,,,,,,head@example.org,,,",
        "head@example.org,Head,,,,,,,chief@example.org,,,",
        "chief@example.org,Chief,,,,,,,,,,",
    ))

    assert result.created == 4
    dev = Person.objects.get(email="dev@example.org")
    assert dev.manager is not None and dev.manager.email == "lead@example.org"
    assert dev.manager.manager is not None and dev.manager.manager.email == "head@example.org"
    assert Person.objects.get(email="head@example.org").manager == Person.objects.get(
        email="chief@example.org")


def test_it_links_every_manager_in_a_very_deep_chain() -> None:
    # Deeper than the importer creates level by level: the rest get their managers after.
    depth = 40
    rows = [f"p{n}@example.org,P {n},{f'p{n + 1}@example.org' if n + 1 < depth else ''}"
            for n in range(depth)]

    run("email,name,manager_email\n" + "\n".join(rows) + "\n")

    managers = dict(Person.objects.values_list("email", "manager__email"))
    assert managers == {f"p{n}@example.org": f"p{n + 1}@example.org" if n + 1 < depth else None
                        for n in range(depth)}


def test_it_accepts_a_manager_already_in_the_directory() -> None:
    boss = make_person(email="boss@example.org")

    run("email,name,manager_email\nkai@example.org,Kai,BOSS@example.org\n")

    assert Person.objects.get(email="kai@example.org").manager == boss


def test_it_rejects_a_manager_cycle() -> None:
    errors = problems(csv_text(
        "a@example.org,A,,,,,,,b@example.org,,,",
        "b@example.org,B,,,,,,,a@example.org,,,",
    ))

    assert errors == ["Line 2: manager_email makes a reporting cycle: "
                      "a@example.org → b@example.org → a@example.org (lines 2, 3)."]
    assert Person.objects.count() == 0


def test_it_rejects_a_longer_manager_cycle_once() -> None:
    errors = problems(csv_text(
        "ok@example.org,Ok,,,,,,,,,,",
        "a@example.org,A,,,,,,,b@example.org,,,",
        "b@example.org,B,,,,,,,c@example.org,,,",
        "c@example.org,C,,,,,,,a@example.org,,,",
        "d@example.org,D,,,,,,,a@example.org,,,",
    ))

    assert errors == ["Line 3: manager_email makes a reporting cycle: a@example.org → "
                      "b@example.org → c@example.org → a@example.org (lines 3, 4, 5)."]
    assert Person.objects.count() == 0


def test_it_rejects_a_cycle_through_people_already_in_the_directory() -> None:
    # Stored: x reports to y. The file makes y report to x and leaves x's line as it is.
    y = make_person(email="y@example.org")
    make_person(email="x@example.org", manager=y)
    before = directory_snapshot()

    errors = problems("email,name,manager_email\ny@example.org,Y,x@example.org\n")

    assert errors == ["Line 2: manager_email makes a reporting cycle: "
                      "y@example.org → x@example.org → y@example.org."]
    assert directory_snapshot() == before


def test_it_rejects_a_cycle_through_a_longer_stored_chain() -> None:
    top = make_person(email="top@example.org")
    middle = make_person(email="middle@example.org", manager=top)
    make_person(email="bottom@example.org", manager=middle)

    errors = problems("email,name,manager_email\ntop@example.org,Top,bottom@example.org\n")

    assert len(errors) == 1
    assert errors[0].startswith("Line 2: manager_email makes a reporting cycle:")
    assert Person.objects.get(email="top@example.org").manager is None


def test_it_does_not_blame_the_file_for_a_cycle_already_stored() -> None:
    x = make_person(email="x@example.org")
    y = make_person(email="y@example.org", manager=x)
    Person.objects.filter(pk=x.pk).update(manager=y)  # written around the importer

    result = run("email,name,manager_email\nkai@example.org,Kai,x@example.org\n")

    assert result.created == 1
    assert Person.objects.get(email="kai@example.org").manager == x


def test_it_accepts_reversing_a_reporting_line_in_one_file() -> None:
    # Stored: x reports to y. The file swaps them; each row changes one side, so no cycle.
    y = make_person(email="y@example.org")
    x = make_person(email="x@example.org", manager=y)

    result = run("email,name,manager_email\n"
                 "y@example.org,Y,x@example.org\n"
                 "x@example.org,X,\n")

    assert result.updated == 2
    y.refresh_from_db()
    x.refresh_from_db()
    assert y.manager == x
    assert x.manager is None


def test_it_ignores_stored_reporting_lines_when_the_file_has_no_manager_column() -> None:
    y = make_person(email="y@example.org")
    x = make_person(email="x@example.org", manager=y)

    run("email,name\nx@example.org,X\n")

    x.refresh_from_db()
    assert x.manager == y


# --- bad rows: each reported with its line; nothing changes ----------------------------------

BASE_ROWS = [
    "ann@example.org,Ann,,Platform,Engineering,Leeds,Europe/London,5,,2023-01-02,en,",
    "bo@example.org,Bo,,Platform,Engineering,Leeds,,9,ann@example.org,2019-05-01,en,",
]


@pytest.mark.parametrize(("row", "message"), [
    (",Nameless,,,,,,,,,,", "email is empty; every row needs one."),
    ("not-an-address,Kai,,,,,,,,,,", "email 'not-an-address' is not an e-mail address."),
    ("kai@example.org,,,,,,,,,,,", "name is empty; every row needs one."),
    ("kai@example.org," + "K" * 151 + ",,,,,,,,,,", "name is longer than 150 characters."),
    ("kai@example.org,Kai," + "p" * 41 + ",,,,,,,,,", "pronouns is longer than 40 characters."),
    ("kai@example.org,Kai,,,,,,0,,,,", "job_level '0' is not a whole number from 1 to 15."),
    ("kai@example.org,Kai,,,,,,16,,,,", "job_level '16' is not a whole number from 1 to 15."),
    ("kai@example.org,Kai,,,,,,3.5,,,,", "job_level '3.5' is not a whole number from 1 to 15."),
    ("kai@example.org,Kai,,,,,,three,,,,",
     "job_level 'three' is not a whole number from 1 to 15."),
    ("kai@example.org,Kai,,,,,,,,2023-13-01,,",
     "start_date '2023-13-01' is not a date in YYYY-MM-DD form."),
    ("kai@example.org,Kai,,,,,,,,01/03/2023,,",
     "start_date '01/03/2023' is not a date in YYYY-MM-DD form."),
    ("kai@example.org,Kai,,,,,,,,20230301,,",
     "start_date '20230301' is not a date in YYYY-MM-DD form."),
    ("kai@example.org,Kai,,,,,,,,,english,",
     "languages: english is not a language code such as en, fr or pt-BR."),
    ('kai@example.org,Kai,,,,,,,,,"en,fr",',
     "languages: en,fr is not a language code such as en, fr or pt-BR. Separate languages "
     "with semicolons, e.g. en; fr."),
    ("kai@example.org,Kai,,,,,,,,,,boss",
     "roles: 'boss' is not a role; use supporter, coordinator, case_handler, administrator, "
     "separated by semicolons."),
    ("kai@example.org,Kai,,,,Oslo,Mars/Base,,,,,",
     "time_zone 'Mars/Base' is not a time zone name such as Europe/London."),
    ("kai@example.org,Kai,,,,,Europe/Oslo,,,,,",
     "time_zone 'Europe/Oslo' is given but location is empty."),
    ("kai@example.org,Kai,,,,Oslo,,,,,,",
     "location 'Oslo' is new, so it needs a time_zone such as Europe/London."),
    ("kai@example.org,Kai,,,,Leeds,Asia/Tokyo,,,,,",
     "time_zone 'Asia/Tokyo' differs from 'Europe/London', the time zone of location 'Leeds'."),
    ("kai@example.org,Kai,,,,,,,nobody@example.org,,,",
     "manager_email 'nobody@example.org' is not in this file nor in the directory."),
    ("kai@example.org,Kai,,,,,,,Kai@example.org,,,",
     "manager_email is the person's own e-mail; nobody can manage themselves."),
    ("Ann@Example.org,Ann again,,,,,,,,,,", "email 'ann@example.org' is already on line 2."),
    ("kai@example.org,Kai,,Platform,Sales,,,,,,,",
     "team 'Platform' is given department 'Sales' here but 'Engineering' on line 2."),
    ("kai@example.org,Kai,,,,,,,,,", "this row has 11 fields but the header has 12; look for "
                                     "a stray comma or an unclosed quote."),
])
def test_it_rejects_a_bad_row_with_its_line_number_and_imports_nothing(
        row: str, message: str) -> None:
    LocationFactory(name="Leeds", time_zone="Europe/London")
    before = directory_snapshot()

    errors = problems(csv_text(*BASE_ROWS, row))

    assert errors == [f"Line 4: {message}"]
    assert directory_snapshot() == before


def test_it_lists_every_problem_in_the_file_in_line_order() -> None:
    errors = problems(csv_text(
        "ok@example.org,Ok,,,,,,,,,,",
        "kai@example.org,,,,,,,99,,2023-02-30,,",
        "ok@example.org,Ok,,,,,,,,,,",
    ))

    assert errors == [
        "Line 3: name is empty; every row needs one.",
        "Line 3: job_level '99' is not a whole number from 1 to 15.",
        "Line 3: start_date '2023-02-30' is not a date in YYYY-MM-DD form.",
        "Line 4: email 'ok@example.org' is already on line 2.",
    ]
    assert Person.objects.count() == 0


def test_it_rejects_a_new_location_given_two_time_zones() -> None:
    errors = problems("email,name,location,time_zone\n"
                      "kai@example.org,Kai,Oslo,Europe/Oslo\n"
                      "lea@example.org,Lea,Oslo,Europe/Berlin\n")

    assert errors == ["Line 3: location 'Oslo' is given time_zone 'Europe/Berlin' here but "
                      "'Europe/Oslo' on line 2."]
    assert Location.objects.count() == 0


def test_line_numbers_are_physical_lines_of_the_file() -> None:
    # A quoted line break makes line 2's row two lines long; a blank line follows.
    errors = problems('email,name,pronouns\nkai@example.org,"Kai\nMoreau",\n\n'
                      "lea@example.org,Lea,they/them/theirs/xe/xem/xyr/and/more/besides\n")

    assert errors == ["Line 2: name contains a line break (U+000A) at position 4; a value "
                      "must be on one line.",
                      "Line 5: pronouns is longer than 40 characters."]


def test_it_rejects_control_characters_which_postgresql_cannot_store() -> None:
    errors = problems("email,name,team\nkai@example.org,Kai,Plat\0form\n")

    assert errors == ["Line 2: team contains a character that cannot be stored: NUL (U+0000) "
                      "at position 5."]
    assert not Team.objects.exists()


@pytest.mark.parametrize(("cell", "what"), [
    ("Kai\ufffe", "the non-character U+FFFE at position 4"),
    ("Kai\U0001ffff", "the non-character U+1FFFF at position 4"),
    ("K\u0085ai", "the control character U+0085 at position 2"),
    ("K\x1bai", "the control character U+001B at position 2"),
    ("K\ud800ai", "an unpaired surrogate (U+D800) at position 2"),
])
def test_it_names_the_character_that_cannot_be_stored_and_imports_nobody(cell: str,
                                                                          what: str) -> None:
    errors = problems(f"email,name\nann@example.org,Ann\nkai@example.org,{cell}\n")

    assert errors == [f"Line 3: name contains a character that cannot be stored: {what}."]
    assert not Person.objects.exists()


def test_a_tab_inside_a_value_is_refused_as_more_than_one_line() -> None:
    errors = problems("email,name,team\nkai@example.org,Kai,\"Plat\tform\"\n")

    assert errors == ["Line 2: team contains a tab at position 5; a value must be on one line."]


def test_a_valid_row_is_not_imported_when_another_row_is_bad() -> None:
    problems(csv_text(*BASE_ROWS, "kai@example.org,Kai,,,,,,,,,,boss"))

    assert not Person.objects.filter(email="ann@example.org").exists()
    assert not Team.objects.exists()
    assert not Location.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.DIRECTORY_IMPORTED).exists()


# --- the header -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "messages"), [
    ("", ["Line 1: the file is empty; its first line must name the columns, e.g. email,name."]),
    ("\nkai@example.org,Kai\n",
     ["Line 1: the first line must name the columns, e.g. email,name."]),
    ("email,name,emial\n", [
        "Line 1: unknown column 'emial'; the columns are email, name, pronouns, team, "
        "department, location, time_zone, job_level, manager_email, start_date, languages, "
        "roles, active. Did you mean 'email'?"]),
    ("email,name,salary\n", [
        "Line 1: unknown column 'salary'; the columns are email, name, pronouns, team, "
        "department, location, time_zone, job_level, manager_email, start_date, languages, "
        "roles, active."]),
    ("email,team\n", ["Line 1: the required column 'name' is missing."]),
    ("name\n", ["Line 1: the required column 'email' is missing."]),
    ("email,name,Name\n", ["Line 1: the column 'name' appears twice."]),
    ("email,name,\n", ["Line 1: column 3 has no name."]),
    ("email,name,time_zone\n",
     ["Line 1: the time_zone column needs a location column beside it."]),
    ("email;name\nkai@example.org;Kai\n", [
        "Line 1: the columns are separated by semicolons; separate them with commas "
        "(in Excel, save as “CSV UTF-8”)."]),
])
def test_it_rejects_a_bad_header(text: str, messages: list[str]) -> None:
    assert problems(text) == messages


def test_it_reports_text_that_is_not_csv() -> None:
    errors = problems("email,name\nkai@example.org,Kai\nlea@example.org," + "L" * 200_000 + "\n")

    assert len(errors) == 1
    assert errors[0].startswith("Line 3: the file cannot be read as CSV here: field larger")


# --- roles ------------------------------------------------------------------------------------

def test_the_roles_column_grants_and_revokes_roles_with_an_audit_event_each() -> None:
    administrator = make_person(Role.ADMINISTRATOR)
    kai = make_person(Role.SUPPORTER, email="kai@example.org")

    result = run("email,name,roles\nkai@example.org,Kai,coordinator; Case_Handler\n",
                 actor=administrator)

    assert result == ImportResult(created=0, updated=1, unchanged=0)
    assert set(RoleGrant.objects.filter(person=kai).values_list("role", flat=True)) == {
        Role.COORDINATOR, Role.CASE_HANDLER}
    events = AuditEvent.objects.filter(object_id=str(kai.pk), actor=administrator)
    assert sorted((e.action, e.detail["role"]) for e in events) == [
        (AuditAction.ROLE_GRANTED, Role.CASE_HANDLER),
        (AuditAction.ROLE_GRANTED, Role.COORDINATOR),
        (AuditAction.ROLE_REVOKED, Role.SUPPORTER),
    ]


def test_new_people_get_their_roles_with_audit_events() -> None:
    run("email,name,roles\nkai@example.org,Kai,supporter\n")

    kai = Person.objects.get(email="kai@example.org")
    assert kai.roles == {"colleague", Role.SUPPORTER}
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_GRANTED,
                                     object_id=str(kai.pk)).count() == 1


def test_an_empty_roles_cell_removes_every_role() -> None:
    kai = make_person(Role.SUPPORTER, Role.COORDINATOR, email="kai@example.org")

    run("email,name,roles\nkai@example.org,Kai,\n")

    assert not RoleGrant.objects.filter(person=kai).exists()
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_REVOKED).count() == 2


def test_without_a_roles_column_roles_are_untouched() -> None:
    kai = make_person(Role.SUPPORTER, email="kai@example.org", name="Kai")

    result = run("email,name\nkai@example.org,Kai\n")

    assert result.unchanged == 1
    assert set(RoleGrant.objects.filter(person=kai).values_list("role", flat=True)) == {
        Role.SUPPORTER}
    assert not AuditEvent.objects.filter(action__in=[AuditAction.ROLE_GRANTED,
                                                     AuditAction.ROLE_REVOKED]).exists()


def test_roles_that_already_match_change_nothing() -> None:
    make_person(Role.SUPPORTER, email="kai@example.org", name="Kai")

    result = run("email,name,roles\nkai@example.org,Kai,supporter;colleague\n")

    assert result == ImportResult(created=0, updated=0, unchanged=1)
    assert not AuditEvent.objects.filter(action__in=[AuditAction.ROLE_GRANTED,
                                                     AuditAction.ROLE_REVOKED]).exists()


def test_it_refuses_to_remove_the_importing_administrators_own_role() -> None:
    administrator = make_person(Role.ADMINISTRATOR, email="admin@example.org")

    errors = problems("email,name,roles\nadmin@example.org,Admin,supporter\n",
                      actor=administrator)

    assert errors == ["Line 2: this would remove your own administrator role; ask another "
                      "administrator."]
    assert administrator.role_grants.filter(role=Role.ADMINISTRATOR).exists()


def test_it_works_where_the_database_cannot_return_new_ids(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)

    result = run(GOOD)

    assert result.created == 2
    ann = Person.objects.get(email="ann.lee@example.org")
    assert ann.manager is not None and ann.manager.email == "bo@example.org"
    assert ann.team is not None and ann.team.department is not None
    assert ann.team.department.name == "Engineering"


# --- progress and cost ------------------------------------------------------------------------

def test_it_reports_progress_up_to_the_total() -> None:
    calls: list[tuple[int, int]] = []

    run(GOOD, progress=lambda done, total: calls.append((done, total)))

    assert calls[-1] == (4, 4)
    assert all(total == 4 for _done, total in calls)
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)


def test_it_needs_no_query_per_row() -> None:
    def people(prefix: str, count: int) -> str:
        # A realistic shape: a few levels of management, managers listed after reports.
        return csv_text(*[
            f"{prefix}{n}@example.org,P {n},,Team {n % 6},Dept {n % 3},Leeds,Europe/London,"
            f"{n % 15 + 1},{f'{prefix}{n // 4}@example.org' if n else ''},2020-01-01,en; fr,"
            for n in reversed(range(count))])

    with CaptureQueriesContext(connection) as queries:
        run(people("a", 1200))
    with CaptureQueriesContext(connection) as again:
        run(people("a", 1200))

    # Inserts come in batches (SQLite takes about 60 rows per statement), one per row never.
    assert len(queries) < 1200 / 20
    assert len(again) < 10
    assert Person.objects.count() == 1200


# --- the web page -----------------------------------------------------------------------------

def upload(text: str | bytes) -> SimpleUploadedFile:
    content = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile("people.csv", content, content_type="text/csv")


def test_the_import_page_imports_an_uploaded_file(as_administrator: Client) -> None:
    response = as_administrator.post("/directory/import/", {"file": upload(GOOD)})

    assert response.status_code == 200
    assert "Imported: 2 new, 0 updated, 0 unchanged." in response.content.decode()
    assert Person.objects.filter(email="ann.lee@example.org").exists()
    assert AuditEvent.objects.filter(action=AuditAction.DIRECTORY_IMPORTED).count() == 1


def test_the_import_page_accepts_excels_byte_order_mark(as_administrator: Client) -> None:
    response = as_administrator.post("/directory/import/",
                                     {"file": upload("\ufeffemail,name\nkai@example.org,Kai\n")})

    assert "Imported: 1 new" in response.content.decode()


def test_the_import_page_lists_each_problem_and_imports_nothing(
        as_administrator: Client) -> None:
    before = directory_snapshot()

    response = as_administrator.post("/directory/import/", {"file": upload(csv_text(
        *BASE_ROWS, "kai@example.org,Kai,,,,,,,,2023-13-01,,boss"))})

    page = response.content.decode()
    assert response.status_code == 200
    assert "2 problems found; nothing was imported." in page
    assert "Line 4: start_date &#x27;2023-13-01&#x27; is not a date in YYYY-MM-DD form." in page
    assert "Line 4: roles: &#x27;boss&#x27; is not a role" in page
    assert 'type="file" name="file"' in page  # the form is there to try again
    assert "Imported:" not in page
    assert directory_snapshot() == before


def test_the_import_page_rejects_a_file_that_is_not_utf8(as_administrator: Client) -> None:
    response = as_administrator.post("/directory/import/",
                                     {"file": upload("email,name\nkai@example.org,Ren\xe9\n"
                                                     .encode("latin-1"))})

    assert "The file is not UTF-8 text." in response.content.decode()
    assert not Person.objects.filter(email="kai@example.org").exists()


def test_colleagues_cannot_import(as_colleague: Client) -> None:
    response = as_colleague.post("/directory/import/", {"file": upload(GOOD)})

    assert response.status_code == 403
    assert not Person.objects.filter(email="ann.lee@example.org").exists()


# --- the command ------------------------------------------------------------------------------

def write(tmp_path: Path, text: str | bytes, name: str = "people.csv") -> str:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return str(path)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_command_imports_and_prints_the_counts(tmp_path: Path) -> None:
    stdout = io.StringIO()

    call_command("import_people", write(tmp_path, GOOD), stdout=stdout, stderr=io.StringIO())

    assert stdout.getvalue() == "Imported: 2 new, 0 updated, 0 unchanged.\n"
    assert Person.objects.filter(email="bo@example.org").exists()
    event = AuditEvent.objects.get(action=AuditAction.DIRECTORY_IMPORTED)
    assert event.actor is None


def test_the_command_shows_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    stderr = Terminal()

    call_command("import_people", write(tmp_path, GOOD), stdout=io.StringIO(), stderr=stderr)

    assert "Importing: 100%" in stderr.getvalue()


def test_the_command_accepts_excels_byte_order_mark(tmp_path: Path) -> None:
    stdout = io.StringIO()

    call_command("import_people", write(tmp_path, "\ufeffemail,name\nkai@example.org,Kai\n"),
                 stdout=stdout)

    assert stdout.getvalue() == "Imported: 1 new, 0 updated, 0 unchanged.\n"


def test_the_command_prints_each_problem_and_exits_non_zero(tmp_path: Path) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    path = write(tmp_path, csv_text(*BASE_ROWS, "kai@example.org,Kai,,,,,,,,2023-13-01,,boss"))

    with pytest.raises(SystemExit) as exit_:
        call_command("import_people", path, stdout=stdout, stderr=stderr)

    assert exit_.value.code == 1
    assert stderr.getvalue().splitlines() == [
        "Line 4: start_date '2023-13-01' is not a date in YYYY-MM-DD form.",
        "Line 4: roles: 'boss' is not a role; use supporter, coordinator, case_handler, "
        "administrator, separated by semicolons.",
        "2 problems; nothing was imported.",
    ]
    assert stdout.getvalue() == ""
    assert not Person.objects.filter(email="ann@example.org").exists()


def test_the_command_says_one_problem_in_the_singular(tmp_path: Path) -> None:
    stderr = io.StringIO()

    with pytest.raises(SystemExit):
        call_command("import_people", write(tmp_path, "email\n"), stderr=stderr)

    assert stderr.getvalue().splitlines()[-1] == "1 problem; nothing was imported."


def test_the_command_reports_a_missing_file_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as error:
        call_command("import_people", str(tmp_path / "nope.csv"))

    assert str(error.value) == f"Cannot read {tmp_path / 'nope.csv'}: No such file or directory."


def test_the_command_reports_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "email,name\nkai@example.org,Ren\xe9\n".encode("latin-1"))

    with pytest.raises(CommandError) as error:
        call_command("import_people", path)

    assert str(error.value) == (f"{path} is not UTF-8 text; save it as “CSV UTF-8” and try "
                                "again. Nothing was imported.")
    assert not Person.objects.filter(email="kai@example.org").exists()


def test_the_haven_command_line_imports_and_exits_non_zero_on_problems(tmp_path: Path) -> None:
    # The real `haven` entry point, on its own SQLite database in tmp_path.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "haven.settings_test",
           "HAVEN_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    haven = Path(sys.executable).with_name("haven")  # the console script pyproject installs

    def haven_run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([haven, *args], env=env, cwd=ROOT, capture_output=True,  # noqa: S603
                              text=True, timeout=120, check=False)

    assert haven_run("migrate", "-v0").returncode == 0
    good = haven_run("import-people", write(tmp_path, GOOD))
    again = haven_run("import-people", write(tmp_path, GOOD))
    bad = haven_run("import-people", write(tmp_path, "email,name,salary\n", "bad.csv"))
    missing = haven_run("import-people", str(tmp_path / "nope.csv"))

    assert (good.returncode, good.stdout) == (0, "Imported: 2 new, 0 updated, 0 unchanged.\n")
    assert again.stdout == "Imported: 0 new, 0 updated, 2 unchanged.\n"
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[-1] == "1 problem; nothing was imported."
    assert bad.stderr.splitlines()[0].startswith("Line 1: unknown column 'salary'")
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [
        f"CommandError: Cannot read {tmp_path / 'nope.csv'}: No such file or directory."]
