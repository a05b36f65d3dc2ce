"""Reads of the private incident journal. Only its author reads it: every function takes the
viewer and looks the journal up by them, so anybody else — a colleague, an administrator, a
coordinator, a case handler — finds nothing and gets a 404. Content is opened only here, after
that check, and each read is audited under the author's pseudonym (services._audit)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.http import Http404

from haven.core.models import Person
from haven.speakup.journal import services, signing
from haven.speakup.models.journal import (
    Journal,
    JournalAttachment,
    JournalAudit,
    JournalCheckpoint,
    JournalEntry,
    JournalRecord,
    JournalVersion,
)
from haven.vault import crypto


@dataclass(frozen=True)
class VersionView:
    version: int
    kind: str
    recorded_at: datetime
    content: dict[str, Any]
    salt: str
    hash: str


@dataclass
class EntryView:
    id: uuid.UUID
    number: int
    created_at: datetime
    deleted_at: datetime | None
    versions: list[VersionView] = field(default_factory=list)  # oldest first
    tombstone_hash: str = ""

    @property
    def latest(self) -> VersionView | None:
        return self.versions[-1] if self.versions else None

    @property
    def content(self) -> dict[str, Any]:
        return self.latest.content if self.latest else {}


@dataclass(frozen=True)
class Snapshot:
    """Everything in a journal, opened: for the export (JSON and PDF)."""

    journal: Journal
    records: list[JournalRecord]
    versions: dict[tuple[str, int], VersionView]  # (entry id, version) -> opened
    files: dict[str, bytes]  # SHA-256 hex -> bytes
    checkpoint: JournalCheckpoint | None
    entries: list[EntryView]


def parse_uuid(raw: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except (ValueError, TypeError, AttributeError):
        raise Http404 from None


def journal_of(viewer: Person) -> Journal | None:
    """VIEWER's own journal, or None: nobody can name anyone else's."""
    return Journal.objects.select_related("key").filter(author=viewer).first()


def _opened(journal: Journal, version: JournalVersion, records: dict[tuple[str, int],
            JournalRecord]) -> VersionView:
    document = services.open_version(journal, version)
    salt = document.pop("salt")
    record = records[(str(version.entry_id), version.version)]
    return VersionView(version=version.version, kind=record.kind,
                       recorded_at=version.recorded_at, content=document, salt=salt,
                       hash=record.hash)


def _entries(journal: Journal, *, entry_ids: list[uuid.UUID] | None = None,
             latest_only: bool = False) -> list[EntryView]:
    entries = JournalEntry.objects.filter(journal=journal)
    if entry_ids is not None:
        entries = entries.filter(pk__in=entry_ids)
    records = {(str(r.entry_id), r.version): r
               for r in JournalRecord.objects.filter(journal=journal)}
    views = {entry.pk: EntryView(id=entry.pk, number=entry.number, created_at=entry.created_at,
                                 deleted_at=entry.deleted_at)
             for entry in entries.order_by("number")}
    versions = JournalVersion.objects.filter(entry_id__in=views.keys()).order_by(
        "entry", "version")
    if latest_only:
        latest: dict[uuid.UUID, JournalVersion] = {}
        for version in versions.defer("sealed").order_by("entry", "version"):
            latest[version.entry_id] = version
        versions = JournalVersion.objects.filter(pk__in=[v.pk for v in latest.values()])
    for version in versions.order_by("entry", "version"):
        views[version.entry_id].versions.append(_opened(journal, version, records))
    for (entry_id, _version), record in records.items():
        if record.kind == "deleted" and uuid.UUID(entry_id) in views:
            views[uuid.UUID(entry_id)].tombstone_hash = record.hash
    return list(views.values())


@dataclass(frozen=True)
class JournalPage:
    journal: Journal | None
    entries: list[EntryView]  # newest incident first; deleted ones last
    length: int  # chain records
    public_key: str | None


def journal_page(*, viewer: Person) -> JournalPage:
    """VIEWER's entries, each in its latest version (audited as one read)."""
    journal = journal_of(viewer)
    if journal is None:
        return JournalPage(journal=None, entries=[], length=0,
                           public_key=signing.server_public_key())
    entries = _entries(journal, latest_only=True)
    services.record_read(author=viewer, journal=journal, what="journal")
    live = sorted((e for e in entries if not e.deleted_at),
                  key=lambda e: (e.content.get("occurred_on", ""),
                                 e.content.get("occurred_time", ""), e.number), reverse=True)
    return JournalPage(journal=journal, entries=live + [e for e in entries if e.deleted_at],
                       length=JournalRecord.objects.filter(journal=journal).count(),
                       public_key=signing.server_public_key())


def entry(*, viewer: Person, entry_id: object, audit_read: bool = True) -> EntryView:
    """One of VIEWER's entries with every version; 404 for anyone else's."""
    journal = journal_of(viewer)
    wanted = parse_uuid(entry_id)
    if journal is None or not JournalEntry.objects.filter(pk=wanted, journal=journal).exists():
        raise Http404
    found = _entries(journal, entry_ids=[wanted])[0]
    if audit_read:
        services.record_read(author=viewer, journal=journal, what="journal_entry",
                             object_id=found.id)
    return found


def entry_row(*, viewer: Person, entry_id: object) -> JournalEntry:
    """The row of one of VIEWER's live entries (for a write), 404 for anyone else."""
    journal = journal_of(viewer)
    found = (JournalEntry.objects.filter(pk=parse_uuid(entry_id), journal=journal).first()
             if journal is not None else None)
    if found is None or found.is_deleted:
        raise Http404
    return found


@dataclass(frozen=True)
class FileView:
    id: str
    name: str
    media_type: str
    size: int
    sha256: str
    data: bytes


def _open_attachment(journal: Journal, attachment: JournalAttachment,
                     *, with_data: bool = True) -> FileView:
    meta = json.loads(crypto.open_sealed(journal.key, attachment.sealed_meta,
                                         aad=services.attachment_meta_aad(attachment.pk)))
    data = (crypto.open_sealed_bytes(journal.key, attachment.sealed_data,
                                     aad=services.attachment_data_aad(attachment.pk))
            if with_data else b"")
    return FileView(id=str(attachment.pk), name=meta["name"], media_type=meta["type"],
                    size=meta["size"], sha256=meta["sha256"], data=data)


def attachment(*, viewer: Person, entry_id: object, attachment_id: object) -> FileView:
    """One file of one of VIEWER's entries; 404 for anyone else (audited)."""
    journal = journal_of(viewer)
    found = (JournalAttachment.objects.filter(
        pk=parse_uuid(attachment_id), entry_id=parse_uuid(entry_id), entry__journal=journal)
        .first() if journal is not None else None)
    if journal is None or found is None:
        raise Http404
    opened = _open_attachment(journal, found)
    services.record_read(author=viewer, journal=journal, what="journal_attachment",
                         object_id=found.pk, action=JournalAudit.JOURNAL_ATTACHMENT_READ)
    return opened


def snapshot(*, viewer: Person) -> Snapshot | None:
    """Everything in VIEWER's journal, opened, for an export (the export audits itself)."""
    journal = journal_of(viewer)
    if journal is None:
        return None
    entries = _entries(journal)
    versions = {(str(view.id), version.version): version
                for view in entries for version in view.versions}
    files = {}
    for stored in JournalAttachment.objects.filter(entry__journal=journal):
        opened = _open_attachment(journal, stored)
        files[opened.sha256] = opened.data
    return Snapshot(journal=journal,
                    records=list(JournalRecord.objects.filter(journal=journal).order_by("seq")),
                    versions=versions, files=files,
                    checkpoint=JournalCheckpoint.objects.filter(journal=journal)
                    .order_by("-length", "-signed_at").first(),
                    entries=entries)
