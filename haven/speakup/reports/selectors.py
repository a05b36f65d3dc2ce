"""Reads for reports and cases, with their access checks (docs/speakup-reports.md). Content
is opened only here, after the check, with K from the reader's own secret (a case handler's
unlocked key, a reporter's receipt code); every case handler's read is audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from haven.core import kanon
from haven.core.audit import audit
from haven.core.errors import Refused
from haven.core.models import Person, Role
from haven.speakup.models import (
    CaseKeyCopy,
    CaseMessage,
    CaseNote,
    CaseState,
    HandlerKey,
    Report,
    ReportAudit,
    ReportState,
    SpeakupSettings,
)
from haven.speakup.reports import escrow, keys, services, tags


def has_keys(person: Person) -> bool:
    return HandlerKey.objects.filter(person=person).exists()


def my_reports(person: Person) -> list[Report]:
    """The reports PERSON filed (found by their reporter tag), newest first; no content."""
    return list(Report.objects.filter(reporter_tag=tags.reporter_tag(person.pk))
                .order_by("-filed_on", "state"))


@dataclass(frozen=True)
class ThreadMessage:
    at: datetime
    from_reporter: bool
    text: str


@dataclass(frozen=True)
class Opened:
    """A report opened by someone holding K: its latest content, versions and thread."""

    report: Report
    content_key: bytes = field(repr=False)
    content: dict[str, Any]
    version: int
    messages: list[ThreadMessage]
    notes: list[tuple[datetime, str, str]] = field(default_factory=list)  # handlers only
    outcome: str = ""
    group_size: int = 0  # released reports naming the same person (handlers only)


def _messages(report: Report, content_key: bytes) -> list[ThreadMessage]:
    return [ThreadMessage(m.created_at, m.from_reporter,
                          escrow.open_text(content_key, m.sealed, bound_to=f"message:{m.pk}"))
            for m in CaseMessage.objects.filter(report=report)]


def _content(report: Report, content_key: bytes) -> tuple[dict[str, Any], int]:
    version = services.latest_version(report)
    return (escrow.open_json(content_key, version.sealed,
                             bound_to=f"report:{report.pk}:{version.number}"), version.number)


def _outcome(report: Report, content_key: bytes) -> str:
    if report.outcome_sealed is None:
        return ""
    return escrow.open_text(content_key, report.outcome_sealed, bound_to=f"outcome:{report.pk}")


def open_as_reporter(code: str) -> Opened | None:
    """The report a receipt code opens, or None (the same answer for a wrong code and for a
    withdrawn or never-existing report). The reporter's read is audited under a pseudonym."""
    opened = services.open_by_code(code)
    if opened is None:
        return None
    report, content_key = opened
    content, number = _content(report, content_key)
    audit(action=ReportAudit.REPORT_READ_BY_REPORTER, actor_pseudonym=tags.pseudonym(
        f"reporter:{report.pk}"), object_type="report", object_id=report.pk)
    return Opened(report=report, content_key=content_key, content=content, version=number,
                  messages=_messages(report, content_key),
                  outcome=_outcome(report, content_key))


# --- Case handlers ------------------------------------------------------------------------

def _require_case_handler(person: Person) -> None:
    if not person.has_role(Role.CASE_HANDLER):
        raise Refused(_("Only case handlers have a case inbox."))


@dataclass(frozen=True)
class InboxGroup:
    label: int  # "Person 1", "Person 2": the names stay sealed until a case is opened
    cases: list[Report]
    collective: bool


def inbox(handler: Person) -> list[InboxGroup]:
    """The released reports sealed to HANDLER, grouped by the person named (by matching tag,
    without opening anything). Direct ("send now") reports on their own form their own group
    only when nobody else named the same person. No content: not audited as a read."""
    _require_case_handler(handler)
    reports = list(Report.objects.filter(state=ReportState.RELEASED,
                                         key_copies__handler=handler)
                   .order_by("released_at", "pk"))
    grouped: dict[str, list[Report]] = {}
    for report in reports:
        grouped.setdefault(report.named_tag, []).append(report)
    return [InboxGroup(label=index, cases=cases,
                       collective=len({c.reporter_tag for c in cases}) > 1 or not all(
                           c.send_now for c in cases))
            for index, cases in enumerate(grouped.values(), start=1)]


def case_summary(handler: Person, report_id: Any) -> Report:
    """A case in HANDLER's inbox, without content (404 to anyone else)."""
    _require_case_handler(handler)
    report = Report.objects.filter(pk=report_id, state=ReportState.RELEASED,
                                   key_copies__handler=handler).first()
    if report is None:
        raise Http404
    return report


def open_case(handler: Person, report_id: Any, private_key: PrivateKey) -> Opened:
    """A case's content for HANDLER with their unlocked key: 404 unless it was sealed to them
    (never to the person named); the read is audited (identifiers only)."""
    report = case_summary(handler, report_id)
    copy = CaseKeyCopy.objects.get(report=report, handler=handler)
    try:
        content_key = keys.open_sealed_to_me(private_key, copy.sealed_key)
    except keys.WrongSecret:
        raise Refused(_("Your unlocked key does not open this case.")) from None
    content, number = _content(report, content_key)
    notes = [(note.created_at, note.author.name if note.author else "",
              escrow.open_text(content_key, note.sealed, bound_to=f"note:{note.pk}"))
             for note in CaseNote.objects.filter(report=report).select_related("author")]
    audit(action=ReportAudit.CASE_READ, actor=handler, object_type="report",
          object_id=report.pk)
    group_size = Report.objects.filter(named_tag=report.named_tag,
                                       state=ReportState.RELEASED).count()
    return Opened(report=report, content_key=content_key, content=content, version=number,
                  messages=_messages(report, content_key), notes=notes,
                  outcome=_outcome(report, content_key), group_size=group_size)


# --- Programme view -----------------------------------------------------------------------

@dataclass(frozen=True)
class ProgrammeCounts:
    by_state: kanon.Table
    acknowledgement: kanon.Table
    k: int


def _acknowledgement_bucket(report: Report, now: datetime) -> str:
    due = report.acknowledge_due or now
    if report.acknowledged_at is not None:
        return "on time" if report.acknowledged_at <= due else "late"
    return "overdue" if now > due else "waiting"


def programme_counts(viewer: Person) -> ProgrammeCounts:
    """Counts for coordinators, k-anonymous over distinct reporters (their tags): reports by
    state, and acknowledgement against its deadline. Nothing else about any report."""
    if not viewer.roles & {Role.COORDINATOR, Role.ADMINISTRATOR}:
        raise Refused(_("Only coordinators and administrators see the programme's counts."))
    now = timezone.now()
    rows = []
    acknowledged = []
    for report in Report.objects.only("reporter_tag", "state", "case_state", "acknowledge_due",
                                      "acknowledged_at"):
        if report.state == ReportState.RELEASED:
            key = str(CaseState(report.case_state).label)
            acknowledged.append((_acknowledgement_bucket(report, now), report.reporter_tag))
        else:
            key = str(ReportState(report.state).label)
        rows.append((key, report.reporter_tag))
    return ProgrammeCounts(by_state=kanon.tabulate(rows), acknowledgement=kanon.tabulate(
        acknowledged), k=kanon.min_group_size())


def settings_row() -> SpeakupSettings:
    return SpeakupSettings.load()
