"""The private incident journal (docs/speakup.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["JournalAudit"]


class JournalAudit(models.TextChoices):
    """Audit actions of the journal: identifiers only, never content."""

    JOURNAL_EXPORTED = "journal_exported", _("Journal exported")
