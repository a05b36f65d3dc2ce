"""/api/v1/recognitions: the recognition a colleague may see, and giving recognition. The same
rules as the pages: audiences are applied by the selectors, bad input by the services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StrictInt, StrictStr

from haven.api.schemas import ErrorOut
from haven.connect import recognition
from haven.connect import recognition_selectors as selectors
from haven.connect.recognition_models import Audience
from haven.core.models import Team
from haven.core.selectors import MAX_ID

router = Router(tags=["recognition"])


class ReactionOut(Schema):
    kind: str
    count: int
    mine: bool


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


class RecognitionIn(Schema):
    """Giving recognition, as the page's form does. Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    recipient_email: StrictStr | None = Field(None, max_length=254)
    team_id: StrictInt | None = Field(None, gt=0, le=MAX_ID)
    value_ids: list[StrictInt] = Field(default_factory=list, max_length=20)
    message: StrictStr = Field(max_length=5000, description="Up to 1,000 characters.")
    audience: Audience


def _out(item: selectors.ShownRecognition) -> dict[str, Any]:
    r = item.recognition
    return {
        "id": r.pk, "kind": r.kind, "giver": r.giver.name if r.giver else None,
        "recipient": r.recipient.name if r.recipient else None,
        "team": r.team.name if r.team else None,
        "values": [value.name for value in item.values], "message": r.message,
        "audience": r.audience, "status": r.status, "held_reason": r.held_reason,
        "created_at": r.created_at,
        "reactions": [{"kind": x.kind, "count": x.count, "mine": x.mine}
                      for x in item.reactions]}


@router.get("", response=list[RecognitionOut], url_name="recognitions")
def list_recognition(request: HttpRequest) -> list[dict[str, Any]]:
    """The newest recognition you may see (50), as on the page."""
    return [_out(item) for item in selectors.feed(viewer=request.user)]


@router.post("", response={201: RecognitionOut, 422: ErrorOut}, url_name="recognitions")
def give_recognition(request: HttpRequest, payload: RecognitionIn) -> Status[dict[str, Any]]:
    """Recognise a colleague (recipient_email) or a team (team_id). Held for a coordinator,
    with held_reason, when it reads as an insult, a slur or mocking thanks."""
    team = None
    if payload.team_id is not None:
        team = Team.objects.filter(pk=payload.team_id).first()
        if team is None:
            raise ValidationError({"team_id": "No team has that id."})
    given = recognition.give_recognition(
        giver=request.user, recipient_email=payload.recipient_email or "", team=team,
        value_ids=payload.value_ids, message=payload.message, audience=payload.audience)
    item = selectors.ShownRecognition(given, list(given.values.all()))
    return Status(201, _out(item))
