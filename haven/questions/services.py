"""Writes for open questions to leadership: asking (named or anonymous), voting once,
moderation by coordinators (audited), public answers, and closing the vote.

What an anonymous question leaves behind, and who can read it (docs/connect.md, "Anonymity"):
- its author only sealed under the authors key (the vault), bound to the question's id;
- votes as pseudonyms under a per-question key made at publishing and shredded when the
  question closes (answered or declined), after which only vote_count remains;
- participants (for the board's k rule) as pseudonyms under one vault key, unlinked to any
  question;
- no time finer than the day, on the question and on the keys made for it.
No function here logs, audits or returns who asked, and none enqueues anything."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.core.audit import audit
from haven.core.models import Person
from haven.core.moderation import screen
from haven.questions.models import (
    ANSWER_MAX,
    QUESTION_MAX,
    REASON_MAX,
    Question,
    QuestionAudit,
    QuestionKeys,
    QuestionParticipant,
    QuestionStatus,
    QuestionVote,
    start_of_day,
)
from haven.vault import crypto
from haven.vault.models import DataKey

VOTE_KEY = "question-votes"


def author_aad(question_id: int) -> str:
    # The id bound in: a sealed author copied onto another question does not open there.
    return f"question-author:{question_id}"


def voter_tag(vote_key: DataKey, person_id: int) -> str:
    return crypto.keyed_tag(vote_key, f"voter:{person_id}")


def participant_tag(participants_key: DataKey, person_id: int) -> str:
    return crypto.keyed_tag(participants_key, f"participant:{person_id}")


def question_keys() -> QuestionKeys:
    """The participants and authors keys, made on first use (one row, whoever wins)."""
    row = (QuestionKeys.objects.select_related("participants", "authors").filter(pk=1).first())
    if row is not None:
        return row
    day = start_of_day()  # the keys' own time says when the feature was first used, no more
    made = QuestionKeys(
        pk=1, participants=crypto.create_data_key(purpose="question-participants",
                                                  created_at=day),
        authors=crypto.create_data_key(purpose="question-authors", created_at=day))
    try:
        with transaction.atomic():
            made.save(force_insert=True)
        return made
    except IntegrityError:  # another request made it first: use theirs, drop ours
        crypto.shred(made.participants)
        crypto.shred(made.authors)
        return QuestionKeys.objects.select_related("participants", "authors").get(pk=1)


def _take_part(person: Person, keys: QuestionKeys) -> None:
    tag = participant_tag(keys.participants, person.pk)
    QuestionParticipant.objects.bulk_create([QuestionParticipant(tag=tag)],
                                            ignore_conflicts=True)


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
    day = start_of_day()
    with transaction.atomic():
        question = Question.objects.create(
            text=text, anonymous=anonymous, author=None if anonymous else person,
            held_reason=held_reason[:REASON_MAX], created_at=day)
        keys = question_keys()
        if anonymous:
            question.author_sealed = crypto.seal(keys.authors, str(person.pk),
                                                 aad=author_aad(question.pk))
            question.save(update_fields=["author_sealed"])
        _take_part(person, keys)
    return question


def vote(*, person: Person, question: Question) -> None:
    """One vote per person per question (a database constraint on the voter's pseudonym);
    the second is refused, and so is a vote once the question is answered."""
    with transaction.atomic():
        question = (Question.objects.select_for_update(of=("self",)).select_related("vote_key")
                    .get(pk=question.pk))
        if question.status != QuestionStatus.PUBLISHED:
            raise ValidationError(_("You can vote only for published questions."))
        if not question.voting_open or question.vote_key is None:
            raise ValidationError(_("Voting has closed: this question has been answered."))
        try:
            with transaction.atomic():
                QuestionVote.objects.create(question=question,
                                            voter_tag=voter_tag(question.vote_key, person.pk))
        except IntegrityError:
            raise ValidationError(_("You have already voted for this question.")) from None
        Question.objects.filter(pk=question.pk).update(vote_count=F("vote_count") + 1)
        _take_part(person, question_keys())


def _close_voting(question: Question) -> None:
    """Keep the count, forget the voters: the pseudonyms go, and the key that could test a
    person against them is shredded (a backup keeps it only until its master key retires)."""
    QuestionVote.objects.filter(question=question).delete()
    if question.vote_key is not None and not question.vote_key.is_shredded:
        crypto.shred(question.vote_key)


def moderate(*, moderator: Person, question: Question, publish: bool, reason: str = "",
             now: datetime | None = None) -> Question:
    """Publish a waiting question (which opens its vote), or decline it with a reason the
    author sees."""
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
        fields = ["status", "rejection_reason", "moderated_at"]
        if publish:
            question.vote_key = crypto.create_data_key(purpose=VOTE_KEY)
            fields.append("vote_key")
        question.save(update_fields=fields)
        # Who moderated, which question, the outcome: never the text, never the author.
        audit(action=QuestionAudit.QUESTION_MODERATED, actor=moderator, object_type="question",
              object_id=question.pk, detail={"published": publish,
                                             "held": bool(question.held_reason)})
    return question


def answer(*, leader: Person, question: Question, text: str,
           now: datetime | None = None) -> Question:
    """A public answer from a coordinator or administrator; a later answer replaces it. The
    first answer closes the vote."""
    text = _text(text, field="answer", limit=ANSWER_MAX)
    with transaction.atomic():
        question = (Question.objects.select_for_update(of=("self",)).select_related("vote_key")
                    .get(pk=question.pk))
        if question.status != QuestionStatus.PUBLISHED:
            raise ValidationError(_("Only published questions can be answered."))
        question.answer, question.answered_by = text, leader
        question.answered_at = now or timezone.now()
        question.save(update_fields=["answer", "answered_by", "answered_at"])
        _close_voting(question)
    return question
