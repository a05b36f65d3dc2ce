"""Writes to the private incident journal: writing and editing entries (an edit is a new
version, never an overwrite), deleting an entry (its content destroyed, a tombstone in the
chain), deleting the whole journal (its key shredded), and the audit row of an export.

Every change appends one chain record (chain.py) and a new checkpoint signed by the server
(signing.py), in the same transaction as the change. Audit rows name the journal and the
entry by id and the author only by a pseudonym under the journal's key: the audit log shows
administrators that a journal was used, never whose it is."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.core.audit import DetailValue, audit
from haven.core.models import Person
from haven.speakup.journal import attachments as files
from haven.speakup.journal import chain, signing
from haven.speakup.models.journal import (
    Journal,
    JournalAttachment,
    JournalAudit,
    JournalCheckpoint,
    JournalEntry,
    JournalRecord,
    JournalVersion,
    RecordKind,
)
from haven.vault import crypto

WHAT_MAX = 10_000
WHERE_MAX = 300
OTHERS_MAX = 1_000
WITNESSES_MAX = 1_000
IMPACT_MAX = 5_000
PEOPLE_MAX = 30


def version_aad(entry_id: object, version: int) -> str:
    return f"journal-version:{entry_id}:{version}"


def attachment_meta_aad(attachment_id: object) -> str:
    return f"journal-attachment-meta:{attachment_id}"


def attachment_data_aad(attachment_id: object) -> str:
    return f"journal-attachment-data:{attachment_id}"


@dataclass(frozen=True)
class EntryInput:
    """What the author wrote, as the form or the API parsed it."""

    occurred_on: date
    what: str
    occurred_time: time | None = None
    where: str = ""
    people: Sequence[Person] = ()
    others: str = ""
    witnesses: str = ""
    impact: str = ""


@dataclass(frozen=True)
class NewFile:
    name: str
    data: bytes


@dataclass
class _Checked:
    content: dict[str, Any]
    new_files: list[files.CheckedFile] = field(default_factory=list)


def _text(value: str, *, name: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({name: _("Say what happened, even briefly.")})
    if len(value) > limit:
        raise ValidationError({name: _("Keep it to %(limit)d characters or fewer (this is "
                                       "%(length)d).") % {"limit": limit,
                                                          "length": len(value)}})
    return value


def _check(entry: EntryInput, *, today: date) -> dict[str, Any]:
    if entry.occurred_on > today:
        raise ValidationError({"occurred_on": _("That date is in the future: when did it "
                                                "happen?")})
    if entry.occurred_on.year < 1900:
        raise ValidationError({"occurred_on": _("Give a date after 1900.")})
    people: list[dict[str, Any]] = []
    for person in entry.people:
        if person.pk not in {p["id"] for p in people}:
            people.append({"id": person.pk, "name": person.name})
    if len(people) > PEOPLE_MAX:
        raise ValidationError({"people": _("Name at most %(most)d people from the directory; "
                                           "describe the others in words.")
                               % {"most": PEOPLE_MAX}})
    return {
        "occurred_on": entry.occurred_on.isoformat(),
        "occurred_time": entry.occurred_time.strftime("%H:%M") if entry.occurred_time else "",
        "what": _text(entry.what, name="what", limit=WHAT_MAX, required=True),
        "where": _text(entry.where, name="where", limit=WHERE_MAX),
        "people": people,
        "others": _text(entry.others, name="others", limit=OTHERS_MAX),
        "witnesses": _text(entry.witnesses, name="witnesses", limit=WITNESSES_MAX),
        "impact": _text(entry.impact, name="impact", limit=IMPACT_MAX),
    }


def _audit(journal: Journal, author: Person, action: str, *, object_type: str = "journal",
           object_id: object = None,
           detail: Mapping[str, DetailValue] | None = None) -> None:
    """An audit row that names the journal and the author only by a pseudonym under the
    journal's key (which shredding unlinks for good)."""
    audit(action=action,
          actor_pseudonym=crypto.keyed_pseudonym(journal.key, f"author:{author.pk}"),
          object_type=object_type, object_id=journal.pk if object_id is None else object_id,
          detail=detail)


def _journal_for_write(author: Person) -> Journal:
    journal = (Journal.objects.select_for_update().select_related("key")
               .filter(author=author).first())
    if journal is None:
        key = crypto.create_data_key(purpose="journal")
        try:
            with transaction.atomic():
                Journal.objects.create(author=author, key=key)
        except IntegrityError:  # a first entry sent twice at once: the other one made it
            crypto.shred(key)
        journal = Journal.objects.select_for_update().select_related("key").get(author=author)
    return journal


def _append(journal: Journal, *, entry: JournalEntry, version: int, kind: str,
            recorded_at: datetime, content: dict[str, Any] | None,
            salt: str | None) -> JournalRecord:
    """One chain record and a fresh signed checkpoint. The caller holds the journal's row
    lock, so records are numbered without gaps or races."""
    last = JournalRecord.objects.filter(journal=journal).order_by("-seq").first()
    previous = last.hash if last else chain.genesis(str(journal.pk))
    seq = last.seq + 1 if last else 1
    digest = (chain.content_digest(content, salt)
              if content is not None and salt is not None else None)
    record = JournalRecord.objects.create(
        journal=journal, seq=seq, entry_id=entry.pk, entry_number=entry.number,
        version=version, kind=kind, recorded_at=recorded_at, previous=previous,
        content_digest=digest or "",
        hash=chain.record_hash(journal=str(journal.pk), entry=str(entry.pk),
                               number=entry.number, version=version, kind=kind,
                               recorded_at=chain.timestamp(recorded_at), previous=previous,
                               digest=digest))
    signed_at = timezone.now()
    signature, public_key = signing.sign(chain.checkpoint_message(
        journal=str(journal.pk), head=record.hash, length=seq,
        signed_at=chain.timestamp(signed_at)))
    JournalCheckpoint.objects.create(journal=journal, length=seq, head=record.hash,
                                     signed_at=signed_at, signature=signature,
                                     public_key=public_key)
    return record


def _store_files(journal: Journal, entry: JournalEntry,
                 new_files: list[files.CheckedFile]) -> list[dict[str, Any]]:
    described = []
    for checked in new_files:
        attachment = JournalAttachment(entry=entry)
        meta = {"id": str(attachment.pk), "name": checked.name, "type": checked.media_type,
                "size": len(checked.data), "sha256": chain.sha256_hex(checked.data)}
        attachment.sealed_meta = crypto.seal(journal.key, json.dumps(meta),
                                             aad=attachment_meta_aad(attachment.pk))
        attachment.sealed_data = crypto.seal_bytes(journal.key, checked.data,
                                                   aad=attachment_data_aad(attachment.pk))
        attachment.save(force_insert=True)
        described.append(meta)
    return described


def _checked_files(new_files: Sequence[NewFile], kept: int) -> list[files.CheckedFile]:
    checked = [files.check(new.name, new.data) for new in new_files]
    files.check_count(kept + len(checked))
    return checked


def open_version(journal: Journal, version: JournalVersion) -> dict[str, Any]:
    """The content document of VERSION (for the selectors and the export, after their
    access check)."""
    opened: dict[str, Any] = json.loads(crypto.open_sealed(
        journal.key, version.sealed, aad=version_aad(version.entry_id, version.version)))
    return opened


def _write_version(journal: Journal, entry: JournalEntry, *, version: int, kind: str,
                   content: dict[str, Any], now: datetime) -> None:
    salt = os.urandom(chain.SALT_BYTES).hex()
    JournalVersion.objects.create(
        entry=entry, version=version, recorded_at=now,
        sealed=crypto.seal(journal.key, json.dumps({**content, "salt": salt},
                                                   ensure_ascii=False),
                           aad=version_aad(entry.pk, version)))
    _append(journal, entry=entry, version=version, kind=kind, recorded_at=now,
            content=content, salt=salt)


def write_entry(*, author: Person, entry_input: EntryInput,
                new_files: Sequence[NewFile] = (), now: datetime | None = None) -> JournalEntry:
    """A new entry in AUTHOR's journal (made on their first entry), version 1."""
    now = now or timezone.now()
    content = _check(entry_input, today=timezone.localdate(now))
    checked = _checked_files(new_files, kept=0)
    with transaction.atomic():
        journal = _journal_for_write(author)
        entry = JournalEntry.objects.create(journal=journal, number=journal.next_number,
                                            created_at=now)
        Journal.objects.filter(pk=journal.pk).update(next_number=journal.next_number + 1)
        content["attachments"] = _store_files(journal, entry, checked)
        _write_version(journal, entry, version=1, kind=RecordKind.CREATED, content=content,
                       now=now)
        _audit(journal, author, JournalAudit.JOURNAL_ENTRY_WRITTEN, object_type="journal_entry",
               object_id=entry.pk, detail={"version": 1, "files": len(checked)})
    return entry


def _own_entry_for_write(author: Person,
                         entry_id: uuid.UUID) -> tuple[Journal, JournalEntry]:
    journal = (Journal.objects.select_for_update().select_related("key")
               .filter(author=author).first())
    entry = (JournalEntry.objects.filter(pk=entry_id, journal=journal).first()
             if journal is not None else None)
    if journal is None or entry is None:
        raise Http404
    return journal, entry


def edit_entry(*, author: Person, entry: JournalEntry, entry_input: EntryInput,
               keep_attachments: Sequence[str] | None = None, new_files: Sequence[NewFile] = (),
               now: datetime | None = None) -> JournalVersion:
    """A new version of ENTRY: earlier versions stay as they were. KEEP_ATTACHMENTS lists the
    ids of the previous version's attachments to carry over (None: all of them)."""
    now = now or timezone.now()
    content = _check(entry_input, today=timezone.localdate(now))
    with transaction.atomic():
        journal, entry = _own_entry_for_write(author, entry.pk)
        if entry.is_deleted:
            raise ValidationError(_("This entry was deleted; it cannot be edited."))
        latest = entry.versions.order_by("-version").first()
        assert latest is not None, "a live entry has a version"
        previous = open_version(journal, latest)
        carried = [meta for meta in previous["attachments"]
                   if keep_attachments is None or meta["id"] in set(keep_attachments)]
        checked = _checked_files(new_files, kept=len(carried))
        content["attachments"] = carried + _store_files(journal, entry, checked)
        version = latest.version + 1
        _write_version(journal, entry, version=version, kind=RecordKind.EDITED,
                       content=content, now=now)
        _audit(journal, author, JournalAudit.JOURNAL_ENTRY_WRITTEN, object_type="journal_entry",
               object_id=entry.pk, detail={"version": version, "files": len(checked)})
    return JournalVersion.objects.get(entry=entry, version=version)


def delete_entry(*, author: Person, entry: JournalEntry,
                 now: datetime | None = None) -> JournalRecord:
    """Destroy ENTRY's content (every version, every attachment) and append a tombstone to
    the chain: the export then shows "deleted by its author on …" in its place."""
    now = now or timezone.now()
    with transaction.atomic():
        journal, entry = _own_entry_for_write(author, entry.pk)
        if entry.is_deleted:
            raise ValidationError(_("This entry was already deleted."))
        last_version = entry.versions.order_by("-version").values_list(
            "version", flat=True).first() or 0
        entry.versions.all().delete()
        entry.attachments.all().delete()
        entry.deleted_at = now
        entry.save(update_fields=["deleted_at"])
        record = _append(journal, entry=entry, version=last_version + 1,
                         kind=RecordKind.DELETED, recorded_at=now, content=None, salt=None)
        _audit(journal, author, JournalAudit.JOURNAL_ENTRY_DELETED,
               object_type="journal_entry", object_id=entry.pk)
    return record


def delete_journal(*, author: Person) -> bool:
    """Delete AUTHOR's whole journal: its key is shredded (every copy of its content, backups
    included once their master key retires, becomes unreadable) and its rows deleted. False
    when there was none."""
    with transaction.atomic():
        journal = (Journal.objects.select_for_update().select_related("key")
                   .filter(author=author).first())
        if journal is None:
            return False
        _audit(journal, author, JournalAudit.JOURNAL_DELETED,
               detail={"entries": journal.entries.count()})
        key = journal.key
        journal.delete()
        crypto.shred(key)
    return True


def record_export(*, author: Person, journal: Journal, kind: str, records: int) -> None:
    """The audit row of an export (PDF or JSON): which journal, what kind, how long."""
    _audit(journal, author, JournalAudit.JOURNAL_EXPORTED,
           detail={"format": kind, "records": records})


def record_read(*, author: Person, journal: Journal, what: str, object_id: object = None,
                action: str = JournalAudit.JOURNAL_READ) -> None:
    """The audit row of the author reading their journal (a page, an entry, a file)."""
    _audit(journal, author, action, object_type=what,
           object_id=journal.pk if object_id is None else object_id)
