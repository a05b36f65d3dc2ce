"""Attachments: images and PDFs recognised by their content, not their name; empty, too large,
disguised or too many files refused with a specific message and nothing stored; the vault's
bytes sealing that keeps them."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from haven.core.models import Person
from haven.speakup.journal import attachments, selectors, services
from haven.speakup.models import Journal, JournalAttachment, JournalEntry, JournalRecord
from haven.vault import crypto
from tests.conftest import signed_in
from tests.speakup.test_journal import _form, an_entry

pytestmark = pytest.mark.django_db


def image_bytes(kind: str, size: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.mark.parametrize(("kind", "media_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg"),
                                                  ("WEBP", "image/webp"), ("GIF", "image/gif")])
def test_images_are_recognised_by_their_bytes(kind: str, media_type: str) -> None:
    assert attachments.sniff(image_bytes(kind)) == media_type
    # The name says nothing: a PNG called .pdf is a PNG.
    assert attachments.check("scan.pdf", image_bytes(kind)).media_type == media_type


def test_a_pdf_is_recognised() -> None:
    assert attachments.check("letter", PDF).media_type == "application/pdf"


@pytest.mark.parametrize("data", [b"MZ\x90\x00\x03 an executable", b"<svg onload=alert(1)>",
                                  b"<html><script>", b"PK\x03\x04 a zip",
                                  b"RIFF\x00\x00\x00\x00WAVE", b"GIF8", b"\xff\xd8",
                                  b"plain text"])
def test_a_disguised_file_is_refused(colleague: Person, data: bytes) -> None:
    with pytest.raises(ValidationError) as refused:
        an_entry(colleague, files=(services.NewFile(name="holiday.png", data=data),))
    assert "“holiday.png” is not a PNG, JPEG, WebP or GIF image or a PDF" in str(refused.value)
    assert not JournalEntry.objects.exists() and not JournalAttachment.objects.exists()


def test_an_empty_file_is_refused(colleague: Person) -> None:
    with pytest.raises(ValidationError) as refused:
        an_entry(colleague, files=(services.NewFile(name="blank.png", data=b""),))
    assert "“blank.png” is empty" in str(refused.value)
    assert not Journal.objects.exists()


def test_a_file_too_large_is_refused(colleague: Person, settings) -> None:
    settings.HAVEN_JOURNAL_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = image_bytes("PNG") + b"\x00" * (1024 * 1024)
    with pytest.raises(ValidationError) as refused:
        an_entry(colleague, files=(services.NewFile(name="huge.png", data=big),))
    assert "“huge.png” is 1 MB; a file may be at most 1 MB" in str(refused.value)
    assert not JournalAttachment.objects.exists()


def test_the_default_limit_is_five_megabytes() -> None:
    assert attachments.max_bytes() == 5 * 1024 * 1024


def test_at_most_ten_files_an_entry(colleague: Person) -> None:
    png = services.NewFile(name="a.png", data=image_bytes("PNG"))
    entry = an_entry(colleague, files=(png,) * 10)
    with pytest.raises(ValidationError) as refused:
        services.edit_entry(author=colleague, entry=entry, new_files=(png,),
                            entry_input=services.EntryInput(occurred_on=entry.created_at.date(),
                                                            what="More."))
    assert "at most 10 files; this would make 11" in str(refused.value)
    assert JournalRecord.objects.count() == 1  # the edit left nothing behind
    # Dropping one makes room for another.
    kept = [a["id"] for a in selectors.entry(viewer=colleague, entry_id=entry.pk)
            .content["attachments"]][1:]
    services.edit_entry(author=colleague, entry=entry, new_files=(png,), keep_attachments=kept,
                        entry_input=services.EntryInput(occurred_on=entry.created_at.date(),
                                                        what="More."))
    versions = selectors.entry(viewer=colleague, entry_id=entry.pk).versions
    assert [len(v.content["attachments"]) for v in versions] == [10, 10]
    assert JournalAttachment.objects.filter(entry=entry).count() == 11  # version 1 keeps its own


def test_the_page_says_what_was_wrong_and_keeps_the_text(colleague: Person) -> None:
    client = signed_in(colleague)
    response = client.post("/journal/new/", {
        **_form(what="Keep this text."),
        "new_files": [SimpleUploadedFile("report.pdf", b"MZ not a pdf", "application/pdf")]})
    assert response.status_code == 400
    body = response.content.decode()
    assert "is not a PNG, JPEG, WebP or GIF image or a PDF" in body
    assert "Keep this text." in body
    response = client.post("/journal/new/", {
        **_form(), "new_files": [SimpleUploadedFile("empty.png", b"", "image/png")]})
    assert response.status_code == 400 and not JournalEntry.objects.exists()
    response = client.post("/journal/new/", {
        **_form(), "new_files": [SimpleUploadedFile("a.gif", image_bytes("GIF"), "image/gif"),
                             SimpleUploadedFile("b.pdf", PDF, "application/pdf")]})
    assert response.status_code == 302
    assert JournalAttachment.objects.count() == 2


def test_attachments_are_sealed(colleague: Person) -> None:
    marker = b"%PDF-1.4 cnryattachment" + b"z" * 40
    an_entry(colleague, files=(services.NewFile(name="cnryname.pdf", data=marker),))
    stored = JournalAttachment.objects.get()
    assert b"cnryattachment" not in bytes(stored.sealed_data)
    assert b"cnryname" not in bytes(stored.sealed_meta)


def test_the_vault_seals_bytes(colleague: Person) -> None:
    key = crypto.create_data_key(purpose="test")
    data = bytes(range(256)) * 3
    sealed = crypto.seal_bytes(key, data, aad="thing:1")
    assert data not in sealed
    assert crypto.open_sealed_bytes(key, sealed, aad="thing:1") == data
    with pytest.raises(crypto.CannotOpen):
        crypto.open_sealed_bytes(key, sealed, aad="thing:2")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(crypto.CannotOpen):
        crypto.open_sealed_bytes(key, tampered, aad="thing:1")
    # Text sealed with seal() opens as its UTF-8 bytes, and the reverse.
    assert crypto.open_sealed_bytes(key, crypto.seal(key, "é", aad="a"), aad="a") == "é".encode()
    assert crypto.open_sealed(key, crypto.seal_bytes(key, "é".encode(), aad="a"), aad="a") == "é"
    crypto.shred(key)
    with pytest.raises(crypto.KeyShredded):
        crypto.open_sealed_bytes(key, sealed, aad="thing:1")
