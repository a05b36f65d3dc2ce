"""Pages for coffee pairings: thin views over services and selectors."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.coffee import selectors, services
from haven.coffee.forms import BlockForm, CoffeeSettingsForm, MetForm, ProfileForm, RunRoundForm
from haven.coffee.invitations import invitation_ics
from haven.coffee.models import COFFEE_EMAIL
from haven.core.email_kinds import wants_email
from haven.core.forms import errors_to_form
from haven.core.http import SignedInRequest
from haven.core.models import Role
from haven.core.pages import posted, settings_page


@require_GET
def coffee_home(request: SignedInRequest) -> HttpResponse:
    profile = selectors.profile_of(request.user)
    return render(request, "coffee/home.html", {
        "profile": profile,
        "groups": selectors.my_groups(person=request.user, now=timezone.now()),
        # Only for someone still taking part: "the next round includes you" must be true.
        "unpaired": selectors.latest_skip(request.user) if profile and profile.active else None,
        "met_form": MetForm(),
        "emails_off": not wants_email(person_id=request.user.pk, kind=COFFEE_EMAIL.key),
    })


@require_http_methods(["GET", "POST"])
def coffee_settings(request: SignedInRequest) -> HttpResponse:
    profile = selectors.profile_of(request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.save_profile(person=request.user, active=data["active"],
                                      frequency=data["frequency"], mode=data["mode"],
                                      location=data["location"])
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("You are taking part in coffee pairings.")
                                 if data["active"] else
                                 _("You are not taking part in coffee pairings for now."))
                return redirect("coffee_home")
        status = 400
    else:
        initial: dict[str, Any] = {"location": request.user.location_id}
        if profile is not None:
            initial = {"active": "yes" if profile.active else "no",
                       "frequency": profile.frequency, "mode": profile.mode,
                       "location": profile.location_id or request.user.location_id}
        form = ProfileForm(initial=initial)
        status = 200
    return render(request, "coffee/settings.html", {"form": form, "profile": profile},
                  status=status)


@require_http_methods(["GET", "POST"])
def blocks(request: SignedInRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = BlockForm(request.POST)
        if form.is_valid():
            try:
                services.block(person=request.user, email=form.cleaned_data["person"].email)
            except ValidationError as error:
                errors_to_form(form, error, renamed={"email": "person"})
            else:
                messages.success(request, _("Done. You will not be paired with them."))
                return redirect("coffee_blocks")
        status = 400
    else:
        form = BlockForm()
    return render(request, "coffee/blocks.html",
                  {"form": form, "blocks": selectors.blocks_of(request.user)}, status=status)


@require_POST
def unblock(request: SignedInRequest, block_id: int) -> HttpResponse:
    if services.unblock(person=request.user, block_id=block_id):
        messages.success(request, _("Removed from your list."))
    return redirect("coffee_blocks")


@require_GET
def invitation(request: SignedInRequest, group_id: int) -> HttpResponse:
    group = selectors.group_for(viewer=request.user, group_id=group_id)
    response = HttpResponse(invitation_ics(group, selectors.members_of(group)),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coffee-{group.pk}.ics"'
    return response


@require_POST
def met(request: SignedInRequest, group_id: int) -> HttpResponse:
    group = selectors.group_for(viewer=request.user, group_id=group_id)
    form = MetForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose yes or no."))
        return redirect("coffee_home")
    services.answer_met(person=request.user, group=group, met=form.cleaned_data["met"])
    messages.success(request, _("Thank you for letting us know."))
    return redirect("coffee_home")


@require_http_methods(["GET", "POST"])
def rounds(request: SignedInRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = RunRoundForm(request.POST)
        if form.is_valid():
            pairing_round = services.run_round(
                run_by=request.user, submission_id=str(form.cleaned_data["submission_id"]))
            groups = ngettext("%(n)d group made", "%(n)d groups made",
                              pairing_round.groups_made) % {"n": pairing_round.groups_made}
            unpaired = ngettext("%(n)d person unpaired", "%(n)d people unpaired",
                                pairing_round.unpaired) % {"n": pairing_round.unpaired}
            messages.success(request, _("The round has run: %(groups)s, %(unpaired)s.")
                             % {"groups": groups, "unpaired": unpaired})
            return redirect("coffee_rounds")
        status = 400
        if "submission_id" in form.errors:
            del form.errors["submission_id"]
            data = cast(QueryDict, form.data).copy()  # bound to request.POST
            data["submission_id"] = str(uuid.uuid4())
            form.data = data
    else:
        form = RunRoundForm(initial={"submission_id": uuid.uuid4()})
    return render(request, "coffee/rounds.html", {
        "form": form, "participation": selectors.participation(),
        "summaries": selectors.round_summaries(),
        "next_round": selectors.next_scheduled_round(timezone.now()),
        "zone": settings.TIME_ZONE,
        "may_change_settings": request.user.has_role(Role.ADMINISTRATOR)}, status=status)


@require_http_methods(["GET", "POST"])
def round_settings(request: SignedInRequest) -> HttpResponse:
    """The administrators' coffee settings: the schedule and the no-repeat window."""
    current = selectors.coffee_settings()
    form = CoffeeSettingsForm(posted(request), zone=settings.TIME_ZONE, initial={
        "schedule_enabled": "yes" if current.schedule_enabled else "no",
        "weekday": current.weekday, "hour": current.hour,
        "no_repeat_rounds": current.no_repeat_rounds})
    return settings_page(
        request, form=form, saved=_("Coffee settings saved."),
        save=partial(services.update_coffee_settings, actor=request.user),
        template="coffee/round_settings.html", context={
            "next_round": selectors.next_scheduled_round(timezone.now()),
            "zone": settings.TIME_ZONE})
