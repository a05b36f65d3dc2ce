"""Writes for open questions to leadership: asking (named or anonymous), voting once,
moderation by coordinators (audited), and public answers.

An anonymous question stores no author, only author_hash: a keyed hash of the person's id
(haven.core.audit.hash_identifier, keyed with SECRET_KEY), enough to show the author "your
questions" and nothing more. No function here logs, audits or returns who asked."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.connect.activity_models import (
    ANSWER_MAX,
    QUESTION_MAX,
    REASON_MAX,
    Question,
    QuestionStatus,
    QuestionVote,
)
from haven.connect.moderation import screen
from haven.core.audit import audit, hash_identifier
from haven.core.models import AuditAction, Person


def participant_hash(person_id: int) -> str:
    """The pseudonym of a person taking part in questions: who asked an anonymous question,
    and the unit in which the board counts distinct participants."""
    return hash_identifier(f"question-participant:{person_id}")


def _text(value: str, *, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("This cannot be empty.")})
    if len(value) > limit:
        raise ValidationError({field: _("Keep it to %(limit)d characters or fewer.")
                               % {"limit": limit}})
    return value


def ask(*, person: Person, text: str, anonymous: bool) -> Question:
    """A new question, waiting for a coordinator. Wording the lexical screen flags is held
    with its reason, which the moderator and the author see."""
    text = _text(text, field="text", limit=QUESTION_MAX)
    verdict = screen(text)
    held_reason = (_("Held for a closer look: %(reason)s.") % {"reason": verdict.reason}
                   if verdict.held else "")
    return Question.objects.create(
        text=text, anonymous=anonymous, author=None if anonymous else person,
        author_hash=participant_hash(person.pk) if anonymous else "",
        held_reason=held_reason[:REASON_MAX])


def vote(*, person: Person, question: Question) -> QuestionVote:
    """One vote per person per question (a database constraint); the second is refused."""
    if question.status != QuestionStatus.PUBLISHED:
        raise ValidationError(_("You can vote only for published questions."))
    try:
        with transaction.atomic():
            return QuestionVote.objects.create(question=question, voter=person)
    except IntegrityError:
        raise ValidationError(_("You have already voted for this question.")) from None


def moderate(*, moderator: Person, question: Question, publish: bool, reason: str = "",
             now: datetime | None = None) -> Question:
    """Publish a waiting question, or decline it with a reason the author sees."""
    now = now or timezone.now()
    if not publish:
        reason = _text(reason, field="reason", limit=REASON_MAX)
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        if question.status != QuestionStatus.PENDING:
            raise ValidationError(_("This question has already been moderated."))
        question.status = QuestionStatus.PUBLISHED if publish else QuestionStatus.REJECTED
        question.rejection_reason = "" if publish else reason
        question.moderated_at = now
        question.save(update_fields=["status", "rejection_reason", "moderated_at"])
        # Who moderated, which question, the outcome: never the text, never the author.
        audit(action=AuditAction.QUESTION_MODERATED, actor=moderator, object_type="question",
              object_id=question.pk, detail={"published": publish,
                                             "held": bool(question.held_reason)})
    return question


def answer(*, leader: Person, question: Question, text: str,
           now: datetime | None = None) -> Question:
    """A public answer from a coordinator or administrator; a later answer replaces it."""
    text = _text(text, field="answer", limit=ANSWER_MAX)
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        if question.status != QuestionStatus.PUBLISHED:
            raise ValidationError(_("Only published questions can be answered."))
        question.answer, question.answered_by = text, leader
        question.answered_at = now or timezone.now()
        question.save(update_fields=["answer", "answered_by", "answered_at"])
    return question
