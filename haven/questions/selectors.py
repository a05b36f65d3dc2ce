"""Reads for open questions. Nothing here returns who asked an anonymous question: the
author's own list is found by opening each sealed author, and the board counts people by their
participant pseudonyms."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from haven.core.models import Person
from haven.core.selectors import MAX_ID
from haven.questions.models import (
    Question,
    QuestionKeys,
    QuestionParticipant,
    QuestionStatus,
    QuestionVote,
)
from haven.questions.services import author_aad, voter_tag
from haven.vault import crypto


def participants() -> int:
    """Distinct people who have asked a question (any state) or voted, counted by pseudonym so
    that an author and their own votes count once."""
    return QuestionParticipant.objects.count()


@dataclass(frozen=True)
class Board:
    questions: list[Question]
    participants: int
    least: int
    anonymous_hidden: bool  # anonymous questions exist but wait for enough participants


def _mark_my_votes(shown: list[Question], viewer: Person) -> None:
    """Sets i_voted on each question: the viewer's pseudonym under each open question's vote
    key, looked up in one query. A closed question's key is gone, so nobody can tell."""
    tags = {question.pk: voter_tag(question.vote_key, viewer.pk) for question in shown
            if question.voting_open and question.vote_key is not None
            and not question.vote_key.is_shredded}
    voted = set(QuestionVote.objects.filter(question_id__in=tags.keys(),
                                            voter_tag__in=tags.values())
                .values_list("question_id", "voter_tag")) if tags else set()
    for question in shown:
        question.i_voted = (question.pk, tags.get(question.pk)) in voted


def _shown(count: int) -> QuerySet[Question]:
    """Published questions, most votes first. Anonymous ones appear only once at least
    HAVEN_MIN_GROUP_SIZE people take part (COUNT): in a smaller crowd, who asked is a guess
    away."""
    shown = (Question.objects.filter(status=QuestionStatus.PUBLISHED)
             .select_related("author", "answered_by", "vote_key")
             .order_by("-vote_count", "-created_at", "-id"))
    return shown if count >= settings.HAVEN_MIN_GROUP_SIZE else shown.filter(anonymous=False)


def board(*, viewer: Person) -> Board:
    """Every published question VIEWER may see (_shown), with VIEWER's votes marked."""
    least = settings.HAVEN_MIN_GROUP_SIZE
    count = participants()
    hidden = count < least and Question.objects.filter(status=QuestionStatus.PUBLISHED,
                                                       anonymous=True).exists()
    questions = list(_shown(count))
    _mark_my_votes(questions, viewer)
    return Board(questions=questions, participants=count, least=least,
                 anonymous_hidden=hidden)


def open_to_vote(*, viewer: Person, limit: int) -> list[Question]:
    """The most-voted questions still open for votes, as the board shows them to VIEWER."""
    questions = list(_shown(participants()).filter(answered_at__isnull=True)[:limit])
    _mark_my_votes(questions, viewer)
    return questions


def pending_count() -> int:
    """Questions waiting for a coordinator (the moderation page lists them)."""
    return Question.objects.filter(status=QuestionStatus.PENDING).count()


def published_question(question_id: int) -> Question:
    if not 0 < question_id <= MAX_ID:
        raise Http404
    question = Question.objects.filter(pk=question_id, status=QuestionStatus.PUBLISHED).first()
    if question is None:
        raise Http404
    return question


def question_for_moderation(question_id: int) -> Question:
    if not 0 < question_id <= MAX_ID:
        raise Http404
    question = Question.objects.filter(pk=question_id).first()
    if question is None:
        raise Http404
    return question


def mine(person: Person) -> list[Question]:
    """PERSON's own questions, named and anonymous; for their eyes only. An anonymous question
    has no searchable link to its author, so each sealed author is opened and compared: one
    decryption per anonymous question, in memory (docs/connect.md gives the cost)."""
    keys = QuestionKeys.objects.select_related("authors").filter(pk=1).first()
    anonymous = []
    if keys is not None and not keys.authors.is_shredded:
        for question_id, sealed in (Question.objects.filter(anonymous=True,
                                                            author_sealed__isnull=False)
                                    .values_list("pk", "author_sealed")):
            assert sealed is not None, "the filter keeps only sealed authors"
            try:
                opened = crypto.open_sealed(keys.authors, sealed, aad=author_aad(question_id))
            except crypto.CannotOpen:
                continue
            if opened == str(person.pk):
                anonymous.append(question_id)
    return list(Question.objects.filter(Q(author=person) | Q(pk__in=anonymous))
                .order_by("-created_at", "-id"))


def moderation_queue() -> list[Question]:
    """Waiting questions, held ones first. Loaded without the author: a moderator judges the
    words, and an anonymous question has no author to load."""
    return list(Question.objects.filter(status=QuestionStatus.PENDING)
                .only("id", "text", "anonymous", "held_reason", "created_at", "status")
                .order_by("-held_reason", "created_at", "id"))
