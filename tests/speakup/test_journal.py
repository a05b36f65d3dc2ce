"""The journal's services, selectors and pages: only the author reads, lists, edits, deletes
or exports; edits are versions; deleting an entry leaves a tombstone; deleting the journal
shreds its key."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from haven.core.models import AuditEvent, Person, Role
from haven.speakup.journal import selectors, services, verify
from haven.speakup.models import (
    Journal,
    JournalAttachment,
    JournalAudit,
    JournalCheckpoint,
    JournalEntry,
    JournalRecord,
    JournalVersion,
)
from haven.vault import crypto
from haven.vault.models import DataKey
from tests.conftest import signed_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def an_entry(author: Person, *, what: str = "He shouted at me in the stand-up.",
             on: date | None = None, people: tuple[Person, ...] = (),
             files: tuple[services.NewFile, ...] = (), **fields: str) -> JournalEntry:
    return services.write_entry(
        author=author, new_files=files,
        entry_input=services.EntryInput(occurred_on=on or timezone.localdate(), what=what,
                                        people=people, **fields))


def test_an_entry_is_written_sealed_chained_and_signed(colleague: Person) -> None:
    bully = make_person(name="Bea Bully")
    entry = an_entry(colleague, where="Room 4", people=(bully,), witnesses="Sam",
                     impact="I could not sleep.",
                     files=(services.NewFile(name="shot.png", data=PNG),))
    journal = Journal.objects.get(author=colleague)
    assert entry.number == 1 and journal.next_number == 2
    version = JournalVersion.objects.get(entry=entry)
    assert b"shouted" not in bytes(version.sealed)
    record = JournalRecord.objects.get(journal=journal)
    assert (record.seq, record.version, record.kind) == (1, 1, "created")
    checkpoint = JournalCheckpoint.objects.get(journal=journal)
    assert checkpoint.head == record.hash and checkpoint.length == 1
    view = selectors.entry(viewer=colleague, entry_id=entry.pk)
    assert view.content["what"] == "He shouted at me in the stand-up."
    assert view.content["people"] == [{"id": bully.pk, "name": "Bea Bully"}]
    assert view.content["attachments"][0]["type"] == "image/png"
    assert view.latest is not None and view.latest.hash == record.hash


def test_an_edit_is_a_new_version_and_the_old_one_stays(colleague: Person) -> None:
    entry = an_entry(colleague, what="First telling.")
    services.edit_entry(author=colleague, entry=entry, entry_input=services.EntryInput(
        occurred_on=timezone.localdate(), what="Second telling, with the exact words."))
    view = selectors.entry(viewer=colleague, entry_id=entry.pk)
    assert [v.content["what"] for v in view.versions] == [
        "First telling.", "Second telling, with the exact words."]
    assert [v.kind for v in view.versions] == ["created", "edited"]
    first, second = JournalRecord.objects.filter(journal__author=colleague).order_by("seq")
    assert second.previous == first.hash
    assert JournalCheckpoint.objects.filter(journal__author=colleague).count() == 2


def test_deleting_an_entry_destroys_it_and_leaves_a_tombstone(colleague: Person) -> None:
    kept = an_entry(colleague, what="Kept.")
    gone = an_entry(colleague, what="Gone.", files=(services.NewFile(name="a.png", data=PNG),))
    services.delete_entry(author=colleague, entry=gone)
    assert not JournalVersion.objects.filter(entry=gone).exists()
    assert not JournalAttachment.objects.filter(entry=gone).exists()
    tombstone = JournalRecord.objects.filter(journal__author=colleague).order_by("-seq").first()
    assert tombstone is not None
    assert (tombstone.kind, tombstone.entry_id, tombstone.content_digest) == (
        "deleted", gone.pk, "")
    page = selectors.journal_page(viewer=colleague)
    assert [e.id for e in page.entries] == [kept.pk, gone.pk]
    assert page.entries[1].deleted_at is not None and page.entries[1].versions == []
    # The chain still verifies, with the deleted entry's content gone.
    snapshot = selectors.snapshot(viewer=colleague)
    assert snapshot is not None
    from haven.speakup.journal import export
    result = verify.verify(export.document(snapshot),
                           trusted_key=snapshot.checkpoint.public_key if snapshot.checkpoint
                           else None)
    assert result.intact and result.destroyed == 1 and result.checked == 1


def test_deleting_the_journal_shreds_its_key(colleague: Person) -> None:
    an_entry(colleague)
    journal = Journal.objects.get(author=colleague)
    key = journal.key
    sealed = bytes(JournalVersion.objects.get(entry__journal=journal).sealed)
    assert services.delete_journal(author=colleague) is True
    key = DataKey.objects.get(pk=key.pk)
    assert key.is_shredded and key.wrapped is None
    assert not Journal.objects.filter(author=colleague).exists()
    assert not JournalVersion.objects.exists() and not JournalRecord.objects.exists()
    with pytest.raises(crypto.KeyShredded):
        crypto.open_sealed(key, sealed, aad="anything")
    assert services.delete_journal(author=colleague) is False
    # A new journal starts afresh, under a new key.
    an_entry(colleague)
    assert Journal.objects.get(author=colleague).key_id != key.pk


def test_bad_input_changes_nothing(colleague: Person) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as future:
        an_entry(colleague, on=timezone.localdate() + timedelta(days=2))
    assert "future" in str(future.value)
    with pytest.raises(ValidationError):
        an_entry(colleague, what="   ")
    with pytest.raises(ValidationError):
        an_entry(colleague, what="x" * (services.WHAT_MAX + 1))
    assert not Journal.objects.exists() and not JournalRecord.objects.exists()


def test_audit_rows_name_no_author(colleague: Person) -> None:
    entry = an_entry(colleague)
    selectors.entry(viewer=colleague, entry_id=entry.pk)
    services.delete_entry(author=colleague, entry=entry)
    rows = AuditEvent.objects.filter(action__startswith="journal_").exclude(
        action=JournalAudit.JOURNAL_SIGNING_KEY_MADE)
    assert {row.action for row in rows} >= {JournalAudit.JOURNAL_ENTRY_WRITTEN,
                                            JournalAudit.JOURNAL_READ,
                                            JournalAudit.JOURNAL_ENTRY_DELETED}
    assert all(row.actor_id is None and row.actor_pseudonym for row in rows)
    # Details are counts and versions only.
    assert all(set(row.detail) <= {"version", "files", "entries", "format", "records"}
               for row in rows)


# Only the author ---------------------------------------------------------------------------

OUTSIDERS = [(), (Role.ADMINISTRATOR,), (Role.COORDINATOR,), (Role.CASE_HANDLER,),
             (Role.SUPPORTER,)]


@pytest.mark.parametrize("roles", OUTSIDERS, ids=lambda roles: "-".join(roles) or "colleague")
def test_nobody_but_the_author_reads_it(colleague: Person, roles: tuple[str, ...]) -> None:
    entry = an_entry(colleague, files=(services.NewFile(name="a.png", data=PNG),))
    attachment = JournalAttachment.objects.get(entry=entry)
    outsider = make_person(*roles, mfa=True)
    client = signed_in(outsider)
    for path in (f"/journal/{entry.pk}/", f"/journal/{entry.pk}/edit/",
                 f"/journal/{entry.pk}/delete/",
                 f"/journal/{entry.pk}/files/{attachment.pk}/"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/journal/{entry.pk}/delete/", {"confirm": "on"}).status_code == 404
    assert client.post(f"/journal/{entry.pk}/edit/", {
        "occurred_on": "2026-01-01", "what": "overwritten"}).status_code == 404
    # Their own journal page shows nothing of the author's; exports have nothing to export.
    response = client.get("/journal/")
    assert response.status_code == 200 and b"shouted" not in response.content
    assert client.get("/journal/export.json").status_code == 404
    assert client.get("/journal/export.pdf").status_code == 404
    for method, path in (("get", f"/api/v1/journal/entries/{entry.pk}"),
                         ("put", f"/api/v1/journal/entries/{entry.pk}"),
                         ("delete", f"/api/v1/journal/entries/{entry.pk}")):
        body = {"occurred_on": "2026-01-01", "what": "x"} if method == "put" else None
        response = getattr(client, method)(path, data=json.dumps(body) if body else None,
                                           content_type="application/json")
        assert response.status_code == 404, (method, path)
    assert client.get("/api/v1/journal/entries").json() == []
    assert client.get("/api/v1/journal/export").status_code == 404
    for reader in (selectors.entry, selectors.entry_row):
        with pytest.raises(Exception) as refused:
            reader(viewer=outsider, entry_id=entry.pk)
        assert type(refused.value).__name__ == "Http404"
    assert JournalVersion.objects.filter(entry=entry).count() == 1


def test_signed_out_people_are_sent_to_sign_in(colleague: Person) -> None:
    entry = an_entry(colleague)
    anonymous = Client()
    response = anonymous.get(f"/journal/{entry.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert anonymous.get("/api/v1/journal/entries").status_code == 401
    assert anonymous.get("/journal/verify/").status_code == 200  # public


# Pages ------------------------------------------------------------------------------------

def _form(**overrides: object) -> dict[str, object]:
    form: dict[str, object] = {"occurred_on": timezone.localdate().isoformat(),
                               "occurred_time": "14:30", "what": "She read my e-mail aloud.",
                               "where": "Open office", "people": "", "others": "",
                               "witnesses": "Two people from finance", "impact": "Humiliated"}
    form.update(overrides)
    return form


def test_the_pages_write_edit_and_delete(colleague: Person) -> None:
    client = signed_in(colleague)
    response = client.get("/journal/")
    assert response.status_code == 200 and b"Your journal is empty" in response.content
    bully = make_person(name="Bea Bully")
    response = client.post("/journal/new/", _form(people=f"bea bully\n{bully.email}"))
    assert response.status_code == 302
    entry = JournalEntry.objects.get(journal__author=colleague)
    assert response["Location"] == f"/journal/{entry.pk}/"
    page = client.get(f"/journal/{entry.pk}/")
    assert b"She read my e-mail aloud." in page.content and b"Bea Bully" in page.content
    edit = client.get(f"/journal/{entry.pk}/edit/")
    assert bully.email.encode() in edit.content  # the people as e-mails, ready to save again
    response = client.post(f"/journal/{entry.pk}/edit/", _form(what="Now with her words."))
    assert response.status_code == 302
    page = client.get(f"/journal/{entry.pk}/").content
    assert b"Now with her words." in page and b"replaced by a later version" in page
    # Deleting asks first; without the box ticked nothing is deleted.
    assert client.get(f"/journal/{entry.pk}/delete/").status_code == 200
    assert client.post(f"/journal/{entry.pk}/delete/", {}).status_code == 400
    assert JournalVersion.objects.filter(entry=entry).count() == 2
    assert client.post(f"/journal/{entry.pk}/delete/", {"confirm": "on"}).status_code == 302
    assert JournalEntry.objects.get(pk=entry.pk).is_deleted
    assert b"Deleted by you" in client.get("/journal/").content
    tombstone = client.get(f"/journal/{entry.pk}/")
    assert tombstone.status_code == 200 and b"You deleted this entry on" in tombstone.content
    assert b"Now with her words." not in tombstone.content
    assert client.get(f"/journal/{entry.pk}/edit/").status_code == 404


def test_a_refused_entry_keeps_what_was_typed(colleague: Person) -> None:
    client = signed_in(colleague)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post("/journal/new/", _form(occurred_on=future,
                                                  what="Typed with care, keep me."))
    assert response.status_code == 400
    assert b"That date is in the future" in response.content
    assert b"Typed with care, keep me." in response.content
    response = client.post("/journal/new/", _form(people="Nobody Atall"))
    assert response.status_code == 400 and "Nobody in the directory is called" in \
        response.content.decode()
    make_person(name="Twin Name")
    make_person(name="Twin Name")
    response = client.post("/journal/new/", _form(people="Twin Name"))
    assert "More than one person is called" in response.content.decode()
    assert not JournalEntry.objects.exists()


def test_deleting_the_whole_journal_asks_first(colleague: Person) -> None:
    an_entry(colleague)
    client = signed_in(colleague)
    assert client.get("/journal/delete/").status_code == 200
    assert client.post("/journal/delete/", {}).status_code == 400
    assert Journal.objects.filter(author=colleague).exists()
    assert client.post("/journal/delete/", {"confirm": "on"}).status_code == 302
    assert not Journal.objects.filter(author=colleague).exists()
    assert DataKey.objects.filter(purpose="journal", shredded_at__isnull=False).count() == 1


def test_an_attachment_is_served_to_its_author_only(colleague: Person) -> None:
    entry = an_entry(colleague, files=(services.NewFile(name="shot.png", data=PNG),))
    attachment = JournalAttachment.objects.get(entry=entry)
    response = signed_in(colleague).get(f"/journal/{entry.pk}/files/{attachment.pk}/")
    assert response.status_code == 200 and response.content == PNG
    assert response["Content-Type"] == "image/png"
    assert AuditEvent.objects.filter(action=JournalAudit.JOURNAL_ATTACHMENT_READ,
                                     object_id=str(attachment.pk)).exists()


# API -----------------------------------------------------------------------------------------

def test_the_api_writes_edits_lists_and_exports(colleague: Person) -> None:
    import base64

    client = signed_in(colleague)
    witness = make_person(name="Will Witness")
    response = client.post("/api/v1/journal/entries", data=json.dumps({
        "occurred_on": "2026-11-02", "occurred_time": "09:15", "what": "Excluded from the meeting.",
        "people": [witness.email], "files": [{"name": "x.png",
                                              "data": base64.b64encode(PNG).decode()}]}),
        content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["versions"][0]["content"]["people"] == [{"id": witness.pk,
                                                            "name": "Will Witness"}]
    response = client.put(f"/api/v1/journal/entries/{created['id']}", data=json.dumps({
        "occurred_on": "2026-11-02", "what": "Excluded again.", "keep_attachments": []}),
        content_type="application/json")
    assert response.status_code == 200
    assert [v["content"]["what"] for v in response.json()["versions"]] == [
        "Excluded from the meeting.", "Excluded again."]
    assert response.json()["versions"][1]["content"]["attachments"] == []
    listed = client.get("/api/v1/journal/entries").json()
    assert len(listed) == 1 and listed[0]["versions"][0]["version"] == 2
    document = client.get("/api/v1/journal/export").json()
    assert verify.verify(document).intact
    bad = client.post("/api/v1/journal/entries", data=json.dumps({
        "occurred_on": "2026-11-02", "what": "x", "people": ["nobody@example.org"]}),
        content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "people"
    disguised = client.post("/api/v1/journal/entries", data=json.dumps({
        "occurred_on": "2026-11-02", "what": "x", "files": [
            {"name": "x.png", "data": base64.b64encode(b"MZ\x90\x00evil").decode()}]}),
        content_type="application/json")
    assert disguised.status_code == 422 and "not a PNG" in disguised.json()["errors"][0][
        "message"]
    assert client.delete(f"/api/v1/journal/entries/{created['id']}").status_code == 204
    assert JournalEntry.objects.get(pk=created["id"]).is_deleted


def test_the_journal_is_in_the_openapi_schema() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/journal/entries" in schema["paths"]
    assert "/api/v1/journal/entries/{entry_id}" in schema["paths"]
    assert "/api/v1/journal/export" in schema["paths"]


# The public verify page ----------------------------------------------------------------------

def _upload(content: bytes, name: str = "journal.json") -> dict[str, object]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"export": SimpleUploadedFile(name, content, "application/json")}


def test_the_verify_page_checks_an_export_without_an_account(colleague: Person) -> None:
    an_entry(colleague, what="Shouted at.")
    second = an_entry(colleague, what="Shouted at again.")
    exported = signed_in(colleague).get("/journal/export.json").content
    hr = Client()
    page = hr.get("/journal/verify/")
    assert page.status_code == 200
    from haven.speakup.journal.signing import server_public_key

    key = server_public_key()
    assert key is not None and key.encode() in page.content
    response = hr.post("/journal/verify/", _upload(exported))
    assert response.status_code == 200 and b"Intact" in response.content
    document = json.loads(exported)
    document["records"][1]["content"]["what"] = "Said hello."
    response = hr.post("/journal/verify/", _upload(json.dumps(document).encode()))
    body = response.content.decode()
    assert response.status_code == 200 and "Altered" in body
    assert f"Entry {second.number}, version 1 (chain record 2): content changed" in body
    assert AuditEvent.objects.filter(action=JournalAudit.JOURNAL_READ).count() == 0


@pytest.mark.parametrize("content", [b"", b"not json", b"\xff\xfe\x00", b"[]", b"{}",
                                     b'{"format": "haven-journal-export", "journal": "x", '
                                     b'"records": [1, {"seq": []}], "checkpoint": []}',
                                     b"[" * 50_000])
def test_the_verify_page_answers_anything_without_a_500(content: bytes) -> None:
    response = Client().post("/journal/verify/", _upload(content))
    assert response.status_code in {200, 400}
    assert response.status_code == 400 or b"Altered" in response.content


def test_the_verify_page_refuses_an_oversized_file(settings) -> None:
    settings.HAVEN_JOURNAL_VERIFY_MAX_BYTES = 1024
    response = Client().post("/journal/verify/", _upload(b" " * 2048))
    assert response.status_code == 400 and b"larger than" in response.content


def test_the_verify_page_is_rate_limited() -> None:
    from haven.speakup.journal.views import VERIFY_LIMIT

    client = Client()
    for _ in range(VERIFY_LIMIT):
        assert client.post("/journal/verify/", _upload(b"{}")).status_code == 400
    response = client.post("/journal/verify/", _upload(b"{}"))
    assert response.status_code == 429 and b"Too many checks" in response.content
