"""Anonymous questions against a database thief: a test that plays the attacker on a dump of
every table (with SECRET_KEY, without the master keys), and the rules that keep it blind —
votes under per-question keys shredded on closing, sealed authors, day-only times, and
requests that post or vote leaving the session row alone."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.test import Client

from haven.core.models import AuditEvent, Person, Role
from haven.questions import selectors
from haven.questions import services as questions
from haven.questions.models import Question, QuestionKeys, QuestionParticipant, QuestionVote
from haven.vault import crypto
from haven.vault.masterkeys import generate_master_key
from haven.vault.models import DataKey
from tests.conftest import signed_in
from tests.factories import make_person

AUTHORS = 12
TASKS_TABLE = "django_tasks_database_dbtaskresult"  # django-tasks' database backend
STEP = 0.1  # seconds between one person's action and the next one's


def _publish(question: Question) -> Question:
    return questions.moderate(moderator=make_person(Role.COORDINATOR, mfa=False),
                              question=question, publish=True)


# Votes: one per person, forgotten on closing ------------------------------------------------

@pytest.mark.django_db
def test_a_vote_is_a_pseudonym_under_the_questions_own_key() -> None:
    voter = make_person()
    first, second = _publish(questions.ask(person=make_person(), text="A?", anonymous=True)), \
        _publish(questions.ask(person=make_person(), text="B?", anonymous=False))

    questions.vote(person=voter, question=first)
    questions.vote(person=voter, question=second)

    tags = list(QuestionVote.objects.order_by("pk").values_list("voter_tag", flat=True))
    assert tags[0] != tags[1]  # the same voter is not recognisable across questions
    assert {field.name for field in QuestionVote._meta.get_fields()} == {
        "id", "question", "voter_tag"}  # no voter, no time
    assert not set(tags) & set(_secret_key_hashes(voter))


@pytest.mark.django_db
def test_one_vote_per_person_holds_with_pseudonyms(settings: Any) -> None:
    settings.HAVEN_MIN_GROUP_SIZE = 1
    question, voter = _publish(questions.ask(person=make_person(), text="A?", anonymous=True)), \
        make_person()

    questions.vote(person=voter, question=question)
    with pytest.raises(questions.ValidationError, match="already voted"):
        questions.vote(person=voter, question=question)
    questions.vote(person=make_person(), question=question)

    question.refresh_from_db()
    assert question.vote_count == 2
    assert QuestionVote.objects.filter(question=question).count() == 2
    board = selectors.board(viewer=voter)
    assert [q.i_voted for q in board.questions if q.pk == question.pk] == [True]
    assert [q.i_voted for q in selectors.board(viewer=make_person()).questions] == [False]


@pytest.mark.django_db
def test_answering_closes_the_vote_shreds_its_key_and_keeps_the_count(settings: Any) -> None:
    settings.HAVEN_MIN_GROUP_SIZE = 1
    author = make_person()
    question = _publish(questions.ask(person=author, text="A?", anonymous=True))
    voters = [make_person() for _ in range(3)]
    for voter in voters:
        questions.vote(person=voter, question=question)
    key_id = question.vote_key_id
    tag = questions.voter_tag(DataKey.objects.get(pk=key_id), voters[0].pk)

    questions.answer(leader=make_person(Role.COORDINATOR, mfa=False), question=question,
                     text="Yes.")

    question.refresh_from_db()
    key = DataKey.objects.get(pk=key_id)
    assert (key.wrapped, key.is_shredded) == (None, True)
    assert not QuestionVote.objects.filter(question=question).exists()
    assert question.vote_count == 3
    with pytest.raises(crypto.KeyShredded):
        questions.voter_tag(key, voters[0].pk)  # nobody can test a person any more
    assert tag not in json.dumps(_dump(), default=str)
    with pytest.raises(questions.ValidationError, match="Voting has closed"):
        questions.vote(person=make_person(), question=question)
    shown = [q for q in selectors.board(viewer=voters[0]).questions if q.pk == question.pk]
    assert (shown[0].vote_count, shown[0].i_voted, shown[0].voting_open) == (3, False, False)
    assert [q.pk for q in selectors.mine(author)] == [question.pk]  # still the author's


@pytest.mark.django_db
def test_a_declined_question_never_had_a_vote_key_and_its_author_still_sees_why() -> None:
    author = make_person()
    question = questions.ask(person=author, text="A?", anonymous=True)

    questions.moderate(moderator=make_person(Role.COORDINATOR, mfa=False), question=question,
                       publish=False, reason="Not for leadership.")

    question.refresh_from_db()
    assert question.vote_key is None
    mine = selectors.mine(author)
    assert [(q.pk, q.rejection_reason) for q in mine] == [(question.pk, "Not for leadership.")]


@pytest.mark.django_db
def test_the_voting_closed_page_says_so(settings: Any) -> None:
    settings.HAVEN_MIN_GROUP_SIZE = 1
    question = _publish(questions.ask(person=make_person(), text="A?", anonymous=False))
    questions.answer(leader=make_person(Role.COORDINATOR, mfa=False), question=question,
                     text="Yes.")
    client = signed_in(make_person())

    body = client.get("/questions/").content.decode()
    assert "Voting has closed" in body
    assert f"/questions/{question.pk}/vote/" not in body
    after = client.post(f"/questions/{question.pk}/vote/", follow=True).content.decode()
    assert "Voting has closed: this question has been answered." in after


# The author link --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_author_is_sealed_to_the_question_and_opens_for_nobody_else() -> None:
    author, other = make_person(), make_person()
    first = questions.ask(person=author, text="A?", anonymous=True)
    second = questions.ask(person=other, text="B?", anonymous=True)

    assert first.author_id is None
    assert [q.pk for q in selectors.mine(author)] == [first.pk]
    assert [q.pk for q in selectors.mine(other)] == [second.pk]
    # A sealed author copied onto another question does not open there: the id is bound in.
    Question.objects.filter(pk=second.pk).update(author_sealed=first.author_sealed)
    assert [q.pk for q in selectors.mine(author)] == [first.pk]
    assert [q.pk for q in selectors.mine(other)] == []


@pytest.mark.django_db
def test_a_question_keeps_only_its_day() -> None:
    question = questions.ask(person=make_person(), text="A?", anonymous=True)

    stored = Question.objects.get(pk=question.pk)
    keys = QuestionKeys.objects.select_related("participants", "authors").get()
    for moment in (stored.created_at, keys.authors.created_at, keys.participants.created_at):
        assert (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)
    assert stored.created_at.date() == datetime.now(tz=stored.created_at.tzinfo).date()


# Posting and voting leave the session row alone ----------------------------------------------

def _expiry(client: Client) -> datetime:
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    return Session.objects.get(session_key=key).expire_date


@pytest.mark.django_db
def test_asking_and_voting_do_not_move_the_sessions_expiry() -> None:
    client = signed_in(make_person())
    question = _publish(questions.ask(person=make_person(), text="A?", anonymous=False))
    assert client.get("/questions/ask/").status_code == 200
    before = _expiry(client)
    time.sleep(0.01)

    asked = client.post("/questions/ask/", {"text": "Why?", "anonymous": "yes"})
    voted = client.post(f"/questions/{question.pk}/vote/")
    api = client.post("/api/v1/connect/questions", json.dumps({"text": "B?", "anonymous": True}),
                      content_type="application/json")

    assert (asked.status_code, voted.status_code, api.status_code) == (302, 302, 201)
    assert _expiry(client) == before
    # Any other page refreshes it, as before, once the row is a minute old
    # (haven.core.sessions.REFRESH_AFTER): make it older than that.
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=before - timedelta(minutes=2))
    client.get("/questions/")
    assert _expiry(client) > before


# The attacker ----------------------------------------------------------------------------------

def _dump() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as a thief with the database (not the master keys) has it."""
    tables: dict[str, list[dict[str, Any]]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            names = [column[0] for column in cursor.description]
            tables[table] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return tables


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _times(row: dict[str, Any]) -> list[datetime]:
    found = [_as_datetime(value) for value in row.values()]
    return [moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
            for moment in found if moment]  # naive UTC, as SQLite returns them


def _person_columns() -> dict[str, list[str]]:
    """Per table, the columns that hold a person's id (foreign keys to Person)."""
    columns: dict[str, list[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is Person:
                columns.setdefault(model._meta.db_table, []).append(field.column)
    return columns


def _activity(dump: dict[str, list[dict[str, Any]]]) -> dict[int, list[datetime]]:
    """Every time the dump ties to a person: their own row, each row naming them, their
    sessions' last request (expiry minus the idle timeout), tasks that mention them."""
    activity: dict[int, list[datetime]] = {}
    for row in dump[Person._meta.db_table]:
        activity.setdefault(row["id"], []).extend(_times(row))
    for table, person_columns in _person_columns().items():
        for row in dump.get(table, []):
            for column in person_columns:
                if row.get(column) is not None:
                    activity.setdefault(int(row[column]), []).extend(_times(row))
    idle = timedelta(seconds=django_settings.SESSION_COOKIE_AGE)
    for row in dump["django_session"]:
        person_id = SessionStore().decode(row["session_data"]).get("_auth_user_id")
        if person_id is not None:
            activity.setdefault(int(person_id), []).extend(
                moment - idle for moment in _times({"expire_date": row["expire_date"]}))
    emails = {row["email"]: row["id"] for row in dump[Person._meta.db_table]}
    for row in dump.get(TASKS_TABLE, []):
        text = json.dumps(row, default=str)
        for email, person_id in emails.items():
            if email in text:
                activity.setdefault(person_id, []).extend(_times(row))
    return activity


def _post_times(dump: dict[str, list[dict[str, Any]]], question_id: int) -> list[datetime]:
    """The time the dump gives for the asking of a question: its row's created_at (moderation
    and answers are other people's acts)."""
    row = next(r for r in dump[Question._meta.db_table] if r["id"] == question_id)
    return _times({"created_at": row["created_at"]})


def _timing_guess(activity: dict[int, list[datetime]], posted: list[datetime]) -> set[int]:
    """The people whose recorded activity lies nearest the question's times (ties: all)."""
    best: dict[int, float] = {}
    for person_id, moments in activity.items():
        distances = [abs((moment - post).total_seconds()) for moment in moments
                     for post in posted]
        if distances:
            best[person_id] = min(distances)
    if not best:
        return set()
    nearest = min(best.values())
    return {person_id for person_id, distance in best.items() if distance == nearest}


def _secret_key_hashes(person: Person) -> dict[str, str]:
    """Every keyed hash of a person the thief can make with SECRET_KEY, as Haven made (or
    might make) them: full and shortened HMAC-SHA256 of the id under the usual labels."""
    key = django_settings.SECRET_KEY.encode()
    guesses = {}
    for message in (f"question-participant:{person.pk}", f"participant:{person.pk}",
                    f"voter:{person.pk}", f"question-author:{person.pk}", str(person.pk),
                    person.email):
        digest = hmac.new(key, message.encode(), hashlib.sha256).hexdigest()
        guesses[digest] = guesses[digest[:16]] = message
    return guesses


@pytest.fixture
def tasks_in_the_database(settings: Any) -> Iterator[None]:
    # The production backend, so that anything queued at post time is in the dump.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    yield


@pytest.mark.django_db(transaction=True)
def test_a_database_thief_cannot_tie_an_anonymous_question_to_its_author(
        settings: Any, tasks_in_the_database: None) -> None:
    settings.HAVEN_MIN_GROUP_SIZE = 2
    authors = [make_person() for _ in range(AUTHORS)]
    others = [make_person() for _ in range(8)]
    coordinator = make_person(Role.COORDINATOR)
    as_coordinator = signed_in(coordinator)
    named = questions.ask(person=others[0], text="Named one?", anonymous=False)
    as_coordinator.post(f"/questions/{named.pk}/moderate/", {"decision": "publish"})
    asked: dict[int, int] = {}  # question id → author id, what the thief wants
    for number, author in enumerate(authors):
        time.sleep(STEP)
        bystander = signed_in(others[number % len(others)])
        bystander.get("/questions/")
        time.sleep(STEP)
        client = signed_in(author)
        client.get("/questions/ask/")
        tasks_before = _count(TASKS_TABLE)
        client.post("/questions/ask/", {"text": f"Question {number}?", "anonymous": "yes"},
                    follow=True)
        assert _count(TASKS_TABLE) == tasks_before  # nothing queued
        question = Question.objects.order_by("-pk").first()
        asked[question.pk] = author.pk
        time.sleep(STEP)
        bystander.post(f"/questions/{named.pk}/vote/")
        time.sleep(STEP)
        as_coordinator.post(f"/questions/{question.pk}/moderate/", {"decision": "publish"})
        if number % 3 == 0:  # some authors vote too, for their own and others' questions
            time.sleep(STEP)
            client.post(f"/questions/{question.pk}/vote/")
    assert len(asked) == AUTHORS

    dump = _dump()

    # 1. Keyed hashes of every person under SECRET_KEY: none is stored anywhere.
    every_value = {str(value) for rows in dump.values() for row in rows
                   for value in row.values() if value is not None}
    for person in Person.objects.all():
        assert not every_value & set(_secret_key_hashes(person)), person.pk

    # 2. Nothing in a question's row, or in the vote and participant tables, names a person.
    for row in dump[Question._meta.db_table]:
        if row["id"] in asked:
            assert row["author_id"] is None
    assert set(dump[QuestionVote._meta.db_table][0]) == {"id", "question_id", "voter_tag"}
    assert set(dump[QuestionParticipant._meta.db_table][0]) == {"tag"}

    # 3. No audit row has an author act on their anonymous question.
    for row in dump[AuditEvent._meta.db_table]:
        if row["object_type"] == "question" and row["object_id"] in map(str, asked):
            assert row["actor_id"] != asked[int(row["object_id"])]

    # 4. Times: the question's times against every time the dump ties to each person (the
    # session's expiry minus the idle timeout, sign-in audit rows, last_login, updated_at,
    # queued tasks). The nearest person is the thief's best guess.
    activity = _activity(dump)
    hits = 0.0
    for question_id, author_id in asked.items():
        guess = _timing_guess(activity, _post_times(dump, question_id))
        hits += (author_id in guess) / max(len(guess), 1)
    people = Person.objects.count()
    chance = AUTHORS / people
    assert hits <= max(2, 2 * chance), (hits, chance)

    # The dump is what the thief has; without the master keys the sealed authors stay shut.
    settings.HAVEN_MASTER_KEYS = generate_master_key("thief")
    crypto.master_keys.cache_clear()
    crypto.forget_cached_keys()
    try:
        sample = Question.objects.get(pk=next(iter(asked)))
        authors = QuestionKeys.objects.select_related("authors").get().authors
        with pytest.raises(ImproperlyConfigured, match="not in HAVEN_MASTER_KEYS"):
            crypto.open_sealed(authors, sample.author_sealed,
                               aad=questions.author_aad(sample.pk))
    finally:
        settings.HAVEN_MASTER_KEYS = django_settings.HAVEN_MASTER_KEYS
        crypto.master_keys.cache_clear()


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return int(cursor.fetchone()[0])
