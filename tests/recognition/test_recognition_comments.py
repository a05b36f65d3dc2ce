"""Comments under recognition, services and selectors: who may read and write them, bad input,
double submits and the limit, the screen, deleting, moderation (audited, e-mailed without the
text) and the e-mail about a decision on recognition."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from haven.core.models import AuditEvent, Person, Role
from haven.recognition import selectors
from haven.recognition import services as recognition
from haven.recognition.comments import (
    COMMENT_LIMIT,
    COMMENT_LIMIT_WINDOW,
    TooManyComments,
    delete_comment,
    moderate_comment,
    post_comment,
)
from haven.recognition.models import (
    Recognition,
    RecognitionAudit,
    RecognitionComment,
    RecognitionKind,
    RecognitionStatus,
)
from tests.factories import TeamFactory, make_person

pytestmark = pytest.mark.django_db

ABUSIVE = "Thanks genius, you broke it again."


def give(giver: Person | None = None, to: Person | None = None, **fields: Any) -> Recognition:
    fields.setdefault("message", "Thank you for the calm handover on Friday.")
    fields.setdefault("audience", "organisation")
    return recognition.give_recognition(giver=giver or make_person(),
                                        recipient_email=(to or make_person()).email, **fields)


def readable(viewer: Person, given: Recognition) -> list[str]:
    return [c.message for c in selectors.comments_on(viewer=viewer, recognition=given)]


def feed_comments(viewer: Person, given: Recognition) -> tuple[list[str], int]:
    item = next(i for i in selectors.feed(viewer=viewer) if i.recognition.pk == given.pk)
    return [c.message for c in item.comments], item.comment_count


# Writing and reading ---------------------------------------------------------------------------

def test_a_reader_comments_and_the_audience_reads_it() -> None:
    author, reader = make_person(), make_person()
    given = give()

    comment = post_comment(author=author, recognition=given, message="  Well deserved!  ")

    assert comment.status == RecognitionStatus.PUBLISHED and comment.message == "Well deserved!"
    assert readable(reader, given) == ["Well deserved!"]
    assert feed_comments(reader, given) == (["Well deserved!"], 1)


def test_comments_keep_the_recognitions_audience() -> None:
    giver, recipient, outsider = make_person(), make_person(), make_person()
    private = give(giver, recipient, audience="private")
    team = TeamFactory(name="Platform")
    teammate, other_team = make_person(team=team), make_person(team=TeamFactory(name="Sales"))
    for_team = give(to=make_person(team=team), audience="team")

    post_comment(author=recipient, recognition=private, message="Thank you, that means a lot.")
    post_comment(author=teammate, recognition=for_team, message="Go team!")

    assert readable(giver, private) == ["Thank you, that means a lot."]
    assert readable(outsider, private) == []
    assert readable(other_team, for_team) == []
    assert readable(teammate, for_team) == ["Go team!"]
    assert not RecognitionComment.objects.filter(selectors.comments_visible_to(outsider)).exists()
    with pytest.raises(Http404):  # the page and the API load it this way before commenting
        selectors.readable_recognition(viewer=outsider, recognition_id=private.pk)


@pytest.mark.parametrize(("message", "expected"), [
    ("", "Write your comment first."), ("   \n ", "Write your comment first."),
    ("x" * 501, "Keep it to 500 characters; this is 501."),
])
def test_bad_input_is_refused_and_changes_nothing(message: str, expected: str) -> None:
    given = give()

    with pytest.raises(ValidationError) as refused:
        post_comment(author=make_person(), recognition=given, message=message)

    assert refused.value.message_dict == {"message": [expected]}
    assert not RecognitionComment.objects.exists()


def test_500_characters_are_accepted() -> None:
    comment = post_comment(author=make_person(), recognition=give(), message="y" * 500)
    assert len(comment.message) == 500


@pytest.mark.parametrize("status", [RecognitionStatus.HELD, RecognitionStatus.REJECTED])
def test_recognition_that_is_not_published_takes_no_comment(status: str) -> None:
    giver = make_person()
    given = give(giver, message="Thanks for nothing.")
    Recognition.objects.filter(pk=given.pk).update(status=status)

    with pytest.raises(ValidationError, match="Only published recognition"):
        post_comment(author=giver, recognition=given, message="Sorry, I meant it kindly.")
    assert not RecognitionComment.objects.exists()


def test_the_same_words_again_at_once_are_refused_but_later_welcome() -> None:
    author, given = make_person(), give()
    now = timezone.now()
    post_comment(author=author, recognition=given, message="Bravo!", now=now)

    with pytest.raises(ValidationError, match="You have just posted this comment"):
        post_comment(author=author, recognition=given, message=" Bravo! ",
                     now=now + timedelta(seconds=3))
    post_comment(author=author, recognition=given, message="Bravo again!",
                 now=now + timedelta(seconds=4))
    post_comment(author=make_person(), recognition=given, message="Bravo!",
                 now=now + timedelta(seconds=5))
    post_comment(author=author, recognition=given, message="Bravo!",
                 now=now + timedelta(seconds=11))

    assert RecognitionComment.objects.count() == 4


def test_too_many_comments_in_a_short_time_are_refused() -> None:
    author, given = make_person(), give()
    start = timezone.now()
    for n in range(COMMENT_LIMIT):
        post_comment(author=author, recognition=given, message=f"Point {n}",
                     now=start + timedelta(seconds=n))

    with pytest.raises(TooManyComments, match="Please wait"):
        post_comment(author=author, recognition=given, message="One more",
                     now=start + timedelta(minutes=1))
    assert RecognitionComment.objects.count() == COMMENT_LIMIT
    post_comment(author=make_person(), recognition=given, message="Someone else",
                 now=start + timedelta(minutes=1))
    post_comment(author=author, recognition=given, message="One more",
                 now=start + COMMENT_LIMIT_WINDOW + timedelta(seconds=1))


def test_the_feed_shows_the_latest_comments_and_the_page_all_of_them() -> None:
    reader, given = make_person(), give()
    start = timezone.now()
    for n in range(5):
        post_comment(author=make_person(), recognition=given, message=f"Reply {n}",
                     now=start + timedelta(seconds=n))

    assert feed_comments(reader, given) == (["Reply 2", "Reply 3", "Reply 4"], 5)
    shown = selectors.shown_recognition(viewer=reader, recognition_id=given.pk)
    assert [c.message for c in shown.comments] == [f"Reply {n}" for n in range(5)]


# The screen ------------------------------------------------------------------------------------

def test_an_abusive_comment_is_held_for_its_author_and_coordinators_only() -> None:
    author, reader, giver = make_person(), make_person(), make_person()
    given = give(giver)

    held = post_comment(author=author, recognition=given, message=ABUSIVE)

    assert held.status == RecognitionStatus.HELD
    assert held.held_reason == "it reads as mocking or sarcastic thanks"
    assert readable(author, given) == [ABUSIVE]
    assert feed_comments(author, given) == ([ABUSIVE], 1)
    assert readable(reader, given) == [] and readable(giver, given) == []
    assert feed_comments(reader, given) == ([], 0)
    assert [c.pk for c in selectors.held_comments()] == [held.pk]


def test_an_author_deletes_their_own_comment_only() -> None:
    author, other = make_person(), make_person()
    comment = post_comment(author=author, recognition=give(), message="Nice one.")

    with pytest.raises(Http404):
        selectors.own_comment(viewer=other, comment_id=comment.pk)
    with pytest.raises(ValidationError):
        delete_comment(author=other, comment=comment)
    assert RecognitionComment.objects.count() == 1

    delete_comment(author=author, comment=selectors.own_comment(viewer=author,
                                                                comment_id=comment.pk))
    assert not RecognitionComment.objects.exists()
    with pytest.raises(ValidationError, match="already been deleted"):
        delete_comment(author=author, comment=comment)


# Moderation -------------------------------------------------------------------------------------

def test_a_held_comment_is_published_audited_and_its_author_emailed(commit: Any) -> None:
    coordinator, author, reader = make_person(Role.COORDINATOR), make_person(), make_person()
    given = give()
    held = post_comment(author=author, recognition=given, message=ABUSIVE)

    with commit():
        moderate_comment(coordinator=coordinator, comment_id=held.pk, publish=True,
                         reason="Friendly teasing between teammates.")

    held.refresh_from_db()
    assert (held.status, held.moderated_by) == (RecognitionStatus.PUBLISHED, coordinator)
    assert readable(reader, given) == [ABUSIVE]
    event = AuditEvent.objects.get(action=RecognitionAudit.RECOGNITION_MODERATED)
    assert (event.object_type, event.object_id) == ("recognition_comment", str(held.pk))
    assert event.detail == {"decision": "published"}
    message, = mail.outbox
    assert message.to == [author.email]
    assert message.subject == "Your comment is published"
    assert "Their reason: Friendly teasing between teammates." in message.body
    assert f"/recognition/{given.pk}/#comment-{held.pk}" in message.body
    assert "genius" not in message.body and "genius" not in message.subject


def test_a_rejected_comment_shows_its_author_the_reason(commit: Any) -> None:
    coordinator, author, reader = make_person(Role.COORDINATOR), make_person(), make_person()
    given = give()
    held = post_comment(author=author, recognition=given, message="What an idiot move.")

    with commit():
        moderate_comment(coordinator=coordinator, comment_id=held.pk, publish=False,
                         reason="Please say it without name-calling.")

    held.refresh_from_db()
    assert held.status == RecognitionStatus.REJECTED
    assert held.held_reason == "Please say it without name-calling."
    assert readable(author, given) == ["What an idiot move."] and readable(reader, given) == []
    assert AuditEvent.objects.get().detail == {"decision": "rejected"}
    message, = mail.outbox
    assert message.subject == "Your comment was not published"
    assert "decided not to publish it" in message.body
    assert "Please say it without name-calling." in message.body
    assert "idiot" not in message.body
    with pytest.raises(ValidationError, match="already been moderated"):
        moderate_comment(coordinator=coordinator, comment_id=held.pk, publish=True)


@pytest.mark.parametrize(("reason", "expected"), [
    ("", "Say why it is not published"), ("  ", "Say why it is not published"),
    ("r" * 201, "Keep the reason to 200 characters; this is 201."),
])
def test_rejecting_needs_a_short_reason(reason: str, expected: str) -> None:
    coordinator = make_person(Role.COORDINATOR)
    held_comment = post_comment(author=make_person(), recognition=give(), message=ABUSIVE)
    held_recognition = give(message=ABUSIVE)

    with pytest.raises(ValidationError, match=expected):
        moderate_comment(coordinator=coordinator, comment_id=held_comment.pk, publish=False,
                         reason=reason)
    with pytest.raises(ValidationError, match=expected):
        recognition.moderate(coordinator=coordinator, recognition_id=held_recognition.pk,
                             publish=False, reason=reason)

    assert RecognitionComment.objects.get().status == RecognitionStatus.HELD
    assert Recognition.objects.get(pk=held_recognition.pk).status == RecognitionStatus.HELD
    assert not AuditEvent.objects.exists() and mail.outbox == []


def test_a_coordinator_cannot_decide_on_their_own_comment() -> None:
    coordinator = make_person(Role.COORDINATOR)
    held = post_comment(author=coordinator, recognition=give(), message=ABUSIVE)

    with pytest.raises(ValidationError, match="Another coordinator"):
        moderate_comment(coordinator=coordinator, comment_id=held.pk, publish=True)
    held.refresh_from_db()
    assert held.status == RecognitionStatus.HELD


def test_a_deleted_held_comment_leaves_the_queue() -> None:
    author = make_person()
    held = post_comment(author=author, recognition=give(), message=ABUSIVE)

    delete_comment(author=author, comment=held)

    assert selectors.held_comments() == []
    with pytest.raises(ValidationError, match="its author deleted it"):
        moderate_comment(coordinator=make_person(Role.COORDINATOR), comment_id=held.pk,
                         publish=True)


# E-mail about decisions on recognition ---------------------------------------------------------

def test_the_author_of_held_recognition_is_emailed_the_decision(commit: Any) -> None:
    coordinator, giver = make_person(Role.COORDINATOR), make_person()
    held = give(giver, message="Slow clap for the release notes.")

    with commit():
        recognition.moderate(coordinator=coordinator, recognition_id=held.pk, publish=False,
                             reason="It reads as mocking; try saying what went well.")

    held.refresh_from_db()
    assert held.held_reason == "It reads as mocking; try saying what went well."
    message, = mail.outbox
    assert message.to == [giver.email]
    assert message.subject == "Your recognition was not published"
    assert "It reads as mocking; try saying what went well." in message.body
    assert f"/recognition/{held.pk}/" in message.body
    assert "Slow clap" not in message.body and "release notes" not in message.body
    assert held.recipient.name not in message.body  # type: ignore[union-attr]


def test_publishing_without_a_reason_still_tells_the_author(commit: Any) -> None:
    giver = make_person()
    held = give(giver, message="Thanks genius, the demo worked.")

    with commit():
        recognition.moderate(coordinator=make_person(Role.COORDINATOR),
                             recognition_id=held.pk, publish=True)

    message, = mail.outbox
    assert message.subject == "Your recognition is published"
    assert "published it" in message.body and "Their reason" not in message.body


def test_nobody_is_emailed_about_a_milestone_or_by_a_departed_author(commit: Any) -> None:
    coordinator = make_person(Role.COORDINATOR)
    milestone = Recognition.objects.create(
        kind=RecognitionKind.MILESTONE, recipient=make_person(), audience="organisation",
        message="Someone celebrates 5 years with us today.", status=RecognitionStatus.HELD)
    departed = make_person()
    held = post_comment(author=departed, recognition=give(), message=ABUSIVE)
    Person.objects.filter(pk=departed.pk).update(is_active=False)

    with commit():
        recognition.moderate(coordinator=coordinator, recognition_id=milestone.pk,
                             publish=True)
        moderate_comment(coordinator=coordinator, comment_id=held.pk, publish=True)

    assert mail.outbox == []
    assert AuditEvent.objects.filter(action=RecognitionAudit.RECOGNITION_MODERATED).count() == 2

