"""Pages for recognition and thanks: thin views over haven.connect.recognition (writes),
haven.connect.recognition_selectors and haven.connect.insight (reads)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.connect import insight, recognition
from haven.connect import recognition_selectors as selectors
from haven.connect.recognition_forms import (
    GiveForm,
    ModerateForm,
    PreferencesForm,
    ReactForm,
    ValueActiveForm,
    ValueForm,
)
from haven.connect.recognition_models import RecognitionStatus
from haven.core.selectors import MAX_ID
from haven.core.views import _form_errors_to


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    return render(request, "connect/recognition/feed.html", {
        "items": selectors.feed(viewer=request.user),
        "held": RecognitionStatus.HELD, "rejected": RecognitionStatus.REJECTED})


@require_http_methods(["GET", "POST"])
def give(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = GiveForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                given = recognition.give_recognition(
                    giver=request.user, recipient_email=data["recipient_email"],
                    team=data["team"], value_ids=[value.pk for value in data["values"]],
                    message=data["message"], audience=data["audience"])
            except ValidationError as error:
                _form_errors_to(form, error)
            else:
                if given.status == RecognitionStatus.HELD:
                    messages.warning(request, _(
                        "Your recognition is waiting for a coordinator because %(reason)s. "
                        "Only you can see it until they decide.") % {
                            "reason": given.held_reason})
                else:
                    messages.success(request, _("Thank you for recognising a colleague."))
                return redirect("recognition_feed")
        status = 400
    else:
        form = GiveForm()
    return render(request, "connect/recognition/give.html", {"form": form}, status=status)


@require_POST
def react(request: HttpRequest, recognition_id: int) -> HttpResponse:
    found = selectors.recognition_for(viewer=request.user, recognition_id=recognition_id)
    form = ReactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reaction from the list."))
        return redirect("recognition_feed")
    recognition.toggle_reaction(person=request.user, recognition=found,
                                kind=form.cleaned_data["kind"])
    return redirect(f"{reverse('recognition_feed')}#recognition-{found.pk}")


@require_GET
def moderation(request: HttpRequest) -> HttpResponse:
    return render(request, "connect/recognition/moderation.html",
                  {"held": selectors.held_for_moderation()})


@require_POST
def moderate(request: HttpRequest, recognition_id: int) -> HttpResponse:
    target = selectors.recognition_to_moderate(recognition_id)
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose publish or reject."))
        return redirect("recognition_moderation")
    publish = form.cleaned_data["decision"] == "publish"
    try:
        recognition.moderate(coordinator=request.user, recognition_id=target.pk,
                             publish=publish, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Published.") if publish else _("Rejected."))
    return redirect("recognition_moderation")


@require_http_methods(["GET", "POST"])
def values(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ValueForm(request.POST)
        if form.is_valid():
            try:
                recognition.add_value(name=form.cleaned_data["name"],
                                      description=form.cleaned_data["description"])
            except ValidationError as error:
                _form_errors_to(form, error)
            else:
                messages.success(request, _("Value added."))
                return redirect("recognition_values")
        status = 400
    else:
        form = ValueForm()
    return render(request, "connect/recognition/values.html",
                  {"form": form, "values": selectors.all_values()}, status=status)


@require_POST
def value_active(request: HttpRequest, value_id: int) -> HttpResponse:
    form = ValueActiveForm(request.POST)
    if not 0 < value_id <= MAX_ID or not form.is_valid():
        raise Http404
    if not recognition.set_value_active(value_id=value_id, active=form.cleaned_data["active"]):
        raise Http404
    messages.success(request, _("Saved."))
    return redirect("recognition_values")


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            recognition.save_preferences(person=request.user, **form.cleaned_data)
            messages.success(request, _("Your choices are saved."))
            return redirect("recognition_settings")
    current = recognition.preferences_of(request.user)
    form = PreferencesForm(initial={"celebrate_milestones": current.celebrate_milestones,
                                    "weekly_digest": current.weekly_digest})
    return render(request, "connect/recognition/settings.html", {"form": form})


@require_GET
def insight_page(request: HttpRequest) -> HttpResponse:
    return render(request, "connect/recognition/insight.html",
                  {"report": insight.inclusion_report()})
