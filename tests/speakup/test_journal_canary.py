"""The confidentiality promise for the journal: canary strings written through the pages and
the API into every field — what happened, where, who was involved (a directory person's name
and free text), witnesses, impact, an attachment's name and bytes — never appear in the
database (whatever the engine), a log record, an e-mail or the audit log, while the author
reads them all back."""

from __future__ import annotations

import base64
import json
import logging

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from haven.core.models import AuditEvent, Person
from haven.speakup.models import JournalEntry
from tests.conftest import signed_in
from tests.factories import make_person
from tests.support.dump import Canaries, database_except

pytestmark = pytest.mark.django_db


def _log_text(record: logging.LogRecord) -> str:
    return "\n".join([record.getMessage(), str(record.args), str(record.__dict__)])


def test_no_journal_content_is_stored_logged_or_audited(colleague: Person, caplog) -> None:
    canary = Canaries()
    involved = make_person(name=canary.new("involvedname"))  # the directory's, before logging
    caplog.set_level(logging.DEBUG)
    for name in ("django", "django.request", "django.db.backends", "haven", "py.warnings"):
        caplog.set_level(logging.DEBUG, logger=name)
    connection.force_debug_cursor = True  # every SQL statement and its parameters is logged
    client = signed_in(colleague)
    fields = {"what": canary.new("what"), "where": canary.new("where"),
              "others": canary.new("others"), "witnesses": canary.new("witnesses"),
              "impact": canary.new("impact")}
    file_name, file_body = canary.new("filename"), canary.new("filebody")
    try:
        response = client.post("/journal/new/", {
            "occurred_on": "2026-10-01", "occurred_time": "08:00", "people": involved.email,
            **fields,
            "new_files": [SimpleUploadedFile(f"{file_name}.pdf",
                                         b"%PDF-1.4 " + file_body.encode(), "text/plain")]})
        assert response.status_code == 302
        entry = JournalEntry.objects.get()
        edited = canary.new("edited")
        response = client.post(f"/journal/{entry.pk}/edit/", {
            "occurred_on": "2026-10-01", "what": edited, "people": involved.email})
        assert response.status_code == 302
        api_text = canary.new("api")
        response = client.post("/api/v1/journal/entries", data=json.dumps({
            "occurred_on": "2026-10-02", "what": api_text, "files": [{
                "name": canary.new("apifile"),
                "data": base64.b64encode(b"GIF89a" + canary.new("apibody").encode()).decode()}]}),
            content_type="application/json")
        assert response.status_code == 201
        # The author reads everything back: pages, the file, both exports.
        page = client.get(f"/journal/{entry.pk}/").content.decode()
        assert all(value in page for value in fields.values())
        assert edited in page and involved.name in page and file_name in page
        exported = client.get("/journal/export.json").content.decode()
        assert api_text in exported and edited in exported
        assert client.get("/journal/export.pdf").status_code == 200
        assert client.get("/journal/").status_code == 200
    finally:
        connection.force_debug_cursor = False

    # The involved person's name is theirs in the directory; nowhere else.
    stored = database_except("core_person")
    assert canary.found_in(stored) == []
    assert canary.found_in("\n".join(_log_text(record) for record in caplog.records)) == []
    assert canary.found_in(json.dumps(list(AuditEvent.objects.values()), default=str)) == []
    assert canary.found_in("\n".join(f"{m.subject}\n{m.body}" for m in mail.outbox)) == []
