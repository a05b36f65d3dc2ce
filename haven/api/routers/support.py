"""/api/v1/support: a colleague's requests, and the conversations and commitments of both sides.
Conversations are limited to their two participants by the selectors: anyone else gets 404."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime, ConfigDict, StrictBool, field_validator

from haven.api.once import IdempotencyKey, create_once
from haven.api.schemas import Email, ErrorOut, Line, StrictIn, Text
from haven.core.http import SignedInRequest
from haven.core.selectors import MAX_ID
from haven.support import commitments, conversations, profiles, selectors
from haven.support import requests as support_requests
from haven.support.availability import describe, windows_from
from haven.support.models import Conversation, SupportRequest

router = Router(tags=["support"])


# Shapes -------------------------------------------------------------------------------------

class SupportRequestIn(Schema):
    """Opening a request, as the page's form does. Unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")

    topic: Line = Field(max_length=40, description="A topic slug from the programme.")
    mode: SupportRequest.Mode
    use_pseudonym: StrictBool = False
    language: Line = Field("en", max_length=20, description="e.g. en, fr or pt-BR.")
    avoid_my_team: StrictBool = True
    avoid_my_department: StrictBool = False
    person_of_concern_email: Email | None = Field(
        None,
        description="Their work e-mail; never shown to anyone, used only to avoid a supporter "
                    "close to them.")
    acknowledged_confidentiality: StrictBool = Field(
        description="Must be true: the limits of confidentiality were shown and read.")
    message: Text = Field(description="The first message, up to 10,000 characters.")
    submission_id: uuid.UUID = Field(
        description="Made by the client once per request: sending it again opens nothing new.")

    @field_validator("person_of_concern_email")
    @classmethod
    def _an_email(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            validate_email(value.strip())
        except ValidationError:
            raise ValueError("enter a work e-mail address") from None
        return value.strip()


class SupportRequestOut(Schema):
    id: int
    conversation_id: int | None
    topic: str
    mode: str
    state: str
    use_pseudonym: bool
    pseudonym: str
    language: str
    avoid_my_team: bool
    avoid_my_department: bool
    created_at: datetime
    first_response_due: datetime
    first_response_at: datetime | None
    expected_reply_by: datetime | None

    # The sealed details, opened for the requester who reads their own request.
    @staticmethod
    def resolve_topic(obj: SupportRequest) -> str:
        return obj.details.topic

    @staticmethod
    def resolve_use_pseudonym(obj: SupportRequest) -> bool:
        return obj.details.use_pseudonym

    @staticmethod
    def resolve_pseudonym(obj: SupportRequest) -> str:
        return obj.details.pseudonym

    @staticmethod
    def resolve_avoid_my_team(obj: SupportRequest) -> bool:
        return obj.details.avoid_my_team

    @staticmethod
    def resolve_avoid_my_department(obj: SupportRequest) -> bool:
        return obj.details.avoid_my_department

    @staticmethod
    def resolve_conversation_id(obj: SupportRequest) -> int | None:
        conversation = getattr(obj, "conversation", None)
        return conversation.pk if conversation else None


class ConversationOut(Schema):
    """Metadata only: content is read through /messages, which is audited."""

    id: int
    request_id: int
    role: str  # the caller's side: colleague or supporter
    state: str
    topic: str
    mode: str
    opened_at: datetime
    closed_at: datetime | None
    supporter_joined: bool
    other_name: str | None  # the supporter sees a pseudonym when the colleague asked for one
    handover_requested: bool

    @staticmethod
    def resolve_role(obj: Conversation, context: dict[str, Any]) -> str:
        return obj.participant_role(context["request"].user.pk) or ""

    @staticmethod
    def resolve_topic(obj: Conversation) -> str:
        return obj.request.details.topic

    @staticmethod
    def resolve_mode(obj: Conversation) -> str:
        return obj.request.mode

    @staticmethod
    def resolve_supporter_joined(obj: Conversation) -> bool:
        return obj.supporter_id is not None

    @staticmethod
    def resolve_other_name(obj: Conversation, context: dict[str, Any]) -> str | None:
        if obj.participant_role(context["request"].user.pk) == "supporter":
            return obj.request.details.name_for_supporter(
                obj.colleague.name if obj.colleague else "")
        return obj.supporter.name if obj.supporter else None

    @staticmethod
    def resolve_handover_requested(obj: Conversation) -> bool:
        return obj.handover_requested_at is not None


class MessageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    client_id: uuid.UUID = Field(description="Made by the client per message: resending it "
                                             "stores nothing new.")
    text: Text = Field(description="Up to 10,000 characters.")


class MessageOut(Schema):
    id: int
    client_id: str
    sender_role: str
    sent_at: datetime
    crisis: bool
    text: str


class SentOut(Schema):
    """The stored message, without its text: the sender has it."""

    id: int
    client_id: str
    sent_at: datetime
    crisis: bool  # the safety check fired: show the crisis resources
    duplicate: bool


class MessagesQuery(Schema):
    after: int = Field(0, ge=0, le=MAX_ID, description="Only messages after this id.")


class CommitmentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    what: Line = Field(description="What the supporter will do, up to 500 characters, on one "
                                   "line.")
    due_at: AwareDatetime = Field(description="ISO 8601 with a time zone, in the future.")


class CommitmentOut(Schema):
    id: int
    conversation_id: int
    role: str  # colleague: made to the caller; supporter: made by the caller
    what: str
    due_at: datetime
    state: str
    note: str
    overdue: bool


# Helpers ------------------------------------------------------------------------------------

@contextmanager
def _fields_named(**names: str) -> Iterator[None]:
    """Report a service's field errors under the API's field names."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError({names.get(field, field): errors
                               for field, errors in error.error_dict.items()}) from None


def _commitment_out(listed: selectors.ListedCommitment) -> dict[str, Any]:
    shown = listed.commitment
    return {"id": shown.id, "conversation_id": listed.conversation_id, "role": listed.role,
            "what": shown.what, "due_at": shown.due_at, "state": shown.state,
            "note": shown.note, "overdue": shown.overdue}


# Requests -----------------------------------------------------------------------------------

@router.get("/requests", response=list[SupportRequestOut], url_name="support_requests")
def list_requests(request: SignedInRequest) -> QuerySet[SupportRequest]:
    return selectors.requests_of(person=request.user)


@router.post("/requests", response={200: SupportRequestOut, 201: SupportRequestOut,
                                    422: ErrorOut}, url_name="support_requests")
def open_request(request: SignedInRequest, payload: SupportRequestIn,
                 idempotency_key: IdempotencyKey = None
                 ) -> Status[SupportRequest] | JsonResponse:
    """Open a request with its first message. The same submission_id again answers 200 with
    the request it opened, and opens nothing new."""
    existing = selectors.own_request(requester=request.user, submission_id=payload.submission_id)
    if existing is not None:
        return Status(200, existing)
    person_of_concern = None
    if payload.person_of_concern_email:
        person_of_concern = selectors.person_of_concern(email=payload.person_of_concern_email)
        if person_of_concern is None:
            raise ValidationError({"person_of_concern_email": _(
                "Nobody in the directory has that e-mail.")})
    with _fields_named(acknowledged="acknowledged_confidentiality", text="message",
                       person_of_concern="person_of_concern_email", languages="language"):
        return create_once(
            request, key=idempotency_key, payload=payload,
            make=lambda: support_requests.open_request(
                requester=request.user, topic=payload.topic, mode=payload.mode,
                use_pseudonym=payload.use_pseudonym, language=payload.language,
                avoid_my_team=payload.avoid_my_team,
                avoid_my_department=payload.avoid_my_department,
                person_of_concern=person_of_concern, preferred_supporter=None,
                acknowledged_confidentiality=payload.acknowledged_confidentiality,
                first_message=payload.message, submission_id=str(payload.submission_id)),
            made_id=lambda made: made.pk)


# Conversations ------------------------------------------------------------------------------

@router.get("/conversations", response=list[ConversationOut], url_name="support_conversations")
def list_conversations(request: SignedInRequest) -> QuerySet[Conversation]:
    return selectors.conversations_of(person=request.user)


@router.get("/conversations/{conversation_id}", response={200: ConversationOut, 404: ErrorOut},
            url_name="support_conversation")
def get_conversation(request: SignedInRequest, conversation_id: int) -> Conversation:
    return selectors.conversation_for(viewer=request.user, conversation_id=conversation_id)


@router.get("/conversations/{conversation_id}/messages",
            response={200: list[MessageOut], 404: ErrorOut, 423: ErrorOut},
            url_name="support_messages")
def list_messages(request: SignedInRequest, conversation_id: int,
                  query: Query[MessagesQuery]) -> list[selectors.ShownMessage]:
    conversation = selectors.conversation_for(viewer=request.user,
                                              conversation_id=conversation_id)
    return selectors.read_messages(viewer=request.user, conversation=conversation,
                                   after_id=query.after)


@router.post("/conversations/{conversation_id}/messages",
             response={200: SentOut, 201: SentOut, 404: ErrorOut, 422: ErrorOut,
                       423: ErrorOut},
             url_name="support_messages")
def send_message(request: SignedInRequest, conversation_id: int,
                 payload: MessageIn) -> Status[dict[str, Any]]:
    """Send a message. The same client_id again answers 200 with the message already stored."""
    conversation = selectors.conversation_for(viewer=request.user,
                                              conversation_id=conversation_id)
    sent = conversations.send_message(conversation=conversation, sender=request.user,
                                      client_id=payload.client_id, text=payload.text)
    message = sent.message
    return Status(201 if sent.created else 200, {
        "id": message.pk, "client_id": str(message.client_id), "sent_at": message.sent_at,
        "crisis": sent.crisis, "duplicate": not sent.created})


# Commitments --------------------------------------------------------------------------------

@router.get("/commitments", response=list[CommitmentOut], url_name="support_commitments")
def list_commitments(request: SignedInRequest) -> list[dict[str, Any]]:
    """Commitments made to the caller as a colleague, and those the caller made as a
    supporter in conversations they still hold. Commitments in a conversation that cannot be
    opened on this server (423 there: its encryption key is not here) are left out."""
    return [_commitment_out(listed)
            for listed in selectors.commitments_of(person=request.user)]


@router.post("/conversations/{conversation_id}/commitments",
             response={201: CommitmentOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut,
                       423: ErrorOut},
             url_name="support_conversation_commitments")
def add_commitment(request: SignedInRequest, conversation_id: int, payload: CommitmentIn,
                   idempotency_key: IdempotencyKey = None
                   ) -> Status[dict[str, Any]] | JsonResponse:
    conversation = selectors.conversation_for(viewer=request.user,
                                              conversation_id=conversation_id)

    def record() -> dict[str, Any]:
        commitment = commitments.record_commitment(
            conversation=conversation, supporter=request.user, what=payload.what,
            due_at=payload.due_at)
        return {"id": commitment.pk, "conversation_id": conversation.pk, "role": "supporter",
                "what": payload.what.strip(), "due_at": commitment.due_at,
                "state": commitment.state, "note": "", "overdue": False}

    return create_once(request, key=idempotency_key, payload=payload, make=record,
                       made_id=lambda out: out["id"])


# The supporter's weekly availability ---------------------------------------------------------

DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DayName = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class WindowSchema(Schema):
    day: DayName
    start: time = Field(description="From, e.g. 09:00, in the supporter's own time zone.")
    end: time = Field(description="To (not included), after the start, e.g. 17:00.")


class AvailabilityIn(StrictIn):
    windows: list[WindowSchema] = Field(max_length=7 * 24, description=(
        "Every weekly time range; overlapping or touching ranges of a day are joined."))


class AvailabilityOut(Schema):
    time_zone: str
    windows: list[WindowSchema]
    summary: str = Field(description="The week as shown on the profile page, e.g. "
                                     "“Mon–Fri 09:00–17:00”.")


def _availability_out(person: Any, windows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"time_zone": person.time_zone or settings.TIME_ZONE, "summary": describe(windows),
            "windows": [{"day": DAY_NAMES[w["weekday"]], "start": w["start"],
                         "end": w["end"]} for w in windows]}


@router.get("/profile/availability", response={200: AvailabilityOut, 403: ErrorOut},
            url_name="support_availability")
def get_availability(request: SignedInRequest) -> dict[str, Any]:
    """Your weekly availability as a supporter (empty before you set any)."""
    profile = selectors.profile_of(person=request.user)
    return _availability_out(request.user, profile.availability if profile else [])


@router.put("/profile/availability", response={200: AvailabilityOut, 403: ErrorOut,
                                               422: ErrorOut},
            url_name="support_availability")
def put_availability(request: SignedInRequest, payload: AvailabilityIn) -> dict[str, Any]:
    """Replace your weekly availability. A range that does not end after it starts is a 422
    naming its day."""
    typed = [[(f"{w.start:%H:%M}", f"{w.end:%H:%M}") for w in payload.windows
              if w.day == day] for day in DAY_NAMES]
    try:
        windows = windows_from(typed)
    except ValidationError as error:
        raise ValidationError({"windows": error.messages}) from None
    profile = profiles.set_availability(person=request.user, availability=windows)
    return _availability_out(request.user, profile.availability)

