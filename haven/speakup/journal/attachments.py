"""Attachment checks: images (PNG, JPEG, WebP, GIF) and PDF only, recognised by their first
bytes — never by the file name or the type the browser claims — not empty, and within the
size and count limits. A refused file stores nothing, and its message says what was wrong."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from haven.core.text import one_line

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_PER_ENTRY = 10
NAME_MAX = 120

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")


def max_bytes() -> int:
    """HAVEN_JOURNAL_ATTACHMENT_MAX_BYTES, 5 MB unless the operator sets it."""
    return int(getattr(settings, "HAVEN_JOURNAL_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(data: bytes) -> str | None:
    """The media type DATA's first bytes announce, among those accepted; None otherwise."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def clean_name(name: str) -> str:
    """A file name fit to store and show: one line, storable characters, not too long."""
    cleaned = one_line(name or "").replace("/", "_").replace("\\", "_")
    return cleaned[-NAME_MAX:] or _("unnamed file")


@dataclass(frozen=True)
class CheckedFile:
    name: str
    media_type: str
    data: bytes


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def check(name: str, data: bytes) -> CheckedFile:
    name = clean_name(name)
    if not data:
        raise ValidationError({"files": _("“%(name)s” is empty, so it was not attached.")
                               % {"name": name}})
    limit = max_bytes()
    if len(data) > limit:
        raise ValidationError({"files": _(
            "“%(name)s” is %(size)s MB; a file may be at most %(limit)s MB. Nothing was "
            "saved.") % {"name": name, "size": _megabytes(len(data)),
                         "limit": _megabytes(limit)}})
    media_type = sniff(data)
    if media_type is None:
        raise ValidationError({"files": _(
            "“%(name)s” is not a PNG, JPEG, WebP or GIF image or a PDF (its content was "
            "checked, not its name). Nothing was saved.") % {"name": name}})
    return CheckedFile(name=name, media_type=media_type, data=data)


def check_count(total: int) -> None:
    if total > MAX_PER_ENTRY:
        raise ValidationError({"files": _(
            "An entry can hold at most %(most)d files; this would make %(total)d. Nothing was "
            "saved.") % {"most": MAX_PER_ENTRY, "total": total}})
