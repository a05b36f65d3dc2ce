"""/api/v1/speakup: a colleague's own reports (filing, withdrawing, opening with the receipt
code, writing in the thread) and a case handler's cases. The same services and selectors as
the pages. A case's content opens only with the case handler's unlocked key, which lives in
the browser session's cookie (docs/speakup-reports.md): a personal access token alone cannot
open a case."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool, StrictInt

from haven.api.once import IdempotencyKey, create_once
from haven.api.schemas import ErrorOut, Line, StrictIn, Text
from haven.core.audit import audit, ip_hash_of
from haven.core.errors import Refused
from haven.core.http import SignedInRequest
from haven.speakup.models import CaseState, Report, ReportAudit
from haven.speakup.reports import keys, selectors, services, throttle

router = Router(tags=["speakup"])


class ReportOut(Schema):
    """One of the caller's reports: no content (that needs the receipt code)."""

    id: uuid.UUID
    filed_on: date
    state: str = Field(description="held, released or withdrawn")
    send_now: bool
    case_state: str | None = Field(description="received, acknowledged, in_review or closed "
                                               "once released; null before")

    @staticmethod
    def resolve_case_state(obj: Report) -> str | None:
        return obj.case_state if obj.state == "released" else None


class ReportIn(StrictIn):
    named_person_id: StrictInt | None = Field(
        None, description="The person's directory id; or give named_text instead.")
    named_text: Line = Field("", description="Their name, if not in the directory.")
    what: Text = Field(description="What happened, up to 8,000 characters.")
    when: Line = ""
    where: Line = ""
    send_now: StrictBool = Field(
        False, description="true: send now; false: hold until enough different people name "
                           "the same person (the threshold in the speak-up settings).")
    anonymous: StrictBool = Field(True, description="Keep the reporter's name from the case "
                                                    "handler.")


class FiledOut(Schema):
    id: uuid.UUID
    receipt_code: str = Field(description="Shown once, never stored: keep it. It opens the "
                                          "report to read, change or answer.")
    state: str
    released: int = Field(description="Reports this filing released (its own included).")
    recipients: int = Field(description="Case handlers it is sealed to now; 0: it waits.")


class CodeIn(StrictIn):
    code: Line = Field(max_length=64, description="The receipt code.")


class ReporterMessageIn(StrictIn):
    code: Line = Field(max_length=64, description="The receipt code.")
    text: Text = Field(description="Up to 4,000 characters.")


class ThreadMessageOut(Schema):
    at: datetime
    from_reporter: bool
    text: str


class OpenedReportOut(Schema):
    id: uuid.UUID
    state: str
    case_state: str
    version: int
    named: str
    what: str
    when: str
    where: str
    anonymous: bool
    messages: list[ThreadMessageOut]
    outcome: str


class CaseOut(Schema):
    """A case in the caller's inbox: metadata only."""

    id: uuid.UUID
    group: int = Field(description="Cases naming the same person share a group number.")
    send_now: bool
    case_state: str
    released_at: datetime | None
    acknowledge_due: datetime | None
    feedback_due: datetime | None
    acknowledged_at: datetime | None


class CaseDetailOut(OpenedReportOut):
    reporter_name: str | None = Field(description="null when the reporter is anonymous")
    notes: list[ThreadMessageOut] = Field(description="Private notes (from_reporter false)")
    group_size: int


class CaseStateIn(StrictIn):
    state: Line = Field(description="acknowledged, in_review or closed (with an outcome).")
    outcome: Text = ""


class TextIn(StrictIn):
    text: Text = Field(description="Up to 4,000 characters.")


def _opened_out(opened: selectors.Opened) -> dict[str, Any]:
    content = opened.content
    return {"id": opened.report.pk, "state": opened.report.state,
            "case_state": opened.report.case_state, "version": opened.version,
            "named": content["named"]["label"], "what": content["what"],
            "when": content.get("when", ""), "where": content.get("where", ""),
            "anonymous": content["anonymous"], "outcome": opened.outcome,
            "messages": [{"at": m.at, "from_reporter": m.from_reporter, "text": m.text}
                         for m in opened.messages]}


def _open_with_code(request: SignedInRequest, code: str) -> selectors.Opened:
    address = ip_hash_of(request)
    if throttle.blocked(address):
        raise Refused(_("Too many codes were tried from here. Wait 15 minutes and try again."))
    opened = selectors.open_as_reporter(code)
    if opened is None:
        throttle.record_failure(address)
        audit(action=ReportAudit.RECEIPT_CODE_REFUSED, object_type="receipt_code")
        raise ValidationError({"code": _("That code does not open a report.")})
    services.share_missing_copies(report=opened.report, content_key=opened.content_key)
    return opened


# Reporters --------------------------------------------------------------------------------

@router.get("/reports", response=list[ReportOut], url_name="speakup_reports")
def list_reports(request: SignedInRequest) -> list[Report]:
    return selectors.my_reports(request.user)


@router.post("/reports", response={201: FiledOut, 422: ErrorOut}, url_name="speakup_reports")
def file_report(request: SignedInRequest, payload: ReportIn,
                idempotency_key: IdempotencyKey = None) -> Status[FiledOut] | JsonResponse:
    """File a report. Sent again with the same Idempotency-Key it answers id null and no
    receipt code: the code is shown once, and the record of the key does not point at the
    report."""
    def filed() -> FiledOut:
        made = services.file_report(
            reporter=request.user, named_person_id=payload.named_person_id,
            named_text=payload.named_text, what=payload.what, when=payload.when,
            where=payload.where, send_now=payload.send_now, anonymous=payload.anonymous)
        return FiledOut(id=made.report.pk, receipt_code=made.receipt_code,
                        state=made.report.state, released=made.released,
                        recipients=made.recipients)

    return create_once(request, key=idempotency_key, payload=payload, make=filed,
                       made_id=lambda out: out.id, anonymous=True)


@router.post("/reports/open", response={200: OpenedReportOut, 403: ErrorOut, 422: ErrorOut},
             url_name="speakup_report_open")
def open_report(request: SignedInRequest, payload: CodeIn) -> dict[str, Any]:
    """A report opened with its receipt code (throttled: wrong codes per address and
    overall); a wrong code and a withdrawn report get the same answer."""
    return _opened_out(_open_with_code(request, payload.code))


@router.post("/reports/messages", response={201: OpenedReportOut, 403: ErrorOut,
                                            422: ErrorOut},
             url_name="speakup_report_messages")
def reporter_message(request: SignedInRequest, payload: ReporterMessageIn
                     ) -> Status[dict[str, Any]]:
    _open_with_code(request, payload.code)
    services.send_reporter_message(code=payload.code, text=payload.text)
    opened = selectors.open_as_reporter(payload.code)
    assert opened is not None
    return Status(201, _opened_out(opened))


@router.post("/reports/{report_id}/withdraw", response={204: None, 403: ErrorOut},
             url_name="speakup_report_withdraw")
def withdraw(request: SignedInRequest, report_id: uuid.UUID) -> Status[None]:
    services.withdraw_report(reporter=request.user, report_id=report_id)
    return Status(204, None)


# Case handlers ----------------------------------------------------------------------------

@router.get("/cases", response=list[CaseOut], url_name="speakup_cases")
def list_cases(request: SignedInRequest) -> list[dict[str, Any]]:
    return [{"id": case.pk, "group": group.label, "send_now": case.send_now,
             "case_state": case.case_state, "released_at": case.released_at,
             "acknowledge_due": case.acknowledge_due, "feedback_due": case.feedback_due,
             "acknowledged_at": case.acknowledged_at}
            for group in selectors.inbox(request.user) for case in group.cases]


def _unlocked(request: SignedInRequest) -> Any:
    private = keys.unlocked_key(request)
    if private is None:
        raise Refused(_("Unlock your case keys in Haven's pages first: a case opens only "
                        "with your key, which lives in your browser session."))
    return private


def _case_out(request: SignedInRequest, report_id: uuid.UUID) -> dict[str, Any]:
    opened = selectors.open_case(request.user, report_id, _unlocked(request))
    services.share_missing_copies(report=opened.report, content_key=opened.content_key)
    reporter = opened.content.get("reporter")
    return {**_opened_out(opened), "group_size": opened.group_size,
            "reporter_name": None if opened.content["anonymous"] or not reporter
            else reporter["name"],
            "notes": [{"at": at, "from_reporter": False, "text": text}
                      for at, _author, text in opened.notes]}


@router.get("/cases/{report_id}", response={200: CaseDetailOut, 403: ErrorOut, 404: ErrorOut},
            url_name="speakup_case")
def get_case(request: SignedInRequest, report_id: uuid.UUID) -> dict[str, Any]:
    """A case's content (audited), for a case handler it was sealed to, with the key
    unlocked in this browser session; 404 to anyone else, the person named included."""
    return _case_out(request, report_id)


class CaseStateOut(Schema):
    case_state: str
    next_states: list[str] = Field(description="The states this case may move to.")


@router.get("/cases/{report_id}/state", response={200: CaseStateOut, 404: ErrorOut},
            url_name="speakup_case_state")
def case_state(request: SignedInRequest, report_id: uuid.UUID) -> dict[str, Any]:
    """The case's state and where it may go next (no content: the key is not needed)."""
    report = selectors.case_summary(request.user, report_id)
    current = CaseState(report.case_state)
    return {"case_state": current.value,
            "next_states": sorted(s.value for s in services.NEXT_STATES[current])}


@router.post("/cases/{report_id}/state", response={200: CaseDetailOut, 403: ErrorOut,
                                                   404: ErrorOut, 422: ErrorOut},
             url_name="speakup_case_state")
def move_case(request: SignedInRequest, report_id: uuid.UUID,
              payload: CaseStateIn) -> dict[str, Any]:
    selectors.case_summary(request.user, report_id)
    services.set_case_state(handler=request.user, report_id=report_id, state=payload.state,
                            private_key=_unlocked(request), outcome=payload.outcome)
    return _case_out(request, report_id)


@router.get("/cases/{report_id}/messages", response={200: list[ThreadMessageOut],
                                                     403: ErrorOut, 404: ErrorOut},
            url_name="speakup_case_messages")
def case_messages(request: SignedInRequest, report_id: uuid.UUID) -> list[dict[str, Any]]:
    return list(_case_out(request, report_id)["messages"])


@router.post("/cases/{report_id}/messages", response={201: CaseDetailOut, 403: ErrorOut,
                                                      404: ErrorOut, 422: ErrorOut},
             url_name="speakup_case_messages")
def case_message(request: SignedInRequest, report_id: uuid.UUID,
                 payload: TextIn) -> Status[dict[str, Any]]:
    selectors.case_summary(request.user, report_id)
    services.send_handler_message(handler=request.user, report_id=report_id,
                                  private_key=_unlocked(request), text=payload.text)
    return Status(201, _case_out(request, report_id))


@router.get("/cases/{report_id}/notes", response={200: list[ThreadMessageOut],
                                                  403: ErrorOut, 404: ErrorOut},
            url_name="speakup_case_notes")
def case_notes(request: SignedInRequest, report_id: uuid.UUID) -> list[dict[str, Any]]:
    return list(_case_out(request, report_id)["notes"])


@router.post("/cases/{report_id}/notes", response={201: CaseDetailOut, 403: ErrorOut,
                                                   404: ErrorOut, 422: ErrorOut},
             url_name="speakup_case_notes")
def case_note(request: SignedInRequest, report_id: uuid.UUID,
              payload: TextIn) -> Status[dict[str, Any]]:
    selectors.case_summary(request.user, report_id)
    services.add_note(handler=request.user, report_id=report_id,
                      private_key=_unlocked(request), text=payload.text)
    return Status(201, _case_out(request, report_id))

