"""Shared fixtures: one person per role, clients signed in as them, and failed tasks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks.signals import task_finished

from haven.core.models import Person, Role
from haven.demo.child import DemoProcess
from tests.factories import make_person

# Finds Chromium, marks tests/browser and skips it (or stops the run) when Chromium is missing.
pytest_plugins = ["tests.browser.plugin"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Rate limits and used TOTP codes live in the cache; each test starts clean.
    cache.clear()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoProcess]:
    """The seeded demo (`haven demo`: its own SQLite database, server and worker) in a child
    process, started once for the tests that look at it from outside (seeding six months of
    history takes most of a minute)."""
    with DemoProcess(tmp_path_factory.mktemp("demo") / "var") as demo:
        yield demo


@pytest.fixture
def failed_tasks() -> Iterator[list[str]]:
    """The tasks (e-mail) that failed while the test ran, by their exception's class. Tasks run
    at once in tests, and a failure is recorded on its result, not raised to the caller."""
    failed: list[str] = []

    def record(sender: object, task_result: Any, **kwargs: object) -> None:
        if task_result.status == TaskResultStatus.FAILED:
            failed.extend(error.exception_class_path for error in task_result.errors)

    task_finished.connect(record)
    yield failed
    task_finished.disconnect(record)


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


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """`with commit(): …` runs the block's on-commit callbacks (e-mails, live events)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
