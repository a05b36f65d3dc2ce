"""Pages for comments under recognition: the recognition's page, posting and bad input, a held
comment explained, deleting with a confirmation, the moderation queue, and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from haven.core.models import AuditEvent, Person
from haven.recognition import services as recognition
from haven.recognition.comments import COMMENT_LIMIT, post_comment
from haven.recognition.models import (
    Recognition,
    RecognitionAudit,
    RecognitionComment,
    RecognitionStatus,
)
from tests.conftest import signed_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db

ABUSIVE = "Thanks genius, you broke it again."


def _given(giver: Person | None = None, to: Person | None = None,
           message: str = "Thank you for the calm handover.", **fields: Any) -> Recognition:
    fields.setdefault("audience", "organisation")
    return recognition.give_recognition(giver=giver or make_person(),
                                        recipient_email=(to or make_person()).email,
                                        message=message, **fields)


def _comment(client: Client, given: Recognition, message: str, **extra: Any) -> Any:
    return client.post(f"/recognition/{given.pk}/comments/", {"message": message}, **extra)


# The recognition's page --------------------------------------------------------------------------

def test_the_page_shows_the_recognition_and_a_labelled_form(as_colleague: Client) -> None:
    given = _given(to=make_person(name="Ada Lovelace"))

    body = as_colleague.get(f"/recognition/{given.pk}/").content.decode()

    assert "recognised Ada Lovelace</h1>" in body
    assert "No comments yet." in body
    assert '<label for="id_message">Your comment</label>' in body
    assert "style=" not in body and "<script>" not in body


def test_the_page_is_404_to_those_outside_the_audience(as_colleague: Client) -> None:
    private = _given(audience="private")
    held = _given(message="Thanks for nothing.")

    for target in (private, held):
        assert as_colleague.get(f"/recognition/{target.pk}/").status_code == 404
    assert as_colleague.get("/recognition/99999999999/").status_code == 404
    assert Client().get(f"/recognition/{private.pk}/").status_code == 302  # to sign in
    assert as_colleague.post(f"/recognition/{_given().pk}/").status_code == 405


def test_a_held_recognition_page_shows_its_author_why_without_a_comment_form(
        colleague: Person, as_colleague: Client) -> None:
    held = _given(colleague, message="Thanks for nothing.")

    body = as_colleague.get(f"/recognition/{held.pk}/").content.decode()

    assert "Waiting for a coordinator because it reads as mocking" in body
    assert 'id="comment-form"' not in body


# Posting -----------------------------------------------------------------------------------------

def test_a_comment_appears_on_the_page_and_in_the_feed(colleague: Person,
                                                      as_colleague: Client) -> None:
    given = _given()

    response = _comment(as_colleague, given, "Well deserved!")

    comment = RecognitionComment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/recognition/{given.pk}/#comment-{comment.pk}"
    reader = signed_in(make_person())
    for path in (f"/recognition/{given.pk}/", "/recognition/"):
        body = reader.get(path).content.decode()
        assert "Well deserved!" in body and colleague.name in body
    assert "Delete my comment" not in reader.get("/recognition/").content.decode()
    assert f'href="/recognition/comments/{comment.pk}/delete/"' in as_colleague.get(
        "/recognition/").content.decode()


@pytest.mark.parametrize(("message", "error"), [
    ("", "Write your comment first."),
    ("x" * 501, "Keep it to 500 characters; this is 501."),
])
def test_bad_input_is_explained_and_kept(as_colleague: Client, message: str,
                                         error: str) -> None:
    given = _given()

    response = _comment(as_colleague, given, message)

    body = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="error" id="id_message_error">{error}</p>' in body
    assert f'id="id_message">\n{message}</textarea>' in body  # what was typed is kept
    assert not RecognitionComment.objects.exists()


def test_commenting_where_you_may_not_read_is_404(as_colleague: Client) -> None:
    private = _given(audience="private")
    held = _given(message="Thanks for nothing.")

    for target in (private, held):
        assert _comment(as_colleague, target, "Hello").status_code == 404
    assert as_colleague.post("/recognition/99999999999/comments/",
                             {"message": "Hello"}).status_code == 404
    assert as_colleague.get(f"/recognition/{_given().pk}/comments/").status_code == 405
    assert Client().post(f"/recognition/{private.pk}/comments/",
                         {"message": "Hello"}).status_code == 302
    assert not RecognitionComment.objects.exists()


def test_commenting_on_your_own_held_recognition_says_why_not(colleague: Person,
                                                             as_colleague: Client) -> None:
    held = _given(colleague, message="Thanks for nothing.")

    response = _comment(as_colleague, held, "I meant it kindly.")

    assert response.status_code == 400
    assert "Only published recognition can be commented on." in response.content.decode()
    assert not RecognitionComment.objects.exists()


def test_a_double_submit_posts_once(as_colleague: Client) -> None:
    given = _given()

    _comment(as_colleague, given, "Bravo!")
    again = _comment(as_colleague, given, "Bravo!")

    # Answered like every create form sent twice: the comment made, and why (core.idempotency).
    posted = RecognitionComment.objects.get()
    assert again.status_code == 302 and again["Location"].endswith(f"#comment-{posted.pk}")
    assert "You had already sent this" in as_colleague.get(again["Location"]).content.decode()


def test_too_many_comments_are_slowed_down(as_colleague: Client) -> None:
    given = _given()
    for n in range(COMMENT_LIMIT):
        assert _comment(as_colleague, given, f"Point {n}").status_code == 302

    response = _comment(as_colleague, given, "One more point")

    assert response.status_code == 429
    assert "Please wait a few minutes" in response.content.decode()
    assert ">\nOne more point</textarea>" in response.content.decode()
    assert RecognitionComment.objects.count() == COMMENT_LIMIT


def test_a_held_comment_tells_its_author_why(as_colleague: Client) -> None:
    given = _given()

    response = _comment(as_colleague, given, ABUSIVE, follow=True)

    body = response.content.decode()
    assert "Your comment is waiting for a coordinator because it reads as mocking" in body
    assert "Waiting for a coordinator because it reads as mocking or sarcastic thanks" in body
    assert RecognitionComment.objects.get().status == RecognitionStatus.HELD
    for path in (f"/recognition/{given.pk}/", "/recognition/"):
        assert "Thanks genius" not in signed_in(make_person()).get(path).content.decode()


def test_the_feed_links_to_every_comment_when_it_shows_only_the_latest(
        as_colleague: Client) -> None:
    given = _given()
    for n in range(4):
        post_comment(author=make_person(), recognition=given, message=f"Reply {n}")

    body = as_colleague.get("/recognition/").content.decode()

    assert "Reply 0" not in body and "Reply 3" in body
    assert "Read all 4 comments and reply" in body
    assert "Reply 0" in as_colleague.get(f"/recognition/{given.pk}/").content.decode()


# Deleting ----------------------------------------------------------------------------------------

def test_deleting_asks_first_then_deletes(as_colleague: Client, colleague: Person) -> None:
    given = _given()
    comment = post_comment(author=colleague, recognition=given, message="Oops, wrong one.")
    url = f"/recognition/comments/{comment.pk}/delete/"

    confirm = as_colleague.get(url)
    assert confirm.status_code == 200
    assert "Delete your comment?" in confirm.content.decode()
    assert RecognitionComment.objects.exists()

    response = as_colleague.post(url, follow=True)

    assert response.redirect_chain[-1][0] == f"/recognition/{given.pk}/"
    assert "Your comment is deleted." in response.content.decode()
    assert not RecognitionComment.objects.exists()
    assert as_colleague.post(url).status_code == 404


def test_nobody_deletes_someone_elses_comment(as_colleague: Client,
                                              as_coordinator: Client) -> None:
    comment = post_comment(author=make_person(), recognition=_given(), message="Mine.")
    url = f"/recognition/comments/{comment.pk}/delete/"

    for client in (as_colleague, as_coordinator):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert Client().post(url).status_code == 302
    assert RecognitionComment.objects.count() == 1


# Moderation --------------------------------------------------------------------------------------

def test_held_comments_wait_in_the_queue_labelled(as_coordinator: Client) -> None:
    author = make_person(name="Sam Doe")
    private = _given(make_person(name="Kim Lee"), make_person(name="Ada Lovelace"),
                     message="A private thank-you.", audience="private")
    post_comment(author=author, recognition=private, message=ABUSIVE)

    body = as_coordinator.get("/recognition/moderation/").content.decode()

    assert "Comments waiting for a decision" in body and "No recognition is waiting." in body
    assert "Comment by Sam Doe" in body
    assert "Under Kim Lee's recognition of Ada Lovelace" in body
    assert ABUSIVE in body
    assert "A private thank-you." not in body  # the recognition itself stays private
    assert '<label for="reason-comment-' in body


def test_a_coordinator_rejects_a_comment_with_a_reason(coordinator: Person,
                                                       as_coordinator: Client,
                                                       django_capture_on_commit_callbacks: Any
                                                       ) -> None:
    author = make_person()
    held = post_comment(author=author, recognition=_given(), message=ABUSIVE)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_coordinator.post(f"/recognition/comments/{held.pk}/moderate/",
                                       {"decision": "reject", "reason": "Mocking, sorry."},
                                       follow=True)

    assert "Not published. Its author will get an e-mail" in response.content.decode()
    assert "No comment is waiting." in response.content.decode()
    held.refresh_from_db()
    assert (held.status, held.held_reason) == (RecognitionStatus.REJECTED, "Mocking, sorry.")
    assert AuditEvent.objects.get(action=RecognitionAudit.RECOGNITION_MODERATED,
                                  actor=coordinator).object_type == "recognition_comment"
    assert [m.to for m in mail.outbox] == [[author.email]]
    page = signed_in(author).get(f"/recognition/{held.recognition_id}/").content.decode()
    assert "A coordinator decided not to publish this." in page
    assert "Their reason: Mocking, sorry." in page


@pytest.mark.parametrize("kind", ["comment", "recognition"])
def test_rejecting_without_a_reason_is_explained_and_changes_nothing(
        as_coordinator: Client, kind: str) -> None:
    given = _given()
    held_comment = post_comment(author=make_person(), recognition=given, message=ABUSIVE)
    held_recognition = _given(message=ABUSIVE)
    url = (f"/recognition/comments/{held_comment.pk}/moderate/" if kind == "comment"
           else f"/recognition/{held_recognition.pk}/moderate/")
    target = held_comment.pk if kind == "comment" else held_recognition.pk

    empty = as_coordinator.post(url, {"decision": "reject", "reason": "  "})
    long = as_coordinator.post(url, {"decision": "reject", "reason": "r" * 201})

    assert empty.status_code == long.status_code == 400
    assert "Say why it is not published" in empty.content.decode()
    body = long.content.decode()
    assert f'id="reason-{kind}-{target}-error">Keep the reason to 200 characters' in body
    assert 'value="' + "r" * 201 + '"' in body  # what was typed is kept
    assert RecognitionComment.objects.get().status == RecognitionStatus.HELD
    assert Recognition.objects.get(pk=held_recognition.pk).status == RecognitionStatus.HELD
    assert not AuditEvent.objects.filter(action=RecognitionAudit.RECOGNITION_MODERATED).exists()
    assert mail.outbox == []


def test_comment_moderation_is_for_coordinators(as_colleague: Client,
                                                as_coordinator: Client) -> None:
    held = post_comment(author=make_person(), recognition=_given(), message=ABUSIVE)
    url = f"/recognition/comments/{held.pk}/moderate/"

    assert as_colleague.post(url, {"decision": "publish"}).status_code == 403
    assert as_coordinator.get(url).status_code == 405
    assert as_coordinator.post("/recognition/comments/99999999999/moderate/",
                               {"decision": "publish"}).status_code == 404
    as_coordinator.post(url, {"decision": "maybe"})
    held.refresh_from_db()
    assert held.status == RecognitionStatus.HELD
    assert as_coordinator.post(url, {"decision": "publish"}).status_code == 302
    held.refresh_from_db()
    assert held.status == RecognitionStatus.PUBLISHED


# Query counts ----------------------------------------------------------------------------------

def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_pages_with_comments_do_not_grow_with_them(as_coordinator: Client) -> None:
    given = _given()

    def add() -> None:
        other = _given()
        for target in (given, other):
            post_comment(author=make_person(), recognition=target, message="Nice!")
            post_comment(author=make_person(), recognition=target, message=ABUSIVE)

    add()
    paths = ["/recognition/", f"/recognition/{given.pk}/", "/recognition/moderation/"]
    before = [_queries(as_coordinator, path) for path in paths]
    for _ in range(4):
        add()
    assert [_queries(as_coordinator, path) for path in paths] == before
