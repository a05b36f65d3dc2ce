"""Shared fixtures: one person per role, and clients signed in as them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from haven.core.models import Person, Role
from tests.factories import make_person

# Finds Chromium, marks tests/browser and skips it (or stops the run) when Chromium is missing.
pytest_plugins = ["tests.browser.plugin"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Rate limits and used TOTP codes live in the cache; each test starts clean.
    cache.clear()


@pytest.fixture
def colleague(db: None) -> Person:
    return make_person()


@pytest.fixture
def supporter(db: None) -> Person:
    return make_person(Role.SUPPORTER)


@pytest.fixture
def coordinator(db: None) -> Person:
    return make_person(Role.COORDINATOR)


@pytest.fixture
def case_handler(db: None) -> Person:
    return make_person(Role.CASE_HANDLER)


@pytest.fixture
def administrator(db: None) -> Person:
    return make_person(Role.ADMINISTRATOR)


def signed_in(person: Person) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.fixture
def as_colleague(colleague: Person) -> Client:
    return signed_in(colleague)


@pytest.fixture
def as_coordinator(coordinator: Person) -> Client:
    return signed_in(coordinator)


@pytest.fixture
def as_administrator(administrator: Person) -> Client:
    return signed_in(administrator)
