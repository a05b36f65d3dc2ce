"""Pages for reports (colleagues), the receipt-code page (anyone holding a code), case
handlers' keys and cases, the programme's counts and the settings: thin views over
reports.services and reports.selectors (docs/speakup-reports.md)."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from nacl.public import PrivateKey

from haven.core import kanon
from haven.core.audit import audit, ip_hash_of
from haven.core.forms import errors_to_form
from haven.core.http import SignedInRequest
from haven.core.idempotency import submit_once
from haven.core.middleware import leave_session_untouched
from haven.core.pages import posted, settings_page
from haven.speakup.models import CaseState, ReportAudit, ReportState
from haven.speakup.reports import keys, selectors, services, throttle
from haven.speakup.reports.forms import (
    CaseStateForm,
    ChangePassphraseForm,
    EditReportForm,
    HandlerMessageForm,
    NoteForm,
    ReceiptCodeForm,
    RecoverKeysForm,
    ReporterMessageForm,
    ReportForm,
    SetUpKeysForm,
    SpeakupSettingsForm,
    UnlockForm,
)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


# --- Reporters ----------------------------------------------------------------------------

@require_GET
def my_reports(request: SignedInRequest) -> HttpResponse:
    return render(request, "speakup/reports/mine.html", {
        "reports": selectors.my_reports(request.user),
        "threshold": selectors.settings_row().threshold, "HELD": ReportState.HELD})


@never_cache
@require_http_methods(["GET", "POST"])
def new_report(request: SignedInRequest) -> HttpResponse:
    threshold = selectors.settings_row().threshold
    form = ReportForm(posted(request), threshold=threshold)
    status = 200
    if request.method == "POST":
        leave_session_untouched(request)  # the session row must not record when one reported
        if form.is_valid():
            data = form.cleaned_data
            named = data["named_person"]
            try:
                # Recorded as an anonymous submission: the record points at the reporter's
                # list, not the report, and keeps no tag of what was written.
                outcome = submit_once(
                    person=request.user, form=form, anonymous=True,
                    make=lambda: services.file_report(
                        reporter=request.user, named_person_id=named.pk if named else None,
                        named_text=data["named_text"], what=data["what"], when=data["when"],
                        where=data["where"], send_now=data["rule"] == "now",
                        anonymous=data["identity"] == "anonymous"),
                    shown_at=lambda filed: reverse("speakup_reports"))
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                if outcome.made is None:
                    # The receipt code was shown once and is stored nowhere: it cannot be
                    # shown again.
                    messages.info(request, _(
                        "You had already sent this, so it was filed once, not twice. Its "
                        "receipt code was shown only once, when you filed it."))
                    return redirect(outcome.shown_at)
                filed = outcome.made
                # The code is shown here, once, and never stored: no redirect to a page
                # that could show it again.
                return _no_store(render(request, "speakup/reports/filed.html", {
                    "filed": filed, "threshold": threshold,
                    "released": filed.report.state == ReportState.RELEASED}))
        status = 400
    return render(request, "speakup/reports/new.html", {"form": form, "threshold": threshold},
                  status=status)


def _report_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _with_report_id(view: Any) -> Any:
    """Routes take the report's id as text (the access-table test walks every route with a
    made-up value); anything that is not a UUID is a 404 here."""
    @functools.wraps(view)
    def wrapped(request: HttpRequest, report_id: str) -> HttpResponse:
        parsed = _report_id(report_id)
        if parsed is None:
            raise Http404
        return view(request, parsed)
    return wrapped


@_with_report_id
@require_http_methods(["GET", "POST"])
def withdraw_report(request: SignedInRequest, report_id: uuid.UUID) -> HttpResponse:
    """Ask, then withdraw (no code needed: the reporter is signed in)."""
    mine = {report.pk: report for report in selectors.my_reports(request.user)}
    report = mine.get(report_id)
    if report is None or report.state != ReportState.HELD:
        return render(request, "speakup/reports/withdraw.html", {"report": None}, status=404)
    if request.method == "POST":
        leave_session_untouched(request)
        services.withdraw_report(reporter=request.user, report_id=report.pk)
        messages.success(request, _("Your report is withdrawn. Nothing of it can be opened "
                                    "again, and it no longer counts."))
        return redirect("speakup_reports")
    return render(request, "speakup/reports/withdraw.html", {"report": report})


def _receipt_page(request: HttpRequest, *, opened: selectors.Opened | None,
                  code_form: ReceiptCodeForm | None = None,
                  edit_form: EditReportForm | None = None,
                  reply_form: ReporterMessageForm | None = None,
                  status: int = 200) -> HttpResponse:
    context: dict[str, Any] = {"opened": opened, "code_form": code_form or ReceiptCodeForm()}
    if opened is not None:
        code = request.POST.get("code", "")
        content = opened.content
        context["edit_form"] = edit_form or EditReportForm(initial={
            "code": code, "what": content.get("what", ""), "when": content.get("when", ""),
            "where": content.get("where", "")})
        context["reply_form"] = reply_form or ReporterMessageForm(initial={"code": code})
        context["held"] = opened.report.state == ReportState.HELD
        context["closed"] = opened.report.case_state == CaseState.CLOSED
    return _no_store(render(request, "speakup/reports/receipt.html", context, status=status))


@dataclass(frozen=True)
class _CodeAnswer:
    opened: selectors.Opened | None
    why: str = ""
    status: int = 200  # 400 for a code that opens nothing, 429 when throttled


def _open_with_code(request: HttpRequest, code: str) -> _CodeAnswer:
    """The opened report, or why not: throttled per address and overall; a wrong code and an
    unknown one get the same answer."""
    address = ip_hash_of(request)
    if throttle.blocked(address):
        return _CodeAnswer(None, _("Too many codes were tried from here. Wait 15 minutes and "
                                   "try again."), 429)
    opened = selectors.open_as_reporter(code)
    if opened is None:
        throttle.record_failure(address)
        audit(action=ReportAudit.RECEIPT_CODE_REFUSED, object_type="receipt_code")
        return _CodeAnswer(None, _("That code does not open a report. Check it and try again; "
                                   "codes are 25 letters and digits."), 400)
    services.share_missing_copies(report=opened.report, content_key=opened.content_key)
    return _CodeAnswer(opened)


@never_cache
@require_http_methods(["GET", "POST"])
def receipt(request: HttpRequest) -> HttpResponse:
    """The public page where a reporter returns with the receipt code (signed in or not)."""
    leave_session_untouched(request)
    if request.method != "POST":
        return _receipt_page(request, opened=None)
    form = ReceiptCodeForm(request.POST)
    if not form.is_valid():
        return _receipt_page(request, opened=None, code_form=form, status=400)
    answer = _open_with_code(request, form.cleaned_data["code"])
    if answer.opened is None:
        form.add_error("code", answer.why)
        return _receipt_page(request, opened=None, code_form=form, status=answer.status)
    return _receipt_page(request, opened=answer.opened)


def _code_action(request: HttpRequest, form: ReporterMessageForm | EditReportForm,
                 act: Any, done: str) -> HttpResponse:
    """Check the code first (throttled, counted once), then act with it."""
    leave_session_untouched(request)
    code = request.POST.get("code", "")
    code_form = ReceiptCodeForm({"code": code})
    if not code_form.is_valid():  # a code that cannot even be text: say why, beside it
        return _receipt_page(request, opened=None, code_form=code_form, status=400)
    answer = _open_with_code(request, code_form.cleaned_data["code"])
    opened = answer.opened
    if opened is None:
        code_form.add_error("code", answer.why)
        return _receipt_page(request, opened=None, code_form=code_form, status=answer.status)
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, done)
            return _receipt_page(request, opened=selectors.open_as_reporter(code))
    if isinstance(form, ReporterMessageForm):
        return _receipt_page(request, opened=opened, status=400, reply_form=form)
    return _receipt_page(request, opened=opened, status=400, edit_form=form)


@never_cache
@require_POST
def receipt_reply(request: HttpRequest) -> HttpResponse:
    form = ReporterMessageForm(request.POST)
    return _code_action(request, form, lambda data: services.send_reporter_message(
        code=data["code"], text=data["text"]), _("Your message is sent to the case handler."))


@never_cache
@require_POST
def receipt_edit(request: HttpRequest) -> HttpResponse:
    form = EditReportForm(request.POST)
    return _code_action(request, form, lambda data: services.edit_report(
        code=data["code"], what=data["what"], when=data["when"], where=data["where"]),
        _("Your report is changed. The earlier version is kept as a version."))


# --- Case handlers: keys ------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
def case_keys(request: SignedInRequest) -> HttpResponse:
    """Set up keys (once): the recovery key is shown on the answer page only."""
    has_keys = selectors.has_keys(request.user)
    form = SetUpKeysForm(posted(request))
    status = 200
    if request.method == "POST" and not has_keys:
        if form.is_valid():
            try:
                recovery = services.set_up_keys(person=request.user,
                                                passphrase=form.cleaned_data["passphrase"],
                                                confirm=form.cleaned_data["confirm"])
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                return _no_store(render(request, "speakup/reports/recovery_key.html",
                                        {"recovery": recovery}))
        status = 400
    return render(request, "speakup/reports/keys.html", {"form": form, "has_keys": has_keys},
                  status=status)


def _keys_form_page(request: SignedInRequest, form: ChangePassphraseForm | RecoverKeysForm,
                    save: Any, template: str) -> HttpResponse:
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                save(**form.cleaned_data)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                response = redirect("case_inbox")
                keys.lock(request, response)
                messages.success(request, _("Your passphrase is changed. Unlock your keys with "
                                            "the new one."))
                return response
        status = 400
    return render(request, template, {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def case_keys_passphrase(request: SignedInRequest) -> HttpResponse:
    return _keys_form_page(
        request, ChangePassphraseForm(posted(request)),
        lambda current, new, confirm: services.change_passphrase(
            person=request.user, current=current, new=new, confirm=confirm),
        "speakup/reports/passphrase.html")


@never_cache
@require_http_methods(["GET", "POST"])
def case_keys_recover(request: SignedInRequest) -> HttpResponse:
    return _keys_form_page(
        request, RecoverKeysForm(posted(request)),
        lambda recovery_key, new, confirm: services.recover_keys(
            person=request.user, recovery_key=recovery_key, new=new, confirm=confirm),
        "speakup/reports/recover.html")


@require_http_methods(["GET", "POST"])
def case_keys_reset(request: SignedInRequest) -> HttpResponse:
    """Ask, then delete the key pair and the copies sealed to it (lost passphrase and recovery
    key)."""
    if not selectors.has_keys(request.user):
        return redirect("case_keys")
    if request.method == "POST":
        services.reset_keys(person=request.user)
        response = redirect("case_keys")
        keys.lock(request, response)
        messages.success(request, _("Your old keys are gone. Set up new ones; cases reach you "
                                    "again when a colleague who holds them opens them."))
        return response
    return render(request, "speakup/reports/reset.html")


@never_cache
@require_http_methods(["GET", "POST"])
def case_unlock(request: SignedInRequest) -> HttpResponse:
    if not selectors.has_keys(request.user):
        return redirect("case_keys")
    form = UnlockForm(posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                private = services.open_private_key(
                    person=request.user, passphrase=form.cleaned_data["passphrase"])
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                target = request.POST.get("next", "")
                report_id = _report_id(target)
                response = (redirect("case_detail", report_id=report_id) if report_id
                            else redirect("case_inbox"))
                keys.lock_into_session(request, response, private)
                return response
        status = 400
    return render(request, "speakup/reports/unlock.html", {
        "form": form, "next": request.GET.get("next", request.POST.get("next", ""))},
        status=status)


@require_POST
def case_lock(request: SignedInRequest) -> HttpResponse:
    response = redirect("case_inbox")
    keys.lock(request, response)
    messages.success(request, _("Your case keys are locked."))
    return response


# --- Case handlers: cases -----------------------------------------------------------------

@require_GET
def case_inbox(request: SignedInRequest) -> HttpResponse:
    return render(request, "speakup/reports/inbox.html", {
        "groups": selectors.inbox(request.user), "has_keys": selectors.has_keys(request.user),
        "unlocked": keys.unlocked_key(request) is not None})


def _case_page(request: SignedInRequest, report_id: uuid.UUID, private: PrivateKey, *,
               state_form: CaseStateForm | None = None, note_form: NoteForm | None = None,
               message_form: HandlerMessageForm | None = None,
               status: int = 200) -> HttpResponse:
    opened = selectors.open_case(request.user, report_id, private)
    services.share_missing_copies(report=opened.report, content_key=opened.content_key)
    current = CaseState(opened.report.case_state)
    choices = [(s.value, s.label) for s in CaseState if s in services.NEXT_STATES[current]]
    state_form = state_form or CaseStateForm()
    cast(forms.ChoiceField, state_form.fields["state"]).choices = choices
    return _no_store(render(request, "speakup/reports/case.html", {
        "opened": opened, "report": opened.report, "state_form": state_form,
        "may_move": bool(choices), "note_form": note_form or NoteForm(),
        "message_form": message_form or HandlerMessageForm(),
        "closed": current == CaseState.CLOSED}, status=status))


def _locked(request: SignedInRequest, report_id: uuid.UUID) -> HttpResponse:
    selectors.case_summary(request.user, report_id)  # 404 before saying anything else
    return redirect(f"{reverse('case_unlock')}?next={report_id}")


@_with_report_id
@require_GET
def case_detail(request: SignedInRequest, report_id: uuid.UUID) -> HttpResponse:
    private = keys.unlocked_key(request)
    if private is None:
        return _locked(request, report_id)
    return _case_page(request, report_id, private)


def _case_post(request: SignedInRequest, report_id: uuid.UUID, form: Any, kind: str,
               act: Any, done: str) -> HttpResponse:
    private = keys.unlocked_key(request)
    if private is None:
        return _locked(request, report_id)
    selectors.case_summary(request.user, report_id)
    if form.is_valid():
        try:
            act(private, form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, done)
            return redirect("case_detail", report_id=report_id)
    return _case_page(request, report_id, private, status=400, **{kind: form})


@_with_report_id
@require_POST
def case_state(request: SignedInRequest, report_id: uuid.UUID) -> HttpResponse:
    form = CaseStateForm(request.POST)
    return _case_post(request, report_id, form, "state_form", lambda private, data:
                      services.set_case_state(handler=request.user, report_id=report_id,
                                              state=data["state"], private_key=private,
                                              outcome=data["outcome"]),
                      _("The case is moved on."))


@_with_report_id
@require_POST
def case_note(request: SignedInRequest, report_id: uuid.UUID) -> HttpResponse:
    form = NoteForm(request.POST)
    return _case_post(request, report_id, form, "note_form", lambda private, data:
                      services.add_note(handler=request.user, report_id=report_id,
                                        private_key=private, text=data["text"]),
                      _("Your note is saved."))


@_with_report_id
@require_POST
def case_message(request: SignedInRequest, report_id: uuid.UUID) -> HttpResponse:
    form = HandlerMessageForm(request.POST)
    return _case_post(request, report_id, form, "message_form", lambda private, data:
                      services.send_handler_message(handler=request.user, report_id=report_id,
                                                    private_key=private, text=data["text"]),
                      _("Your message is sent. The reporter reads it when they next come "
                        "back with their receipt code."))


# --- Coordinators and administrators ------------------------------------------------------

@require_GET
def speakup_programme(request: SignedInRequest) -> HttpResponse:
    counts = selectors.programme_counts(request.user)
    return render(request, "speakup/reports/programme.html", {
        "counts": counts, "footnote": kanon.footnote(counts.k),
        "by_state": [(key, kanon.label(cell)) for key, cell in counts.by_state.cells.items()],
        "by_state_total": kanon.label(counts.by_state.total),
        "acknowledgement": [(key, kanon.label(cell))
                            for key, cell in counts.acknowledgement.cells.items()],
        "rules": selectors.settings_row()})


@require_http_methods(["GET", "POST"])
def speakup_settings(request: SignedInRequest) -> HttpResponse:
    current = selectors.settings_row()
    form = SpeakupSettingsForm(posted(request), initial={
        "threshold": current.threshold, "acknowledge_days": current.acknowledge_days,
        "feedback_days": current.feedback_days})
    return settings_page(
        request, form=form, saved=_("Speak-up settings saved."),
        save=lambda **values: services.save_speakup_settings(actor=request.user,
                                                             values=values),
        template="speakup/reports/settings.html")
