"""Factories for test data (factory-boy)."""

from __future__ import annotations

from datetime import date

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from haven.core.models import Department, Location, Person, Role, RoleGrant, Team

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    department = factory.SubFactory(DepartmentFactory)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Office {n}")
    time_zone = "Europe/London"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    team = factory.SubFactory(TeamFactory)
    department = factory.SelfAttribute("team.department")
    location = factory.SubFactory(LocationFactory)
    job_level = 3
    start_date = date(2022, 3, 1)
    languages = factory.LazyFunction(lambda: ["en"])
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for role in extracted or []:
            RoleGrant.objects.create(person=self, role=role)
        self.save()
        self.__dict__.pop("roles", None)


def with_totp(person: Person, secret: str = TOTP_SECRET) -> Person:
    if not Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(person, secret)
    return person


def make_person(*roles: str, mfa: bool | None = None, **fields: object) -> Person:
    """A person holding ROLES; privileged roles get TOTP set up unless mfa=False."""
    person = PersonFactory(roles=list(roles), **fields)
    privileged = {Role.COORDINATOR, Role.CASE_HANDLER, Role.ADMINISTRATOR}
    if mfa or (mfa is None and privileged & set(roles)):
        with_totp(person)
    return person
