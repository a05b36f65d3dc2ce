"""Writes for comments under recognition: posting (screened by haven.core.moderation like
recognition itself), deleting one's own, and moderation by coordinators. Keyword-only, one
transaction each; the author's e-mail about a decision goes out after commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.core.models import Person
from haven.core.moderation import screen
from haven.recognition.models import (
    COMMENT_MAX_LENGTH,
    Recognition,
    RecognitionComment,
    RecognitionStatus,
)
from haven.recognition.services import (
    clean_decision_reason,
    record_decision,
    tell_author_of_decision,
)

# A second press of "Comment" (or a retried request) sends the same words again at once:
# an identical comment by the same person under the same recognition this soon is refused.
DUPLICATE_WINDOW = timedelta(seconds=10)
# Comments per person in a sliding window: plenty for a conversation, too few for a flood.
COMMENT_LIMIT = 10
COMMENT_LIMIT_WINDOW = timedelta(minutes=10)


class TooManyComments(ValidationError):
    """The comment limit is reached; the API answers 429, the page says when to try again."""


def _clean(message: str) -> str:
    message = message.strip()
    if not message:
        raise ValidationError({"message": _("Write your comment first.")})
    if len(message) > COMMENT_MAX_LENGTH:
        raise ValidationError({"message": _(
            "Keep it to %(max)d characters; this is %(n)d.") % {
                "max": COMMENT_MAX_LENGTH, "n": len(message)}})
    return message


def comment_path(comment: RecognitionComment) -> str:
    return f"{reverse('recognition_detail', args=[comment.recognition_id])}#comment-{comment.pk}"


def post_comment(*, author: Person, recognition: Recognition, message: str,
                 now: datetime | None = None) -> RecognitionComment:
    """AUTHOR comments under RECOGNITION, which the caller has loaded through the selectors
    (so AUTHOR may read it). Held for a coordinator, with the reason kept for the author,
    when the screen finds bullying or abusive language."""
    now = now or timezone.now()
    message = _clean(message)
    verdict = screen(message)
    with transaction.atomic():
        # Locking the recognition serialises comments under it, so a double submit cannot
        # slip two identical comments past the check below.
        status = (Recognition.objects.select_for_update().filter(pk=recognition.pk)
                  .values_list("status", flat=True).first())
        if status != RecognitionStatus.PUBLISHED:
            raise ValidationError(_("Only published recognition can be commented on."))
        mine = RecognitionComment.objects.filter(author=author)
        if mine.filter(recognition=recognition, message=message,
                       created_at__gte=now - DUPLICATE_WINDOW).exists():
            raise ValidationError({"message": _(
                "You have just posted this comment; it is below the recognition.")})
        if mine.filter(created_at__gte=now - COMMENT_LIMIT_WINDOW).count() >= COMMENT_LIMIT:
            raise TooManyComments(_(
                "You have posted %(n)d comments in the last %(minutes)d minutes. Please wait "
                "a few minutes before the next one.") % {
                    "n": COMMENT_LIMIT,
                    "minutes": COMMENT_LIMIT_WINDOW // timedelta(minutes=1)})
        return RecognitionComment.objects.create(
            recognition=recognition, author=author, message=message, created_at=now,
            status=RecognitionStatus.HELD if verdict.held else RecognitionStatus.PUBLISHED,
            held_reason=verdict.reason)


def delete_comment(*, author: Person, comment: RecognitionComment) -> None:
    """AUTHOR deletes their own comment, in any state (a held one leaves the queue)."""
    with transaction.atomic():
        deleted, _detail = RecognitionComment.objects.filter(pk=comment.pk,
                                                             author=author).delete()
    if not deleted:
        raise ValidationError(_("That comment has already been deleted."))


def moderate_comment(*, coordinator: Person, comment_id: int, publish: bool,
                     reason: str = "") -> RecognitionComment:
    """Publish a held comment or reject it with REASON (which its author then sees); audited
    like recognition (the decision, never the text), and the author is e-mailed."""
    reason = clean_decision_reason(reason, publish=publish)
    with transaction.atomic():
        comment = (RecognitionComment.objects.select_for_update()
                   .filter(pk=comment_id, status=RecognitionStatus.HELD).first())
        if comment is None:
            raise ValidationError(_("It has already been moderated, or its author deleted it."))
        if comment.author_id == coordinator.pk:
            raise ValidationError(_("Another coordinator must decide on your own comment."))
        record_decision(comment, coordinator=coordinator, publish=publish, reason=reason)
        tell_author_of_decision(author=comment.author, what="comment",
                                written_at=comment.created_at, published=publish,
                                reason=reason, path=comment_path(comment))
    return comment
