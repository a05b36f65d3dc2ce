"""The exports: the PDF holds every entry and version with its recorded time, version marks,
each chain hash, the signed checkpoint and how to verify, draws images, lists PDFs with their
hash and renders text beyond ASCII; the JSON export verifies; both are audited."""

from __future__ import annotations

import re

import pytest

from haven.core.models import AuditEvent, Person
from haven.speakup.journal import export, selectors, services
from haven.speakup.models import JournalAudit, JournalRecord
from tests.conftest import signed_in
from tests.speakup.test_journal import an_entry
from tests.speakup.test_journal_attachments import PDF, image_bytes

pytestmark = pytest.mark.django_db


def _unescape(raw: bytes) -> bytes:
    out, index = bytearray(), 0
    while index < len(raw):
        char = raw[index]
        if char == 0x5C and index + 1 < len(raw):  # a backslash
            following = raw[index + 1:index + 4]
            octal = re.match(rb"[0-7]{1,3}", following)
            if octal:
                out.append(int(octal.group(0), 8) & 0xFF)
                index += 1 + len(octal.group(0))
                continue
            out.extend({ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t"}.get(
                raw[index + 1], bytes([raw[index + 1]])))
            index += 2
            continue
        out.append(char)
        index += 1
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """The text of an uncompressed reportlab PDF: each shown string decoded through its font's
    ToUnicode map (TrueType subsets number their glyphs, not their characters)."""
    objects = {int(m.group(1)): m.group(2)
               for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}
    fonts: dict[str, dict[int, str]] = {}
    for name, ref in re.findall(rb"/(F\d+(?:\+\d+)?) (\d+) 0 R", data):
        font = objects.get(int(ref), b"")
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
        mapping: dict[int, str] = {}
        if to_unicode:
            for code, unicode in re.findall(rb"<([0-9A-Fa-f]{2})> <([0-9A-Fa-f]{4})>",
                                            objects[int(to_unicode.group(1))]):
                if int(unicode, 16):
                    mapping[int(code, 16)] = chr(int(unicode, 16))
        fonts[name.decode()] = mapping
    shown, font = [], ""
    for match in re.finditer(rb"/(F\d+(?:\+\d+)?) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", data):
        if match.group(1):
            font = match.group(1).decode()
            continue
        mapping = fonts.get(font, {})
        shown.append("".join(mapping.get(byte, chr(byte))
                             for byte in _unescape(match.group(2))))
    return re.sub(r"\s+", " ", " ".join(shown))


@pytest.fixture
def journal_of_three(colleague: Person) -> Person:
    first = an_entry(colleague, what="Zoë said my café order was “pathetic” — Привет.",
                     where="Kitchen", witnesses="Jürgen", impact="Felt small.",
                     files=(services.NewFile(name="photo.png", data=image_bytes("PNG")),
                            services.NewFile(name="letter.pdf", data=PDF),
                            services.NewFile(name="anim.gif", data=image_bytes("GIF", 9)),
                            services.NewFile(name="pic.webp", data=image_bytes("WEBP", 10))))
    services.edit_entry(author=colleague, entry=first, keep_attachments=None,
                        entry_input=services.EntryInput(occurred_on=first.created_at.date(),
                                                        what="Zoë called my work pathetic."))
    an_entry(colleague, what="Left out of the team lunch again.")
    gone = an_entry(colleague, what="Something I took back.")
    services.delete_entry(author=colleague, entry=gone)
    return colleague


def test_the_pdf_holds_every_entry_version_hash_and_the_checkpoint(
        journal_of_three: Person) -> None:
    snapshot = selectors.snapshot(viewer=journal_of_three)
    assert snapshot is not None
    made = export.pdf(snapshot, author_name="Ada Author", compress=False)
    assert made.startswith(b"%PDF-")
    text = pdf_text(made)
    assert "Incident journal" in text and "Kept by Ada Author" in text
    assert "Zoë said my café order was “pathetic” — Привет." in text  # version 1, kept
    assert "Zoë called my work pathetic." in text
    assert "Version 2 (edited), recorded" in text
    assert "Version 1 (written), recorded" in text and "replaced by a later version" in text
    assert "Left out of the team lunch again." in text
    assert "Deleted by its author on" in text and "Something I took back" not in text
    for record in JournalRecord.objects.all():
        assert record.hash in text
    checkpoint = snapshot.checkpoint
    assert checkpoint is not None
    assert checkpoint.signature in text and checkpoint.public_key in text
    assert "How to verify." in text
    assert re.search(r"Attachment “letter.pdf” \(application/pdf, \d+ bytes\), SHA-256 "
                     r"[0-9a-f]{64}", text)
    # The PNG, the GIF and the WebP are drawn (once per version that holds them).
    assert len(re.findall(rb"/Subtype /Image", made)) >= 3


def test_a_damaged_image_is_listed_not_drawn(colleague: Person) -> None:
    an_entry(colleague, files=(services.NewFile(name="broken.png",
                                                data=b"\x89PNG\r\n\x1a\n" + b"\x00" * 30),))
    snapshot = selectors.snapshot(viewer=colleague)
    assert snapshot is not None
    text = pdf_text(export.pdf(snapshot, author_name="A", compress=False))
    assert "Attachment “broken.png” (image/png" in text


def test_the_export_pages_are_audited(journal_of_three: Person) -> None:
    client = signed_in(journal_of_three)
    response = client.get("/journal/export.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    response = client.get("/journal/export.json")
    assert response.status_code == 200
    document = response.json()
    assert len(document["records"]) == 5 and len(document["files"]) == 4
    rows = AuditEvent.objects.filter(action=JournalAudit.JOURNAL_EXPORTED)
    assert sorted(row.detail["format"] for row in rows) == ["json", "pdf"]
    assert all(row.actor_id is None for row in rows)
