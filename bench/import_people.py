"""Directory import: a realistic 10,000-row CSV into a fresh database, first import and
re-imports, beside a plain bulk_create of as many people for reference."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from bench import Timing, fresh_database, machine_description, timed

ROWS = 10_000
SEED = 20260115
CHANGED_SHARE = 0.10
HEADER = ["email", "name", "pronouns", "team", "department", "location", "time_zone",
          "job_level", "manager_email", "start_date", "languages", "roles"]
LOCATIONS = [("Leeds", "Europe/London"), ("Toronto", "America/Toronto"),
             ("Singapore", "Asia/Singapore"), ("Berlin", "Europe/Berlin"),
             ("São Paulo", "America/Sao_Paulo"), ("Bengaluru", "Asia/Kolkata")]
LANGUAGES = {"Leeds": ["en"], "Toronto": ["en", "fr"], "Singapore": ["en", "zh"],
             "Berlin": ["de", "en"], "São Paulo": ["pt-BR", "en"], "Bengaluru": ["en", "hi"]}
DEPARTMENTS = ["Engineering", "Operations", "Customer", "People & Finance", "Design", "Sales",
               "Legal", "Research"]
FIRST = ["Amara", "Ben", "Chloé", "Dev", "Efua", "Finn", "Grace", "Hiro", "Isla", "Jamal",
         "Kasia", "Liam", "Mei", "Nadia", "Olu", "Priya", "Quentin", "Rosa", "Sam", "Tariq",
         "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zara"]
LAST = ["Okafor", "Lindqvist", "Moreau", "Patel", "Mensah", "O'Brien", "Tanaka", "Kowalski",
        "Haddad", "Nguyen", "Fernández", "Schmidt", "Chen", "Rossi", "Singh", "Walker"]
PRONOUNS = ["she/her", "he/him", "they/them", "", "", ""]
ROLES = [("supporter", 0.04), ("coordinator", 0.005), ("case_handler", 0.002),
         ("administrator", 0.001)]


@dataclass
class Employee:
    email: str
    name: str
    team: str
    department: str
    location: str
    job_level: int
    manager: Employee | None
    start_date: date
    languages: list[str]
    pronouns: str
    roles: list[str] = field(default_factory=list)

    def cells(self) -> list[str]:
        return [self.email, self.name, self.pronouns, self.team, self.department, self.location,
                dict(LOCATIONS)[self.location], str(self.job_level),
                self.manager.email if self.manager else "", self.start_date.isoformat(),
                "; ".join(self.languages), ";".join(self.roles)]


def organisation(rng: random.Random) -> list[Employee]:
    """A company of ROWS people: a chief, department heads, team leads, seniors, members."""
    count = 0

    def hire(team: str, department: str, level: int, manager: Employee | None,
             location: str | None = None) -> Employee:
        nonlocal count
        count += 1
        first, last = rng.choice(FIRST), rng.choice(LAST)
        place = location or rng.choice(LOCATIONS)[0]
        languages = list(LANGUAGES[place])
        if rng.random() < 0.2:
            languages.append(rng.choice(["es", "pl", "it", "ja", "ar"]))
        slug = f"{first}.{last}".lower().replace("'", "").replace("é", "e").replace("á", "a")
        person = Employee(
            email=f"{slug}.{count}@example.com", name=f"{first} {last}", team=team,
            department=department, location=place, job_level=level, manager=manager,
            start_date=date(2005, 1, 3) + timedelta(days=rng.randrange(7300)),
            languages=languages, pronouns=rng.choice(PRONOUNS))
        person.roles = [role for role, share in ROLES if rng.random() < share]
        return person

    chief = hire("Leadership", "Leadership", 15, None, "Leeds")
    people = [chief]
    teams = [(f"{department} {n + 1}", department) for department in DEPARTMENTS
             for n in range(rng.randint(6, 10))]
    heads = {department: hire(f"{department} 1", department, 13, chief)
             for department in DEPARTMENTS}
    people.extend(heads.values())
    leads = {team: hire(team, department, 10, heads[department]) for team, department in teams}
    people.extend(leads.values())
    seniors: dict[str, list[Employee]] = {team: [] for team, _department in teams}
    while len(people) < ROWS:
        team, department = rng.choice(teams)
        lead = leads[team]
        if len(seniors[team]) < 3 or rng.random() < 0.1:
            person = hire(team, department, rng.randint(6, 9), lead, lead.location)
            seniors[team].append(person)
        else:
            manager = rng.choice([lead, *seniors[team]])
            person = hire(team, department, rng.randint(1, 7), manager,
                          manager.location if rng.random() < 0.8 else None)
        people.append(person)
    rng.shuffle(people)  # so that many managers come after their reports
    return people


def as_csv(people: list[Employee]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(person.cells() for person in people)
    return out.getvalue()


def change_some(people: list[Employee], rng: random.Random) -> int:
    """Change one field of CHANGED_SHARE of the people, in several ways; returns how many."""
    chief = next(person for person in people if person.manager is None)
    chosen = rng.sample([person for person in people if person is not chief],
                        int(ROWS * CHANGED_SHARE))
    for n, person in enumerate(chosen):
        kind = n % 4
        if kind == 0 or (kind == 2 and person.manager is chief):
            person.job_level = person.job_level % 15 + 1
        elif kind == 1:
            person.name += " Jr"
        elif kind == 2:
            person.manager = chief  # a report of the chief cannot start a reporting cycle
        elif "es" in person.languages:
            person.languages.remove("es")
        else:
            person.languages.append("es")
    return len(chosen)


def plain_bulk_create(people: list[Employee]) -> Timing:
    """How long it takes to bulk_create the same people with no checks, lookups or relations; rolled
    back, so the import starts from an empty directory."""
    from django.db import transaction

    from haven.core.models import Person

    def create() -> None:
        objects = []
        for person in people:
            obj = Person(email=person.email, name=person.name, pronouns=person.pronouns,
                         job_level=person.job_level, start_date=person.start_date,
                         languages=person.languages)
            obj.set_unusable_password()
            objects.append(obj)
        Person.objects.bulk_create(objects, batch_size=500)

    with transaction.atomic():
        timing, _nothing = timed(create)
        transaction.set_rollback(True)
    return timing


def main() -> None:
    rng = random.Random(SEED)
    people = organisation(rng)
    position = {person.email: n for n, person in enumerate(people)}
    forward = sum(1 for n, person in enumerate(people)
                  if person.manager and position[person.manager.email] > n)
    first_csv = as_csv(people)

    with fresh_database("import_people") as database:
        from haven.core.importer import ImportResult, import_people
        from haven.core.models import Person

        def run(text: str) -> ImportResult:
            return import_people(source=io.StringIO(text), actor=None)

        reference = plain_bulk_create(people)
        assert not Person.objects.exists()
        first, created = timed(lambda: run(first_csv))
        again, unchanged = timed(lambda: run(first_csv))
        changed_count = change_some(people, rng)
        changed, updated = timed(lambda: run(as_csv(people)))

    print(f"Directory import of {ROWS:,} rows ({forward:,} managers listed after their "
          f"reports), {database}")
    print(f"  machine: {machine_description()}")
    figures = [
        (f"plain bulk_create of {ROWS:,} people (reference)", reference, ""),
        ("first import", first, f"{created.created:,} new"),
        ("re-import, nothing changed", again, f"{unchanged.unchanged:,} unchanged"),
        (f"re-import, {changed_count:,} people changed", changed,
         f"{updated.updated:,} updated, {updated.unchanged:,} unchanged"),
    ]
    for label, timing, outcome in figures:
        print(f"  {label:<45} {timing}  {outcome}")
