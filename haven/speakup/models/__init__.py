"""Speak-up's models: the journal (journal.py) and reports, escrow and cases (reports.py)."""

from haven.speakup.models.journal import *  # noqa: F403
from haven.speakup.models.reports import *  # noqa: F403
