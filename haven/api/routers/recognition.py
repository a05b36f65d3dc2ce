"""/api/v1/recognitions: the recognition a colleague may see, giving recognition, and the
comments under it. The same rules as the pages: audiences are applied by the selectors, bad
input by the services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StrictInt

from haven.api.once import IdempotencyKey, create_once
from haven.api.schemas import Email, ErrorOut, Text
from haven.core.http import SignedInRequest
from haven.core.models import Team
from haven.core.selectors import MAX_ID
from haven.recognition import comments as recognition_comments
from haven.recognition import selectors
from haven.recognition import services as recognition
from haven.recognition.models import Audience, RecognitionComment

router = Router(tags=["recognition"])


class ReactionOut(Schema):
    kind: str
    count: int
    mine: bool


class CommentOut(Schema):
    id: int
    recognition_id: int
    author: str = Field(description="The author's name.")
    mine: bool
    message: str
    status: str = Field(description="published; held or rejected only on your own.")
    held_reason: str = Field(description="Why your own comment is held or not published.")
    created_at: datetime


class CommentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    message: Text = Field(max_length=5000, description="Up to 500 characters.")


class RecognitionOut(Schema):
    id: int
    kind: str
    giver: str | None = Field(description="The giver's name; none for a milestone.")
    recipient: str | None = Field(description="The recognised colleague's name, or none.")
    team: str | None = Field(description="The recognised team's name, or none.")
    values: list[str]
    message: str
    audience: str
    status: str = Field(description="published; held or rejected only on your own.")
    held_reason: str
    created_at: datetime
    reactions: list[ReactionOut]
    comment_count: int = Field(description="Comments you may read under it.")
    comments: list[CommentOut] = Field(
        description="The latest few, oldest first; all of them at /{id}/comments.")


class RecognitionIn(Schema):
    """Giving recognition, as the page's form does. Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    recipient_email: Email | None = None
    team_id: StrictInt | None = Field(None, gt=0, le=MAX_ID)
    value_ids: list[StrictInt] = Field(default_factory=list, max_length=20)
    message: Text = Field(max_length=5000, description="Up to 1,000 characters.")
    audience: Audience


def _comment_out(comment: RecognitionComment, viewer_id: int) -> dict[str, Any]:
    mine = comment.author_id == viewer_id
    return {"id": comment.pk, "recognition_id": comment.recognition_id,
            "author": comment.author.name, "mine": mine, "message": comment.message,
            "status": comment.status, "held_reason": comment.held_reason if mine else "",
            "created_at": comment.created_at}


def _out(item: selectors.ShownRecognition, viewer_id: int) -> dict[str, Any]:
    r = item.recognition
    return {
        "id": r.pk, "kind": r.kind, "giver": r.giver.name if r.giver else None,
        "recipient": r.recipient.name if r.recipient else None,
        "team": r.team.name if r.team else None,
        "values": [value.name for value in item.values], "message": r.message,
        "audience": r.audience, "status": r.status, "held_reason": r.held_reason,
        "created_at": r.created_at,
        "reactions": [{"kind": x.kind, "count": x.count, "mine": x.mine}
                      for x in item.reactions],
        "comment_count": item.comment_count,
        "comments": [_comment_out(comment, viewer_id) for comment in item.comments]}


@router.get("", response=list[RecognitionOut], url_name="recognitions")
def list_recognition(request: SignedInRequest) -> list[dict[str, Any]]:
    """The newest recognition you may see (50), as on the page."""
    return [_out(item, request.user.pk) for item in selectors.feed(viewer=request.user)]


@router.post("", response={201: RecognitionOut, 422: ErrorOut}, url_name="recognitions")
def give_recognition(request: SignedInRequest, payload: RecognitionIn,
                     idempotency_key: IdempotencyKey = None
                     ) -> Status[dict[str, Any]] | JsonResponse:
    """Recognise a colleague (recipient_email) or a team (team_id). Held for a coordinator,
    with held_reason, when it reads as an insult, a slur or mocking thanks."""
    team = None
    if payload.team_id is not None:
        team = Team.objects.filter(pk=payload.team_id).first()
        if team is None:
            raise ValidationError({"team_id": "No team has that id."})

    def give() -> dict[str, Any]:
        given = recognition.give_recognition(
            giver=request.user, recipient_email=payload.recipient_email or "", team=team,
            value_ids=payload.value_ids, message=payload.message, audience=payload.audience)
        return _out(selectors.ShownRecognition(given, list(given.values.all())),
                    request.user.pk)

    return create_once(request, key=idempotency_key, payload=payload, make=give,
                       made_id=lambda out: out["id"])


@router.get("/{recognition_id}/comments", response={200: list[CommentOut], 404: ErrorOut},
            url_name="recognition_comments")
def list_comments(request: SignedInRequest, recognition_id: int) -> list[dict[str, Any]]:
    """Every comment you may read under a recognition you may read, oldest first: published
    ones, and your own whatever their state."""
    found = selectors.recognition_for(viewer=request.user, recognition_id=recognition_id)
    return [_comment_out(comment, request.user.pk)
            for comment in selectors.comments_on(viewer=request.user, recognition=found)]


@router.post("/{recognition_id}/comments",
             response={201: CommentOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
             url_name="recognition_comments")
def post_comment(request: SignedInRequest, recognition_id: int, payload: CommentIn,
                 idempotency_key: IdempotencyKey = None
                 ) -> Status[dict[str, Any]] | JsonResponse:
    """Comment under a recognition you may read (404 otherwise). Held for a coordinator, with
    held_reason, when it reads as an insult, a slur or mocking thanks; 422 when refused (empty,
    too long, the same words again at once, a recognition not published); 429 when you have
    posted too many comments in the last minutes."""
    found = selectors.readable_recognition(viewer=request.user, recognition_id=recognition_id)
    try:
        return create_once(
            request, key=idempotency_key, payload=payload,
            make=lambda: _comment_out(recognition_comments.post_comment(
                author=request.user, recognition=found, message=payload.message),
                request.user.pk),
            made_id=lambda out: out["id"])
    except recognition_comments.TooManyComments as error:
        return Status(429, {"message": " ".join(error.messages), "errors": []})


@router.delete("/comments/{comment_id}", response={204: None, 404: ErrorOut, 422: ErrorOut},
               url_name="recognition_comment")
def delete_comment(request: SignedInRequest, comment_id: int) -> Status[None]:
    """Delete your own comment (404 for anyone else's)."""
    own = selectors.own_comment(viewer=request.user, comment_id=comment_id)
    recognition_comments.delete_comment(author=request.user, comment=own)
    return Status(204, None)
