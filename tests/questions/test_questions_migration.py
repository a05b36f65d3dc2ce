"""connect 0006/0007 on a populated database: anonymous authors move from a SECRET_KEY hash
to a sealed link, open votes to pseudonyms, closed votes to a count, times to the day; the
live code then works on what the migration wrote (after the later migrations that move the
tables to the questions app); and it cannot be undone with data."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from haven.questions import selectors
from haven.questions import services as questions
from haven.questions.models import Question, QuestionVote
from haven.vault.models import DataKey
from tests.factories import make_person

BEFORE = [("connect", "0005_activity_settings")]
ASKED = datetime(2026, 3, 4, 15, 27, 31, 123456, tzinfo=UTC)


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _old_hash(person_id: int) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"question-participant:{person_id}".encode(),
                    hashlib.sha256).hexdigest()[:16]


@pytest.fixture
def at_0005(transactional_db: None) -> Iterator[Any]:
    old = _migrate(BEFORE)
    yield old
    _migrate(_latest())


def test_existing_questions_are_rekeyed(at_0005: Any, settings: Any) -> None:
    settings.HAVEN_MIN_GROUP_SIZE = 1
    OldQuestion = at_0005.get_model("connect", "Question")
    OldVote = at_0005.get_model("connect", "QuestionVote")
    a, b, c, d, newcomer = (make_person() for _ in range(5))
    pending = OldQuestion.objects.create(text="A's?", anonymous=True, author_hash=_old_hash(a.pk),
                                         created_at=ASKED)
    open_one = OldQuestion.objects.create(text="B's?", anonymous=True,
                                          author_hash=_old_hash(b.pk), status="published",
                                          created_at=ASKED, moderated_at=ASKED)
    answered = OldQuestion.objects.create(text="C's?", anonymous=False, author_id=c.pk,
                                          status="published", answer="Yes.",
                                          answered_at=ASKED, created_at=ASKED)
    orphan = OldQuestion.objects.create(text="Gone?", anonymous=True,
                                        author_hash=_old_hash(10**9), created_at=ASKED)
    for voter in (c, d):
        OldVote.objects.create(question_id=open_one.pk, voter_id=voter.pk, created_at=ASKED)
    for voter in (a, b):
        OldVote.objects.create(question_id=answered.pk, voter_id=voter.pk, created_at=ASKED)

    _migrate(_latest())

    day = datetime(2026, 3, 4, tzinfo=UTC)
    assert set(Question.objects.values_list("created_at", flat=True)) == {day}
    assert [q.pk for q in selectors.mine(a)] == [pending.pk]
    assert [q.pk for q in selectors.mine(b)] == [open_one.pk]
    assert [q.pk for q in selectors.mine(c)] == [answered.pk]
    assert Question.objects.get(pk=orphan.pk).author_sealed is None  # nobody to seal it to
    assert set(DataKey.objects.filter(purpose__in=["question-authors", "question-participants"])
               .values_list("created_at", flat=True)) == {day}

    still_open = Question.objects.get(pk=open_one.pk)
    assert still_open.vote_count == 2
    with pytest.raises(questions.ValidationError, match="already voted"):
        questions.vote(person=c, question=still_open)
    questions.vote(person=newcomer, question=still_open)
    mine = {q.pk: q.i_voted for q in selectors.board(viewer=d).questions}
    assert mine[open_one.pk] is True

    closed = Question.objects.get(pk=answered.pk)
    assert (closed.vote_count, closed.vote_key) == (2, None)
    assert not QuestionVote.objects.filter(question=closed).exists()

    assert selectors.participants() == 5  # a, b, c, d, and the newcomer who just voted
    with connection.cursor() as cursor:
        columns = {column.name for column in connection.introspection.get_table_description(
            cursor, "questions_question")}
        vote_columns = {column.name for column in connection.introspection.get_table_description(
            cursor, "questions_questionvote")}
    assert "author_hash" not in columns
    assert vote_columns == {"id", "question_id", "voter_tag"}

    with pytest.raises(RuntimeError, match="cannot be undone"):
        _migrate(BEFORE)


def test_a_new_install_migrates_without_making_keys(at_0005: Any) -> None:
    _migrate(_latest())

    assert not DataKey.objects.exists()
