"""Coffee-pairing test helpers: colleagues who take part (also used by the insight and
activities tests)."""

from __future__ import annotations

from typing import Any

from haven.coffee import services
from haven.coffee.models import CoffeeProfile
from haven.core.models import Person
from tests.factories import DepartmentFactory, LocationFactory, TeamFactory, make_person


def joined(person: Person | None = None, *, mode: str = "remote", frequency: str = "weekly",
           **fields: Any) -> Person:
    """A colleague (new unless given) who takes part in coffee pairings."""
    person = person or make_person(**fields)
    services.save_profile(person=person, active=True, frequency=frequency, mode=mode,
                          location=None)
    return person


def colleague_in(team: str, department: str, *, location: str = "Leeds",
                 zone: str = "Europe/London", level: int = 3) -> Person:
    return make_person(team=TeamFactory(name=team, department=DepartmentFactory(name=department)),
                       location=LocationFactory(name=location, time_zone=zone), job_level=level)


def profile(person: Person) -> CoffeeProfile:
    return CoffeeProfile.objects.get(person=person)
