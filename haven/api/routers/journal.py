"""/api/v1/journal: the private incident journal, for its author only. The same services and
selectors as the pages: the journal is found by the signed-in person, so anyone else's entry
is a 404, whatever their role."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from ninja import Field, Router, Schema, Status

from haven.api.once import IdempotencyKey, create_once
from haven.api.schemas import Email, ErrorOut, Line, StrictIn, Text
from haven.core.http import SignedInRequest
from haven.core.models import Person
from haven.speakup.journal import export, selectors, services

router = Router(tags=["journal"])


class PersonRefOut(Schema):
    id: int
    name: str


class AttachmentOut(Schema):
    id: str
    name: str
    type: str
    size: int
    sha256: str


class ContentOut(Schema):
    occurred_on: str
    occurred_time: str
    what: str
    where: str
    people: list[PersonRefOut]
    others: str
    witnesses: str
    impact: str
    attachments: list[AttachmentOut]


class VersionOut(Schema):
    version: int
    kind: str = Field(description="created or edited")
    recorded_at: datetime
    hash: str = Field(description="The chain hash of this version (SHA-256, hex)")
    content: ContentOut


class EntryOut(Schema):
    id: str
    number: int
    deleted_at: datetime | None
    versions: list[VersionOut] = Field(description="Oldest first; the list view gives the "
                                                   "latest only; empty once deleted")


class FileIn(StrictIn):
    name: Line = Field(description="The file's name, as it should be shown")
    data: Line = Field(description="The file, base64; PNG, JPEG, WebP, GIF or PDF")


class EntryIn(StrictIn):
    occurred_on: date
    occurred_time: time | None = None
    what: Text
    where: Line = ""
    people: list[Email] = Field([], description="Work e-mails of people in the directory")
    others: Text = ""
    witnesses: Text = ""
    impact: Text = ""
    files: list[FileIn] = Field([], description="New attachments (the body is size-limited)")


class EntryEditIn(EntryIn):
    keep_attachments: list[Line] | None = Field(
        None, description="Ids of the current version's attachments to keep; null keeps all")


def _entry_out(view: selectors.EntryView) -> EntryOut:
    return EntryOut(id=str(view.id), number=view.number, deleted_at=view.deleted_at,
                    versions=[VersionOut(version=v.version, kind=v.kind,
                                         recorded_at=v.recorded_at, hash=v.hash,
                                         content=ContentOut(**v.content))
                              for v in view.versions])


def _people(emails: list[str]) -> list[Person]:
    found = []
    for email in emails:
        person = Person.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if person is None:
            raise ValidationError({"people": "Nobody in the directory has the e-mail "
                                             f"{email.strip()!r}."})
        found.append(person)
    return found


def _files(payload: EntryIn) -> list[services.NewFile]:
    decoded = []
    for item in payload.files:
        try:
            data = base64.b64decode(item.data, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({"files": f"“{item.name}” is not valid base64."}) from None
        decoded.append(services.NewFile(name=item.name, data=data))
    return decoded


def _input(payload: EntryIn) -> services.EntryInput:
    return services.EntryInput(
        occurred_on=payload.occurred_on, occurred_time=payload.occurred_time,
        what=payload.what, where=payload.where, people=_people(payload.people),
        others=payload.others, witnesses=payload.witnesses, impact=payload.impact)


@router.get("/entries", response=list[EntryOut], url_name="journal_entries")
def list_entries(request: SignedInRequest) -> list[EntryOut]:
    """Your entries, newest incident first, each in its latest version; deleted ones last."""
    return [_entry_out(view) for view in selectors.journal_page(viewer=request.user).entries]


@router.post("/entries", response={201: EntryOut, 422: ErrorOut}, url_name="journal_entries")
def create_entry(request: SignedInRequest, payload: EntryIn,
                 idempotency_key: IdempotencyKey = None) -> Status | JsonResponse:
    """A new entry (version 1), added to the chain and signed."""
    def write() -> EntryOut:
        entry = services.write_entry(author=request.user, entry_input=_input(payload),
                                     new_files=_files(payload))
        return _entry_out(selectors.entry(viewer=request.user, entry_id=entry.pk,
                                          audit_read=False))

    return create_once(request, key=idempotency_key, payload=payload, make=write,
                       made_id=lambda out: out.id)


@router.get("/entries/{entry_id}", response={200: EntryOut, 404: ErrorOut},
            url_name="journal_entry")
def get_entry(request: SignedInRequest, entry_id: str) -> EntryOut:
    """One entry with every version, oldest first."""
    return _entry_out(selectors.entry(viewer=request.user, entry_id=entry_id))


@router.put("/entries/{entry_id}", response={200: EntryOut, 404: ErrorOut, 422: ErrorOut},
            url_name="journal_entry")
def edit_entry(request: SignedInRequest, entry_id: str, payload: EntryEditIn) -> EntryOut:
    """A new version of the entry; earlier versions are kept."""
    row = selectors.entry_row(viewer=request.user, entry_id=entry_id)
    services.edit_entry(author=request.user, entry=row, entry_input=_input(payload),
                        keep_attachments=payload.keep_attachments, new_files=_files(payload))
    return _entry_out(selectors.entry(viewer=request.user, entry_id=row.pk, audit_read=False))


@router.delete("/entries/{entry_id}", response={204: None, 404: ErrorOut},
               url_name="journal_entry")
def delete_entry(request: SignedInRequest, entry_id: str) -> Status:
    """Destroy the entry's content; the chain keeps a tombstone."""
    services.delete_entry(author=request.user,
                          entry=selectors.entry_row(viewer=request.user, entry_id=entry_id))
    return Status(204, None)


@router.get("/export", response={200: dict[str, Any], 404: ErrorOut}, url_name="journal_export")
def export_journal(request: SignedInRequest) -> dict[str, Any]:
    """The machine-readable export (what `haven journal verify` and the verify page check)."""
    snapshot = selectors.snapshot(viewer=request.user)
    if snapshot is None:
        raise Http404
    services.record_export(author=request.user, journal=snapshot.journal, kind="json",
                           records=len(snapshot.records))
    return export.document(snapshot)
