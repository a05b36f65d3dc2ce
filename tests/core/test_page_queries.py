"""Every page and API read of the load benchmark's mix (bench/_mix.py), opened as its role, stays
under a ceiling of database queries — and costs no more with many rows than with a few:
a page whose count grows with its rows (a query per row) would fail here before it slowed the
benchmark down."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench._mix import MIX
from haven.activities import services as activities
from haven.core.models import Person, Role
from haven.questions import services as questions
from haven.recognition import services as recognition
from haven.speakup.journal import services as journal
from haven.support import commitments
from tests.activities.test_activities import an_activity
from tests.conftest import signed_in
from tests.factories import make_person
from tests.support.chat_setup import open_chat

pytestmark = pytest.mark.django_db

# The most queries each page may make as its role (session, person, roles and access
# included): what it made when this was written (2026-12-07), plus 2 for headroom. A page of
# bench/_mix.py without a ceiling here fails.
CEILINGS: dict[tuple[str, str], int] = {
    ("colleague", "/"): 20,
    ("colleague", "/support/"): 10,
    ("colleague", "/coffee/"): 12,
    ("colleague", "/activities/"): 13,
    ("colleague", "/questions/"): 13,
    ("colleague", "/recognition/"): 14,
    ("colleague", "/journal/"): 17,
    ("colleague", "/speakup/reports/"): 12,
    ("colleague", "/api/v1/me"): 11,
    ("colleague", "/api/v1/recognitions"): 14,
    ("colleague", "/api/v1/connect/questions"): 13,
    ("colleague", "/api/v1/support/conversations"): 10,
    ("supporter", "/"): 26,
    ("supporter", "/supporter/"): 14,
    ("supporter", "/support/"): 10,
    ("supporter", "/recognition/"): 14,
    ("supporter", "/api/v1/support/conversations"): 10,
    ("supporter", "/api/v1/support/profile/availability"): 10,
    ("coordinator", "/"): 28,
    ("coordinator", "/programme/"): 21,
    ("coordinator", "/directory/"): 14,
    ("coordinator", "/questions/moderation/"): 11,
    ("coordinator", "/recognition/insight/"): 17,
    ("coordinator", "/speakup/programme/"): 12,
    ("coordinator", "/coffee/rounds/"): 13,
    ("coordinator", "/api/v1/directory/people"): 13,
}
FEW, MANY = 2, 12


class World:
    def __init__(self) -> None:
        self.colleague = make_person()
        self.supporter = make_person(Role.SUPPORTER)
        self.coordinator = make_person(Role.COORDINATOR)
        self.rows = 0

    def person(self, role: str) -> Person:
        return {"colleague": self.colleague, "supporter": self.supporter,
                "coordinator": self.coordinator}[role]

    def grow(self, rows: int) -> None:
        """ROWS more of everything the mix's pages list, each made through Haven's services
        (conversations through the tests' chat helper), seen by the three people."""
        for number in range(self.rows, self.rows + rows):
            other = make_person()
            given = recognition.give_recognition(
                giver=other, recipient_email=self.colleague.email,
                message=f"Thank you for the help with release {number}.",
                audience="organisation")
            recognition.give_recognition(
                giver=self.colleague, recipient_email=other.email,
                message=f"Thanks for covering shift {number}.", audience="organisation")
            assert given.pk
            asked = questions.ask(person=other, text=f"When is review {number}?",
                                  anonymous=False)
            if number % 2:
                questions.moderate(moderator=self.coordinator, question=asked, publish=True)
            activity = an_activity(organiser=other, title=f"Walk {number}")
            activities.sign_up(person=self.colleague, activity=activity)
            journal.write_entry(author=self.colleague, entry_input=journal.EntryInput(
                occurred_on=date(2025, 11, 1 + number % 28), what=f"Remark {number}."))
            chat = open_chat(self.colleague if number % 2 else other, self.supporter,
                             first_message=f"Could we talk about {number}?")
            commitments.record_commitment(
                conversation=chat, supporter=self.supporter, what=f"Call back {number}",
                due_at=timezone.now() + timedelta(days=2))
        self.rows += rows


def queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(captured)


PAGES = [(role, path) for role, pages in MIX.items() for path, _weight in pages]


@pytest.mark.parametrize(("role", "path"), PAGES, ids=[f"{r} {p}" for r, p in PAGES])
def test_page_queries_stay_under_a_ceiling_and_do_not_grow_with_rows(
        role: str, path: str, django_assert_max_num_queries: object) -> None:
    ceiling = CEILINGS[(role, path)]
    world = World()
    client = signed_in(world.person(role))
    world.grow(FEW)
    queries(client, path)  # the first opening fills per-process caches (settings, programme)
    with django_assert_max_num_queries(ceiling):  # type: ignore[operator]
        few = queries(client, path)
    world.grow(MANY - FEW)
    with django_assert_max_num_queries(ceiling):  # type: ignore[operator]
        many = queries(client, path)
    assert many <= few, f"{path} as {role}: {few} queries with {FEW} rows, {many} with {MANY}"
