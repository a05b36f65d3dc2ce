"""Pages of the private incident journal: thin views over its services and selectors. Every
page but the verify page serves the signed-in author only, and looks their journal up by the
signed-in person, never by an id from the address: anyone else finds nothing (404)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from haven.core.audit import ip_hash_of
from haven.core.forms import errors_to_form
from haven.core.http import SignedInRequest
from haven.core.idempotency import already_sent, submit_once
from haven.core.models import Person
from haven.core.ratelimit import count_hit
from haven.speakup.journal import export, selectors, services, signing, verify
from haven.speakup.journal.attachments import max_bytes
from haven.speakup.journal.forms import ConfirmForm, EditEntryForm, EntryForm, VerifyForm

# The verify page is public: an HR person without an account checks an export there.
VERIFY_LIMIT, VERIFY_WINDOW = 20, 600  # checks per client address per ten minutes
DEFAULT_VERIFY_MAX_BYTES = 64 * 1024 * 1024


def verify_max_bytes() -> int:
    return int(getattr(settings, "HAVEN_JOURNAL_VERIFY_MAX_BYTES", DEFAULT_VERIFY_MAX_BYTES))


def _to_form(form: EntryForm | EditEntryForm, error: ValidationError) -> None:
    """The service's error, beside the field it names (its "files" is the form's
    "new_files")."""
    if hasattr(error, "error_dict") and "files" in error.error_dict:
        error = ValidationError({("new_files" if name == "files" else name): errors
                                 for name, errors in error.error_dict.items()})
    errors_to_form(form, error)


def _read_files(uploaded: list[UploadedFile]) -> list[services.NewFile]:
    """The uploaded files' bytes, each read to one byte past the limit at most (the service
    then refuses the file as too large without reading the rest)."""
    limit = max_bytes()
    return [services.NewFile(name=item.name or "", data=item.read(limit + 1))
            for item in uploaded]


@require_GET
def journal_home(request: SignedInRequest) -> HttpResponse:
    return render(request, "speakup/journal/home.html",
                  {"page": selectors.journal_page(viewer=request.user)})


@require_http_methods(["GET", "POST"])
def journal_new(request: SignedInRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                # Recorded as an anonymous submission: the record points at the journal, not
                # at the entry, and keeps no tag of what was written.
                outcome = submit_once(
                    person=request.user, form=form, anonymous=True,
                    make=lambda: services.write_entry(
                        author=request.user, entry_input=form.entry_input(),
                        new_files=_read_files(form.cleaned_data["new_files"])),
                    shown_at=lambda entry: reverse("journal"))
            except ValidationError as error:
                _to_form(form, error)
            else:
                if outcome.made is None:
                    return already_sent(request, outcome)
                entry = outcome.made
                messages.success(request, _("Saved in your journal as entry %(number)d.")
                                 % {"number": entry.number})
                return redirect("journal_entry", entry_id=entry.pk)
        status = 400
    else:
        form = EntryForm(initial={"occurred_on": timezone.localdate()})
    return render(request, "speakup/journal/entry_form.html",
                  {"form": form, "error_summary": True, "editing": None}, status=status)


@require_GET
def journal_entry(request: SignedInRequest, entry_id: str) -> HttpResponse:
    entry = selectors.entry(viewer=request.user, entry_id=entry_id)
    return render(request, "speakup/journal/entry.html",
                  {"entry": entry, "versions": list(reversed(entry.versions))})


def _initial(content: dict[str, Any]) -> dict[str, Any]:
    """The latest version as the edit form starts: directory people by work e-mail, which
    find them again even where two share a name."""
    emails = dict(Person.objects.filter(pk__in=[p["id"] for p in content["people"]])
                  .values_list("pk", "email"))
    return {"occurred_on": content["occurred_on"], "occurred_time": content["occurred_time"],
            "what": content["what"], "where": content["where"],
            "people": "\n".join(emails.get(p["id"], p["name"]) for p in content["people"]),
            "others": content["others"], "witnesses": content["witnesses"],
            "impact": content["impact"], "keep": [a["id"] for a in content["attachments"]]}


@require_http_methods(["GET", "POST"])
def journal_entry_edit(request: SignedInRequest, entry_id: str) -> HttpResponse:
    row = selectors.entry_row(viewer=request.user, entry_id=entry_id)
    entry = selectors.entry(viewer=request.user, entry_id=row.pk)
    attachments = entry.content.get("attachments", [])
    status = 200
    if request.method == "POST":
        form = EditEntryForm(request.POST, request.FILES, attachments=attachments)
        if form.is_valid():
            try:
                services.edit_entry(author=request.user, entry=row,
                                    entry_input=form.entry_input(),
                                    keep_attachments=form.cleaned_data.get("keep", []),
                                    new_files=_read_files(form.cleaned_data["new_files"]))
            except ValidationError as error:
                _to_form(form, error)
            else:
                messages.success(request, _("Saved as a new version; the earlier version is "
                                            "kept."))
                return redirect("journal_entry", entry_id=row.pk)
        status = 400
    else:
        form = EditEntryForm(initial=_initial(entry.content), attachments=attachments)
    return render(request, "speakup/journal/entry_form.html",
                  {"form": form, "error_summary": True, "editing": entry}, status=status)


@require_http_methods(["GET", "POST"])
def journal_entry_delete(request: SignedInRequest, entry_id: str) -> HttpResponse:
    row = selectors.entry_row(viewer=request.user, entry_id=entry_id)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_entry(author=request.user, entry=row)
        except ValidationError as error:
            messages.error(request, str(error.messages[0]))
        else:
            messages.success(request, _("Entry %(number)d was deleted. Its place in the chain "
                                        "remains, marked as deleted by you.")
                             % {"number": row.number})
        return redirect("journal")
    return render(request, "speakup/journal/confirm_delete.html",
                  {"form": form, "entry": row, "whole": False},
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def journal_delete(request: SignedInRequest) -> HttpResponse:
    if selectors.journal_of(request.user) is None:
        messages.info(request, _("You have no journal to delete."))
        return redirect("journal")
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.delete_journal(author=request.user)
        messages.success(request, _("Your journal was deleted. Its key was destroyed, so no "
                                    "copy of it can be read again."))
        return redirect("journal")
    return render(request, "speakup/journal/confirm_delete.html",
                  {"form": form, "entry": None, "whole": True},
                  status=400 if request.method == "POST" else 200)


@require_GET
def journal_attachment(request: SignedInRequest, entry_id: str,
                       attachment_id: str) -> HttpResponse:
    found = selectors.attachment(viewer=request.user, entry_id=entry_id,
                                 attachment_id=attachment_id)
    response = HttpResponse(found.data, content_type=found.media_type)
    extension = found.media_type.rsplit("/", 1)[-1].replace("jpeg", "jpg")
    response["Content-Disposition"] = f'attachment; filename="attachment.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


def _snapshot_or_404(request: SignedInRequest) -> selectors.Snapshot:
    snapshot = selectors.snapshot(viewer=request.user)
    if snapshot is None:
        raise Http404
    return snapshot


@require_GET
def journal_export_json(request: SignedInRequest) -> HttpResponse:
    snapshot = _snapshot_or_404(request)
    document = export.document(snapshot)
    services.record_export(author=request.user, journal=snapshot.journal, kind="json",
                           records=len(snapshot.records))
    response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=1),
                            content_type="application/json; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="journal-{day}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def journal_export_pdf(request: SignedInRequest) -> HttpResponse:
    snapshot = _snapshot_or_404(request)
    made = export.pdf(snapshot, author_name=request.user.name)
    services.record_export(author=request.user, journal=snapshot.journal, kind="pdf",
                           records=len(snapshot.records))
    response = HttpResponse(made, content_type="application/pdf")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="journal-{day}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _over_verify_limit(request: HttpRequest) -> bool:
    key = "ratelimit:journal_verify:" + (ip_hash_of(request) or "unknown")
    return count_hit(key, window=VERIFY_WINDOW) > VERIFY_LIMIT


@require_http_methods(["GET", "POST"])
def journal_verify(request: HttpRequest) -> HttpResponse:
    """Public: check a JSON export against this server's signing key. Nothing is stored."""
    context: dict[str, Any] = {"public_key": signing.server_public_key(), "result": None,
                               "refusal": "", "limit_mb": verify_max_bytes() // (1024 * 1024)}
    status = 200
    form = VerifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        status = 400
        if _over_verify_limit(request):
            context["refusal"] = _("Too many checks from your address; wait a few minutes and "
                                   "try again.")
            status = 429
        elif form.is_valid():
            uploaded = form.cleaned_data["export"]
            if uploaded.size > verify_max_bytes():
                form.add_error("export", _("That file is larger than %(mb)d MB, more than any "
                                           "journal export here.")
                               % {"mb": context["limit_mb"]})
            else:
                try:
                    context["result"] = verify.verify_bytes(
                        uploaded.read(), trusted_key=context["public_key"] or "")
                    status = 200
                except verify.NotAnExport as error:
                    form.add_error("export", str(error))
        context["form"] = form
    context["form"] = form
    return render(request, "speakup/journal/verify.html", context, status=status)
