"""Home stays cheap: a fixed number of queries per role, however many conversations, offers,
commitments, activities, thanks and questions there are (no N+1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from haven.activities import services as activities
from haven.core.models import Person, Role
from haven.questions import services as questions
from haven.recognition import services as recognition
from haven.recognition.models import Audience
from haven.support import commitments
from tests.conftest import signed_in
from tests.factories import make_person
from tests.home.test_dashboard import propose, send, talking
from tests.support.conftest import make_supporter, open_request

pytestmark = pytest.mark.django_db

# The most each role's Home may take: measured when written (18, 24, 25, 20, 19: the session,
# the person and their roles, then one or two per section) plus two, so that a new section's
# queries are a decision, not an accident.
MAX_QUERIES = {"colleague": 20, Role.SUPPORTER: 26, Role.COORDINATOR: 26,
               Role.ADMINISTRATOR: 22, Role.CASE_HANDLER: 21}


def queries(person: Person) -> int:
    client = signed_in(person)
    client.get("/")  # the first request settles one-time reads (settings rows, the session)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


def colleague_data(person: Person, supporter: Person, organiser: Person, n: int) -> None:
    for i in range(n):
        conversation = talking(person, supporter)
        send(conversation, supporter)
        activities.sign_up(person=person, activity=propose(organiser, f"Signed {i}"))
        propose(organiser, f"Open {i}", days=9)
        recognition.give_recognition(giver=make_person(), message="Thanks for the help!",
                                     audience=Audience.ORGANISATION,
                                     recipient_email=person.email)
        question = questions.ask(person=make_person(), text=f"Question {i}?", anonymous=False)
        questions.moderate(moderator=organiser, question=question, publish=True)


def supporter_data(supporter: Person, n: int) -> None:
    for _ in range(n):
        conversation = talking(make_person(), supporter, use_pseudonym=True)
        commitments.record_commitment(conversation=conversation, supporter=supporter,
                                      what="Check in", due_at=timezone.now() + timedelta(hours=3))
    for _ in range(n):
        open_request(make_person(), use_pseudonym=True)  # offered, waiting for an answer


def moderation_data(n: int) -> None:
    for i in range(n):
        questions.ask(person=make_person(), text=f"Waiting {i}?", anonymous=False)
        talking(make_person(), make_supporter(capacity=1))  # the only one who fits; now full


def guarded(role: str, grow: Callable[[Person, int], None],
            django_assert_max_num_queries: Callable[[int], object]) -> None:
    person = make_person(role) if role != "colleague" else make_person()
    grow(person, 1)
    few = queries(person)
    grow(person, 3)
    assert queries(person) == few, "a query per row: Home has an N+1"
    client = signed_in(person)
    client.get("/")
    with django_assert_max_num_queries(MAX_QUERIES[role]):  # type: ignore[attr-defined]
        client.get("/")


def test_a_colleagues_home_takes_a_fixed_number_of_queries(
        django_assert_max_num_queries: Callable[[int], object]) -> None:
    supporter, organiser = make_supporter(capacity=20), make_person(Role.COORDINATOR)
    guarded("colleague", lambda person, n: colleague_data(person, supporter, organiser, n),
            django_assert_max_num_queries)


def test_a_supporters_home_takes_a_fixed_number_of_queries(
        django_assert_max_num_queries: Callable[[int], object]) -> None:
    supporter = make_supporter(capacity=20)
    few = queries(supporter)
    supporter_data(supporter, 1)
    one = queries(supporter)
    supporter_data(supporter, 3)
    assert queries(supporter) == one >= few
    client = signed_in(supporter)
    client.get("/")
    with django_assert_max_num_queries(MAX_QUERIES[Role.SUPPORTER]):  # type: ignore[attr-defined]
        client.get("/")


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMINISTRATOR, Role.CASE_HANDLER])
def test_the_other_roles_homes_take_a_fixed_number_of_queries(
        role: str, django_assert_max_num_queries: Callable[[int], object]) -> None:
    guarded(role, lambda person, n: moderation_data(n), django_assert_max_num_queries)
