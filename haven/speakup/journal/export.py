"""Exports of the journal: a JSON document with everything needed to check it (every version,
its salt, the attachments in base64, the chain and the signed checkpoint), and a PDF for HR, a
union or a lawyer, made with reportlab (docs/speakup.md says why)."""

from __future__ import annotations

import base64
import io
import logging
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from haven.speakup.journal import chain
from haven.speakup.journal.selectors import Snapshot

logger = logging.getLogger(__name__)

FORMAT = "haven-journal-export"
FORMAT_VERSION = 1

FIELD_LABELS = {
    "where": "Where",
    "what": "What happened",
    "people": "Who was involved (from the directory)",
    "others": "Who was involved (in the author's words)",
    "witnesses": "Witnesses",
    "impact": "How it affected the author",
}


# JSON ----------------------------------------------------------------------------------------

def document(snapshot: Snapshot, *, exported_at: datetime | None = None) -> dict[str, Any]:
    """The machine-readable export: what `haven journal verify` and the verify page read."""
    records = []
    for record in snapshot.records:
        opened = snapshot.versions.get((str(record.entry_id), record.version))
        records.append({
            "seq": record.seq, "entry": str(record.entry_id), "number": record.entry_number,
            "version": record.version, "kind": record.kind,
            "recorded_at": chain.timestamp(record.recorded_at),
            "previous": record.previous, "content_digest": record.content_digest or None,
            "hash": record.hash,
            # None once the entry was deleted: its content is gone, its hash stays.
            "content": opened.content if opened and record.kind != "deleted" else None,
            "salt": opened.salt if opened and record.kind != "deleted" else None,
        })
    checkpoint = snapshot.checkpoint
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "journal": str(snapshot.journal.pk),
        "exported_at": chain.timestamp(exported_at or timezone.now()),
        "public_key": checkpoint.public_key if checkpoint else None,
        "records": records,
        "files": {sha: base64.b64encode(data).decode("ascii")
                  for sha, data in sorted(snapshot.files.items())},
        "checkpoint": None if checkpoint is None else {
            "journal": str(snapshot.journal.pk), "head": checkpoint.head,
            "length": checkpoint.length, "signed_at": chain.timestamp(checkpoint.signed_at),
            "signature": checkpoint.signature, "public_key": checkpoint.public_key,
        },
    }


# PDF -----------------------------------------------------------------------------------------

# A font with wide Unicode coverage when the system has one (DejaVu, Debian's and most
# distributions' default), else Bitstream Vera, which reportlab itself ships (Western scripts).
_FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
]
_BOLD_CANDIDATES = [path.with_name("DejaVuSans-Bold.ttf") for path in _FONT_CANDIDATES]
_registered: tuple[str, str] | None = None


def _fonts() -> tuple[str, str]:
    global _registered
    if _registered is None:
        import reportlab

        shipped = Path(reportlab.__file__).parent / "fonts"
        regular = next((p for p in _FONT_CANDIDATES if p.exists()), shipped / "Vera.ttf")
        bold = next((p for p in _BOLD_CANDIDATES if p.exists()), shipped / "VeraBd.ttf")
        pdfmetrics.registerFont(TTFont("HavenSans", str(regular)))
        pdfmetrics.registerFont(TTFont("HavenSans-Bold", str(bold)))
        _registered = ("HavenSans", "HavenSans-Bold")
    return _registered


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName=regular, fontSize=10,
                          leading=13)
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=bold, fontSize=18),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=bold, fontSize=13,
                             spaceBefore=12),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontName=bold, fontSize=10.5,
                             spaceBefore=6),
        "body": body,
        "label": ParagraphStyle("label", parent=body, fontName=bold),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10,
                                textColor=colors.HexColor("#444444")),
        "hash": ParagraphStyle("hash", parent=body, fontName="Courier", fontSize=7.5,
                               leading=9.5),
        # 64 hex digits fit the chain table's last column at this size
        "hash_small": ParagraphStyle("hash_small", parent=body, fontName="Courier",
                                     fontSize=6, leading=8),
    }


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _when(moment: datetime) -> str:
    return moment.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d %H:%M:%S %Z")


def _image(data: bytes) -> Flowable | None:
    """DATA drawn at most 14 × 10 cm, or None if it cannot be drawn (a damaged image)."""
    try:
        from PIL import Image as PILImage

        with PILImage.open(io.BytesIO(data)) as picture:
            picture.thumbnail((1400, 1400))
            converted = picture.convert("RGB")
        buffer = io.BytesIO()
        converted.save(buffer, format="PNG")
        buffer.seek(0)
        width, height = converted.size
        scale = min(14 * cm / width, 10 * cm / height, 1.0)
        return Image(buffer, width=width * scale, height=height * scale)
    except Exception as error:  # any damaged or hostile image is listed, not drawn
        logger.info("Journal export: an attachment could not be drawn (%s)",
                    type(error).__name__)
        return None


def _content_rows(content: dict[str, Any], styles: dict[str, ParagraphStyle]) -> list[Any]:
    rows = []
    for name, label in FIELD_LABELS.items():
        value = content.get(name)
        if name == "people":
            value = ", ".join(person.get("name", "") for person in value or [])
        if value:
            rows.append([_para(label, styles["label"]), _para(str(value), styles["body"])])
    return rows


def _version_block(opened: Any, files: dict[str, bytes], record_hash: str,
                   styles: dict[str, ParagraphStyle], *, latest: bool) -> list[Flowable]:
    content = opened.content
    mark = {"created": "written", "edited": "edited"}.get(opened.kind, opened.kind)
    heading = (f"Version {opened.version} ({mark}), recorded {_when(opened.recorded_at)}"
               + ("" if latest else " — replaced by a later version"))
    flow: list[Flowable] = [_para(heading, styles["h3"])]
    happened = content.get("occurred_on", "")
    if content.get("occurred_time"):
        happened += " at " + content["occurred_time"]
    rows = [[_para("When it happened", styles["label"]), _para(happened, styles["body"])]]
    rows += _content_rows(content, styles)
    table = Table(rows, colWidths=[4.5 * cm, 12 * cm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.lightgrey)]))
    flow.append(table)
    for described in content.get("attachments", []):
        line = (f"Attachment “{described['name']}” ({described['type']}, "
                f"{described['size']} bytes), SHA-256 {described['sha256']}")
        flow.append(_para(line, styles["small"]))
        data = files.get(described["sha256"])
        if data is not None and described["type"].startswith("image/"):
            drawn = _image(data)
            if drawn is not None:
                flow.append(drawn)
    flow.append(_para(f"Chain hash: {record_hash}", styles["hash"]))
    return flow


HOW_TO_VERIFY = (
    "How to verify. Every change to this journal — each entry written, each edit (a new "
    "version; earlier versions are kept) and each deletion — was added to a hash chain: each "
    "record's SHA-256 hash covers the entry's content, its attachments' SHA-256 hashes, the "
    "time it was recorded, a random salt and the hash of the record before it, so changing "
    "anything in any record changes every hash after it. After every change the Haven server "
    "signed the head of the chain with its Ed25519 key (the public key is printed below). "
    "This PDF is a readable copy; the proof is the JSON export made with it. Upload that "
    "file to the verify page of the Haven server that made it (/journal/verify/, no account "
    "needed) or run `haven journal verify FILE --public-key KEY` with the key printed below: "
    "it recomputes every hash, checks every link and the signature, and names any entry and "
    "version that was altered. Check that the public key the verify page shows is the one "
    "printed here."
)


def pdf(snapshot: Snapshot, *, author_name: str, exported_at: datetime | None = None,
        compress: bool = True) -> bytes:
    """The readable export. COMPRESS=False leaves page streams as text (the tests read it)."""
    exported_at = exported_at or timezone.now()
    styles = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title="Incident journal",
                            author=author_name, leftMargin=2 * cm, rightMargin=2 * cm,
                            topMargin=2 * cm, bottomMargin=2 * cm, pageCompression=int(compress),
                            invariant=1)
    flow: list[Flowable] = [
        _para("Incident journal", styles["title"]),
        _para(f"Kept by {author_name}. Exported {_when(exported_at)}. "
              f"{len([e for e in snapshot.entries if not e.deleted_at])} entries, "
              f"{len(snapshot.records)} chain records.", styles["body"]),
        Spacer(1, 6),
        _para(HOW_TO_VERIFY, styles["small"]),
    ]
    hashes = {(str(r.entry_id), r.version): r.hash for r in snapshot.records}
    for entry in snapshot.entries:
        flow.append(_para(f"Entry {entry.number}", styles["h2"]))
        if entry.deleted_at is not None:
            flow.append(_para(f"Deleted by its author on {_when(entry.deleted_at)}. Its "
                              "content was destroyed; its place in the chain remains.",
                              styles["body"]))
            if entry.tombstone_hash:
                flow.append(_para(f"Chain hash: {entry.tombstone_hash}", styles["hash"]))
            continue
        for index, opened in enumerate(reversed(entry.versions)):
            block = _version_block(opened, snapshot.files, hashes[(str(entry.id),
                                                                   opened.version)],
                                   styles, latest=index == 0)
            flow.extend(block)
    flow.append(_para("The chain", styles["h2"]))
    rows = [[_para(h, styles["label"]) for h in ("#", "Entry", "Version", "Change",
                                                    "Recorded", "Hash")]]
    for record in snapshot.records:
        rows.append([str(record.seq), str(record.entry_number), str(record.version),
                     record.kind, _para(_when(record.recorded_at), styles["small"]),
                     _para(record.hash, styles["hash_small"])])
    table = Table(rows, colWidths=[0.8 * cm, 1.2 * cm, 1.4 * cm, 1.6 * cm, 3.4 * cm, 8.6 * cm],
                  repeatRows=1)
    table.setStyle(TableStyle([("FONTNAME", (0, 1), (3, -1), styles["body"].fontName),
                               ("FONTSIZE", (0, 1), (3, -1), 8),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey)]))
    flow.append(table)
    flow.append(_para("The signed checkpoint", styles["h2"]))
    checkpoint = snapshot.checkpoint
    if checkpoint is not None:
        for label, value in (("Chain length", str(checkpoint.length)),
                             ("Head hash", checkpoint.head),
                             ("Signed at", _when(checkpoint.signed_at)),
                             ("Ed25519 signature", checkpoint.signature),
                             ("Server public key", checkpoint.public_key)):
            flow.append(_para(f"{label}:", styles["label"]))
            flow.append(_para(value, styles["hash_small"]))
    doc.build(flow)
    return buffer.getvalue()
