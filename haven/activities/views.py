"""Pages for activities: thin views over the activities' services and selectors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.activities import selectors
from haven.activities import services as activities
from haven.activities.forms import (
    ActivityForm,
    ActivitySettingsForm,
    CallOffForm,
    CancelPlaceForm,
    FeedbackForm,
)
from haven.activities.invitations import activity_ics
from haven.activities.models import Activity, SignupStatus
from haven.core.forms import errors_to_form
from haven.core.http import SignedInRequest
from haven.core.idempotency import already_sent, submit_once
from haven.core.models import Role
from haven.core.pages import posted, settings_page


def _first_error(error: ValidationError) -> str:
    return str(error.messages[0]) if error.messages else _("That did not work.")


@require_GET
def activity_list(request: SignedInRequest) -> HttpResponse:
    now = timezone.now()
    return render(request, "activities/list.html", {
        "upcoming": selectors.upcoming(viewer=request.user, now=now),
        "called_off": selectors.called_off(viewer=request.user, now=now),
        "past": selectors.past(viewer=request.user, now=now),
        "may_propose": activities.may_propose(request.user),
        "may_change_settings": request.user.has_role(Role.ADMINISTRATOR),
    })


@require_http_methods(["GET", "POST"])
def activity_new(request: SignedInRequest) -> HttpResponse:
    if not activities.may_propose(request.user):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = ActivityForm(request.POST)
        if form.is_valid():
            try:
                outcome = submit_once(
                    person=request.user, form=form,
                    make=lambda: activities.propose(organiser=request.user,
                                                    **form.activity_fields()),
                    shown_at=lambda made: reverse("activity_detail", args=[made.pk]))
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                if outcome.repeated:
                    return already_sent(request, outcome)
                messages.success(request, _("The activity is published."))
                return redirect(outcome.shown_at)
        status = 400
    else:
        form = ActivityForm(initial={"time_zone": request.user.time_zone or "UTC",
                                     "capacity": 10})
    return render(request, "activities/new.html", {"form": form, "error_summary": True},
                  status=status)


@require_http_methods(["GET", "POST"])
def activity_settings(request: SignedInRequest) -> HttpResponse:
    """The administrators' activity settings: whether every colleague may propose."""
    current = selectors.activity_settings()
    form = ActivitySettingsForm(posted(request), initial={
        "colleagues_may_propose": "yes" if current.colleagues_may_propose else "no"})
    return settings_page(
        request, form=form, saved=_("Activity settings saved."),
        save=partial(activities.update_activity_settings, actor=request.user),
        template="activities/settings.html")


def _managed(request: SignedInRequest, activity_id: int) -> Activity:
    """The activity, for its organiser, a coordinator or an administrator: 404 when it does
    not exist, 403 for anyone else."""
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    if not activities.may_manage(request.user, activity):
        raise PermissionDenied
    return activity


def _manage(request: SignedInRequest, activity_id: int, *, form_class: type[forms.Form],
            initial: Callable[[Activity], dict[str, Any]],
            check: Callable[[Activity, datetime], None],
            act: Callable[[Activity, Any], object], done: str, template: str,
            extra: dict[str, Any] | None = None) -> HttpResponse:
    """Changing and calling off: a GET that CHECK refuses goes back to the activity with the
    reason; a POST runs ACT with the valid form and goes back with DONE, or shows the form
    again (400) with the service's reasons beside the fields."""
    activity = _managed(request, activity_id)
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                act(activity, form)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, done)
                return redirect("activity_detail", activity.pk)
        status = 400
    else:
        try:
            check(activity, timezone.now())
        except ValidationError as error:
            messages.error(request, _first_error(error))
            return redirect("activity_detail", activity.pk)
        form = form_class(initial=initial(activity))
    return render(request, template, {"form": form, "activity": activity, **(extra or {})},
                  status=status)


@require_http_methods(["GET", "POST"])
def activity_edit(request: SignedInRequest, activity_id: int) -> HttpResponse:
    return _manage(
        request, activity_id, form_class=ActivityForm, initial=ActivityForm.initial_for,
        check=activities.check_still_open,
        act=lambda activity, form: activities.edit(editor=request.user, activity=activity,
                                                   **form.activity_fields()),
        done=_("The activity is changed. Anyone signed up is e-mailed if the time, place or "
               "title moved."),
        template="activities/new.html", extra={"error_summary": True})


@require_http_methods(["GET", "POST"])
def activity_call_off(request: SignedInRequest, activity_id: int) -> HttpResponse:
    return _manage(
        request, activity_id, form_class=CallOffForm, initial=lambda activity: {},
        check=activities.check_may_call_off,
        act=lambda activity, form: activities.call_off(organiser=request.user,
                                                       activity=activity,
                                                       note=form.cleaned_data["note"]),
        done=_("The activity is called off. Everyone signed up is being e-mailed, with the "
               "calendar update."),
        template="activities/call_off.html")


@require_GET
def activity_detail(request: SignedInRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    now = timezone.now()
    is_organiser = activity.organiser_id == request.user.pk
    return render(request, "activities/detail.html", {
        "activity": activity,
        "place": selectors.my_place(viewer=request.user, activity=activity),
        "started": activity.starts_at <= now,
        "ended": activity.ends_at <= now,
        "full": activity.going >= activity.capacity,
        "is_organiser": is_organiser,
        "may_manage": activities.may_manage(request.user, activity),
        "going_names": selectors.going_names(activity) if is_organiser else [],
        "feedback": selectors.feedback_summary(activity) if is_organiser else None,
        "cancel_form": CancelPlaceForm(),
        "feedback_form": FeedbackForm(),
    })


@require_POST
def activity_rsvp(request: SignedInRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    try:
        signup = activities.sign_up(person=request.user, activity=activity)
    except ValidationError as error:
        messages.error(request, _first_error(error))
    else:
        if signup.status == SignupStatus.GOING:
            messages.success(request, _("You have a place. It is in your calendar once you "
                                        "download the invitation."))
        else:
            messages.info(request, _("The activity is full, so you are on the waitlist. If a "
                                     "place comes free it is yours at once, and we e-mail you."))
    return redirect("activity_detail", activity.pk)


@require_POST
def activity_cancel(request: SignedInRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    form = CancelPlaceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm; you still have your place."))
        return redirect("activity_detail", activity.pk)
    try:
        activities.cancel(person=request.user, activity=activity)
    except ValidationError as error:
        messages.error(request, _first_error(error))
    else:
        messages.success(request, _("Done: you are no longer signed up."))
    return redirect("activity_detail", activity.pk)


@require_GET
def activity_invitation(request: SignedInRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    response = HttpResponse(activity_ics(activity), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="activity-{activity.pk}.ics"'
    return response


@require_POST
def activity_feedback(request: SignedInRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a score from 1 to 5."))
        return redirect("activity_detail", activity.pk)
    try:
        activities.give_feedback(person=request.user, activity=activity,
                                 score=form.cleaned_data["score"])
    except ValidationError as error:
        messages.error(request, _first_error(error))
    else:
        messages.success(request, _("Thank you for your feedback."))
    return redirect("activity_detail", activity.pk)
