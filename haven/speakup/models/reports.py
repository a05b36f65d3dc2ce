"""Collective reports in escrow, direct reports and case handling (docs/speakup.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ReportAudit"]


class ReportAudit(models.TextChoices):
    """Audit actions of reports and cases: identifiers only, never content."""

    CASE_READ = "case_read", _("Case read")
