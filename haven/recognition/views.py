"""Pages for recognition and thanks: thin views over haven.recognition.services and
haven.recognition.comments (writes) and haven.recognition.selectors (reads)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.core.email_kinds import wants_email
from haven.core.forms import errors_to_form
from haven.core.http import SignedInRequest
from haven.core.idempotency import already_sent, submit_once
from haven.core.selectors import MAX_ID
from haven.recognition import comments as recognition_comments
from haven.recognition import selectors
from haven.recognition import services as recognition
from haven.recognition.forms import (
    CommentForm,
    GiveForm,
    ModerateForm,
    PreferencesForm,
    ReactForm,
    ValueActiveForm,
    ValueForm,
)
from haven.recognition.models import (
    DIGEST_EMAIL,
    Recognition,
    RecognitionComment,
    RecognitionStatus,
)

STATES = {"held": RecognitionStatus.HELD, "rejected": RecognitionStatus.REJECTED}


def _say_outcome(request: SignedInRequest, written: Recognition | RecognitionComment, *,
                 held: str, published: str) -> None:
    """Tell the author at once whether what they wrote is published or held, and why."""
    if written.status == RecognitionStatus.HELD:
        messages.warning(request, held % {"reason": written.held_reason})
    else:
        messages.success(request, published)


@require_GET
def feed(request: SignedInRequest) -> HttpResponse:
    page, items = selectors.feed_page(viewer=request.user, number=request.GET.get("page"))
    return render(request, "recognition/feed.html", {"items": items, "page": page, **STATES})


def _detail_page(request: SignedInRequest, recognition_id: int, form: CommentForm,
                 status: int = 200) -> HttpResponse:
    return render(request, "recognition/detail.html", {
        "item": selectors.shown_recognition(viewer=request.user,
                                            recognition_id=recognition_id),
        "form": form, **STATES}, status=status)


@require_GET
def detail(request: SignedInRequest, recognition_id: int) -> HttpResponse:
    return _detail_page(request, recognition_id, CommentForm())


@require_POST
def comment(request: SignedInRequest, recognition_id: int) -> HttpResponse:
    found = selectors.readable_recognition(viewer=request.user, recognition_id=recognition_id)
    form = CommentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            outcome = submit_once(
                person=request.user, form=form, name=f"recognition.comment:{found.pk}",
                make=lambda: recognition_comments.post_comment(
                    author=request.user, recognition=found,
                    message=form.cleaned_data["message"]),
                shown_at=recognition_comments.comment_path)
        except recognition_comments.TooManyComments as error:
            form.add_error(None, error)
            status = 429
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            if outcome.made is None:
                return already_sent(request, outcome)
            posted = outcome.made
            _say_outcome(request, posted, held=_(
                "Your comment is waiting for a coordinator because %(reason)s. Only you can "
                "see it until they decide, and we will e-mail you their decision."),
                published=_("Your comment is posted."))
            return redirect(recognition_comments.comment_path(posted))
    return _detail_page(request, found.pk, form, status)


def _back_to(request: SignedInRequest, recognition_id: int) -> str:
    """The recognition's page, or the feed when the viewer is no longer in its audience."""
    try:
        selectors.readable_recognition(viewer=request.user, recognition_id=recognition_id)
    except Http404:
        return reverse("recognition_feed")
    return reverse("recognition_detail", args=[recognition_id])


@require_http_methods(["GET", "POST"])
def comment_delete(request: SignedInRequest, comment_id: int) -> HttpResponse:
    """GET asks for a confirmation; POST deletes."""
    own = selectors.own_comment(viewer=request.user, comment_id=comment_id)
    back = _back_to(request, own.recognition_id)
    if request.method == "GET":
        return render(request, "recognition/comment_delete.html",
                      {"comment": own, "back": back})
    try:
        recognition_comments.delete_comment(author=request.user, comment=own)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your comment is deleted."))
    return redirect(back)


@require_http_methods(["GET", "POST"])
def give(request: SignedInRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = GiveForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            recipient = data["recipient"]
            try:
                outcome = submit_once(
                    person=request.user, form=form,
                    make=lambda: recognition.give_recognition(
                        giver=request.user, recipient_email=recipient.email if recipient else "",
                        team=data["team"], value_ids=[value.pk for value in data["values"]],
                        message=data["message"], audience=data["audience"]),
                    shown_at=lambda given: f"{reverse('recognition_feed')}"
                                           f"#recognition-{given.pk}")
            except ValidationError as error:
                errors_to_form(form, error, renamed={"recipient_email": "recipient"})
            else:
                if outcome.made is None:
                    return already_sent(request, outcome)
                given = outcome.made
                _say_outcome(request, given, held=_(
                    "Your recognition is waiting for a coordinator because %(reason)s. Only "
                    "you can see it until they decide, and we will e-mail you their decision."),
                    published=_("Thank you for recognising a colleague."))
                return redirect("recognition_feed")
        status = 400
    else:
        form = GiveForm()
    return render(request, "recognition/give.html", {"form": form}, status=status)


@require_POST
def react(request: SignedInRequest, recognition_id: int) -> HttpResponse:
    found = selectors.recognition_for(viewer=request.user, recognition_id=recognition_id)
    form = ReactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reaction from the list."))
        return redirect("recognition_feed")
    recognition.toggle_reaction(person=request.user, recognition=found,
                                kind=form.cleaned_data["kind"])
    return redirect(f"{reverse('recognition_feed')}#recognition-{found.pk}")


def _moderation_page(request: SignedInRequest, failed: dict[str, Any] | None = None,
                     status: int = 200) -> HttpResponse:
    """The queue. FAILED names the decision that was refused (kind and pk), with the reason
    as typed and the error, so the coordinator corrects it in place."""
    return render(request, "recognition/moderation.html", {
        "held": selectors.held_for_moderation(), "comments": selectors.held_comments(),
        "failed": failed or {}, "reason_max": recognition.REASON_MAX}, status=status)


@require_GET
def moderation(request: SignedInRequest) -> HttpResponse:
    return _moderation_page(request)


def _decide(request: SignedInRequest, kind: str, pk: int,
            decide: Callable[..., Any]) -> HttpResponse:
    form = ModerateForm(request.POST)
    if not form.is_valid():
        if "reason" in form.errors:  # e.g. a character that cannot be stored: kept, with why
            return _moderation_page(request, {
                "kind": kind, "pk": pk, "reason": form.data.get("reason", ""),
                "error": " ".join(map(str, form.errors["reason"]))}, status=400)
        messages.error(request, _("Choose publish or reject."))
        return redirect("recognition_moderation")
    publish = form.cleaned_data["decision"] == "publish"
    try:
        decide(coordinator=request.user, publish=publish,
               reason=form.cleaned_data["reason"])
    except ValidationError as error:
        if "reason" in getattr(error, "error_dict", {}):
            return _moderation_page(request, {
                "kind": kind, "pk": pk, "reason": form.cleaned_data["reason"],
                "error": " ".join(error.message_dict["reason"])}, status=400)
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Published. Its author will get an e-mail.") if publish
                         else _("Not published. Its author will get an e-mail with your "
                                "reason."))
    return redirect("recognition_moderation")


@require_POST
def moderate(request: SignedInRequest, recognition_id: int) -> HttpResponse:
    target = selectors.recognition_to_moderate(recognition_id)
    return _decide(request, "recognition", target.pk, lambda **decision: recognition.moderate(
        recognition_id=target.pk, **decision))


@require_POST
def comment_moderate(request: SignedInRequest, comment_id: int) -> HttpResponse:
    target = selectors.comment_to_moderate(comment_id)
    return _decide(request, "comment", target.pk,
                   lambda **decision: recognition_comments.moderate_comment(
                       comment_id=target.pk, **decision))


@require_http_methods(["GET", "POST"])
def values(request: SignedInRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ValueForm(request.POST)
        if form.is_valid():
            try:
                outcome = submit_once(
                    person=request.user, form=form,
                    make=lambda: recognition.add_value(
                        name=form.cleaned_data["name"],
                        description=form.cleaned_data["description"]),
                    shown_at=lambda value: reverse("recognition_values"))
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                if outcome.repeated:
                    return already_sent(request, outcome)
                messages.success(request, _("Value added."))
                return redirect("recognition_values")
        status = 400
    else:
        form = ValueForm()
    return render(request, "recognition/values.html",
                  {"form": form, "values": selectors.all_values()}, status=status)


@require_POST
def value_active(request: SignedInRequest, value_id: int) -> HttpResponse:
    form = ValueActiveForm(request.POST)
    if not 0 < value_id <= MAX_ID or not form.is_valid():
        raise Http404
    if not recognition.set_value_active(value_id=value_id, active=form.cleaned_data["active"]):
        raise Http404
    messages.success(request, _("Saved."))
    return redirect("recognition_values")


@require_http_methods(["GET", "POST"])
def preferences(request: SignedInRequest) -> HttpResponse:
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            recognition.save_preferences(person=request.user, **form.cleaned_data)
            messages.success(request, _("Your choices are saved."))
            return redirect("recognition_settings")
    current = recognition.preferences_of(request.user)
    form = PreferencesForm(initial={
        "celebrate_milestones": current.celebrate_milestones,
        "weekly_digest": wants_email(person_id=request.user.pk, kind=DIGEST_EMAIL.key)})
    return render(request, "recognition/settings.html", {"form": form})
