"""The demo organisation: a believable company made from a fixed random seed, so every
`haven seed-demo` produces the same people, and running it again changes nothing."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from haven.attributes.models import PersonAttribute, SharedAttribute
from haven.core.models import Department, Location, Person, Role, Team
from haven.core.services import set_roles
from haven.demo import history as demo_history
from haven.support.models import ProgrammeSettings, SupporterProfile

DOMAIN = "brightwater.example"
DEMO_PASSWORD = "haven-demo-2026"
# A published secret, so anyone trying the demo can pass MFA: `haven totp EMAIL` prints the code,
# or add this secret to an authenticator app. Demo only; real people enrol their own.
DEMO_TOTP_SECRET = "HAVENDEMOHAVENDEMOHAVENDEMO23456"
SEED = 20261125

LOCATIONS = [("Leeds", "Europe/London"), ("Toronto", "America/Toronto"),
             ("Singapore", "Asia/Singapore")]
DEPARTMENTS = {
    "Engineering": ["Platform", "Mobile Apps", "Data & Insights"],
    "Operations": ["Warehouse North", "Fleet Planning"],
    "Customer": ["Customer Success", "Partnerships"],
    "People & Finance": ["People Team", "Finance & Payroll"],
    "Design": ["Product Design"],
}
FIRST_NAMES = [
    "Amara", "Ben", "Chloé", "Dev", "Efua", "Finn", "Grace", "Hiro", "Isla", "Jamal", "Kasia",
    "Liam", "Mei", "Nadia", "Olu", "Priya", "Quentin", "Rosa", "Sam", "Tariq", "Uma", "Victor",
    "Wen", "Ximena", "Yusuf", "Zara", "Aidan", "Bea", "Carlos", "Dana", "Eitan", "Fatima",
    "Gareth", "Hana", "Ivan", "Joy", "Kwame", "Lucía", "Marek", "Niamh", "Omar", "Pia", "Ravi",
    "Sofia", "Tom", "Valentina", "Will", "Yara", "Zoltan", "Anya",
]
LAST_NAMES = [
    "Okafor", "Lindqvist", "Moreau", "Patel", "Mensah", "O'Brien", "Tanaka", "Kowalski",
    "Haddad", "Nguyen", "Fernández", "Schmidt", "Chen", "Abara", "Rossi", "Singh", "Dubois",
    "Walker", "Kim", "Novak", "Adeyemi", "Murphy", "Ivanova", "Costa", "Yilmaz", "Park",
    "Achebe", "Larsen", "Mbeki", "Santos",
]
LANGUAGES_BY_LOCATION = {"Leeds": ["en"], "Toronto": ["en", "fr"], "Singapore": ["en", "zh"]}
PRONOUNS = ["she/her", "he/him", "they/them", "", "", ""]


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    name: str
    needs_mfa: bool

    @property
    def role_label(self) -> str:
        return self.role.replace("_", " ").capitalize()


# One named person per role, printed by `haven demo`.
DEMO_ACCOUNTS = [
    DemoAccount("colleague", f"sam.okafor@{DOMAIN}", "Sam Okafor", False),
    DemoAccount("supporter", f"priya.patel@{DOMAIN}", "Priya Patel", False),
    DemoAccount("coordinator", f"grace.mensah@{DOMAIN}", "Grace Mensah", True),
    DemoAccount("case_handler", f"omar.haddad@{DOMAIN}", "Omar Haddad", True),
    DemoAccount("administrator", f"ada.lindqvist@{DOMAIN}", "Ada Lindqvist", True),
]
ROLE_COUNTS = {Role.SUPPORTER: 8, Role.COORDINATOR: 2, Role.CASE_HANDLER: 1,
               Role.ADMINISTRATOR: 1}
PEOPLE = 80


def _email(name: str) -> str:
    """A plain-ASCII work address, as people type it: accents dropped ("Fernández" gives
    fernandez), apostrophes removed."""
    letters = unicodedata.normalize("NFKD", name.lower().replace("'", ""))
    ascii_name = letters.encode("ascii", "ignore").decode()
    return f"{ascii_name.replace(' ', '.')}@{DOMAIN}"


def _names(rng: random.Random) -> list[str]:
    reserved = {account.name for account in DEMO_ACCOUNTS}
    names = [account.name for account in DEMO_ACCOUNTS]
    while len(names) < PEOPLE:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name not in names and name not in reserved:
            names.append(name)
    return names


def seed_demo(*, history: bool = True) -> int:
    """Create the demo organisation once, with six months of history. Running it again changes
    nothing, so what people try in the demo (roles given, profiles edited) survives a restart.
    Returns the head count. HISTORY=False makes the people only (for tests of the directory).
    """
    if Person.objects.filter(email=DEMO_ACCOUNTS[0].email).exists():
        return Person.objects.filter(email__endswith=f"@{DOMAIN}").count()
    started = timezone.now()
    count = _create(history=history)
    _forget_the_historys_mail(started)
    return count


def _forget_the_historys_mail(since: datetime) -> None:
    """The services e-mailed people about the history as it was told (offers, replies, coffee
    introductions): told now, those e-mails would all go out at once when the demo starts,
    about things that happened months ago. The queued ones are dropped. (With a task backend
    that runs at once, as in the tests, they were sent already and nothing is queued.)"""
    if connection.in_atomic_block:
        return  # not committed yet: nothing was queued
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(enqueued_at__gte=since, status="READY",
                                task_path__startswith="haven.").delete()


@transaction.atomic
def _create(*, history: bool) -> int:
    rng = random.Random(SEED)
    locations = [Location.objects.update_or_create(name=name, defaults={"time_zone": zone})[0]
                 for name, zone in LOCATIONS]
    teams: list[Team] = []
    for department_name, team_names in DEPARTMENTS.items():
        department = Department.objects.get_or_create(name=department_name)[0]
        for team_name in team_names:
            teams.append(Team.objects.update_or_create(
                name=team_name, defaults={"department": department})[0])

    names = _names(rng)
    today = date(2026, 11, 1)
    # Hierarchy: a chief executive, a head per department, a lead per team, members below.
    people: list[Person] = []
    chief = _person(names[-1], None, None, locations[0], 9, None, today - timedelta(days=3650), rng)
    people.append(chief)
    heads: dict[int, Person] = {}
    leads: dict[int, Person] = {}
    # The named demo accounts come last, as members of consecutive teams: none manages another
    # or shares a team, so the demo colleague's requests can reach the demo supporter.
    named = len(DEMO_ACCOUNTS)
    name_pool = iter(names[named:-1] + names[:named])
    for team in teams:
        department_id = team.department_id
        assert department_id is not None
        if department_id not in heads:
            heads[department_id] = _person(next(name_pool), team, team.department,
                                           rng.choice(locations), 8, chief,
                                           today - timedelta(days=rng.randint(900, 3000)), rng)
            people.append(heads[department_id])
        leads[team.pk] = _person(next(name_pool), team, team.department, rng.choice(locations),
                                 6, heads[department_id],
                                 today - timedelta(days=rng.randint(500, 2500)), rng)
        people.append(leads[team.pk])
    for index, name in enumerate(name_pool):
        team = teams[index % len(teams)]
        lead = leads[team.pk]
        assert lead.location is not None, "every lead was given a location above"
        location = lead.location if rng.random() < 0.7 else rng.choice(locations)
        people.append(_person(name, team, team.department, location, rng.randint(2, 5), lead,
                              today - timedelta(days=rng.randint(20, 2800)), rng))

    _assign_roles(people, rng)
    _seed_support(rng)
    _seed_shared_attributes()
    if not history:
        return Person.objects.filter(email__endswith=f"@{DOMAIN}").count()
    by_email = {person.email: person for person in
                Person.objects.prefetch_related("role_grants").select_related("location")
                .filter(email__endswith=f"@{DOMAIN}").order_by("email")}
    demo_history.seed_history(seed=SEED + 2, people=list(by_email.values()),
                         demo_colleague=by_email[DEMO_ACCOUNTS[0].email],
                         demo_supporter=by_email[DEMO_ACCOUNTS[1].email],
                         coordinator=by_email[DEMO_ACCOUNTS[2].email],
                         case_handler=by_email[DEMO_ACCOUNTS[3].email])
    return Person.objects.filter(email__endswith=f"@{DOMAIN}").count()


def _seed_support(rng: random.Random) -> None:
    """Supporter profiles (the history certifies and approves most of them, and then sets
    their weekly hours: see history.seed_history), and a safety contact."""
    topics = ["bullying", "conflict", "excluded", "workload", "other"]
    for person in Person.objects.filter(role_grants__role=Role.SUPPORTER).order_by("email"):
        SupporterProfile.objects.get_or_create(person=person, defaults={
            "capacity": rng.choice([3, 4]), "languages": person.languages,
            "topics": sorted({*rng.sample(topics, 3), "bullying"}),
            "availability": demo_history.ALWAYS,
        })
    settings_row = ProgrammeSettings.objects.get_or_create(pk=1)[0]
    if settings_row.safety_contact_id is None:
        settings_row.safety_contact = Person.objects.get(email=DEMO_ACCOUNTS[2].email)
        settings_row.save(update_fields=["safety_contact"])


def _seed_shared_attributes() -> None:
    """One attribute people may share, answered by about two in three demo people (never the
    demo colleague, who can try the page), so the inclusion insight has a breakdown to show."""
    options = ["Full time", "Part time", "Compressed hours"]
    attribute = SharedAttribute.objects.get_or_create(name="Working pattern", defaults={
        "question": "How do you usually work?", "options": options})[0]
    rng = random.Random(SEED + 1)  # its own, so that every other demo choice stays the same
    people = (Person.objects.filter(email__endswith=f"@{DOMAIN}")
              .exclude(email=DEMO_ACCOUNTS[0].email).order_by("email"))
    PersonAttribute.objects.bulk_create(
        [PersonAttribute(person=person, attribute=attribute,
                         value=rng.choices(options, weights=[6, 2, 2])[0])
         for person in people if rng.random() < 0.65], ignore_conflicts=True)


def _person(name: str, team: Team | None, department: Department | None, location: Location,
            level: int, manager: Person | None, start: date, rng: random.Random) -> Person:
    languages = list(LANGUAGES_BY_LOCATION[location.name])
    if rng.random() < 0.2:
        languages.append(rng.choice(["es", "pl", "de", "hi", "pt"]))
    person, created = Person.objects.update_or_create(
        email=_email(name),
        defaults={"name": name, "team": team, "department": department, "location": location,
                  "job_level": level, "manager": manager, "start_date": start,
                  "languages": sorted(set(languages)), "pronouns": rng.choice(PRONOUNS)},
    )
    if created or not person.has_usable_password():
        person.set_password(DEMO_PASSWORD)
        person.save(update_fields=["password"])
    return person


def _assign_roles(people: list[Person], rng: random.Random) -> None:
    by_email = {person.email: person for person in people}
    wanted: dict[str, set[str]] = {person.email: set() for person in people}
    for account in DEMO_ACCOUNTS:
        if account.role != "colleague":
            wanted[account.email].add(account.role)
    named = {account.email for account in DEMO_ACCOUNTS}
    others = [person for person in people if person.email not in named and person.job_level != 9]
    rng.shuffle(others)
    for role, count in ROLE_COUNTS.items():
        holders = sum(1 for roles in wanted.values() if role in roles)
        for person in others[:count - holders]:
            wanted[person.email].add(role)
        others = others[count - holders:]
    for email, roles in wanted.items():
        person = by_email[email]
        set_roles(person=person, roles=roles, actor=None)
        if roles & settings.HAVEN_MFA_REQUIRED_ROLES:
            _ensure_demo_totp(person)


def _ensure_demo_totp(person: Person) -> None:
    if not Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(person, DEMO_TOTP_SECRET)


def current_totp_code(person: Person) -> str | None:
    """The code a demo person's authenticator app would show now (demo mode only)."""
    authenticator = Authenticator.objects.filter(user=person,
                                                 type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return None
    import time

    from allauth.mfa import app_settings

    counter = int(time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(decrypt(authenticator.data["secret"]), counter))
