"""Coffee-pairing test helpers: colleagues who take part, and e-mails sent after commit."""

from __future__ import annotations

from typing import Any

import pytest

from haven.connect import services
from haven.connect.models import CoffeeProfile
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


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """`with commit(): …` runs the block's on-commit callbacks (the introductions)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
