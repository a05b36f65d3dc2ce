"""The coordinators' programme page and the administrators' programme settings. Every
figure about colleagues goes through haven.core.kanon; nothing here reads content."""

from __future__ import annotations

from functools import partial
from typing import cast

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.core import kanon
from haven.core.http import SignedInRequest
from haven.core.models import Location, Role
from haven.core.pages import posted, settings_page
from haven.support import profiles, selectors
from haven.support.forms import ProgrammeSettingsForm
from haven.support.models import SupporterProfile, SupportRequest
from haven.support.programme import programme_settings, update_programme_settings


@require_GET
def programme(request: SignedInRequest) -> HttpResponse:
    overview = selectors.programme_overview()
    response = selectors.response_time_chart(overview.response_times)
    topic_labels = {**dict(programme_settings().topic_choices()),
                    "": _("Erased conversations")}
    return render(request, "support/programme.html", {
        # kanon tables key their cells by any Hashable; these two by a state and a topic.
        "requests_by_state": [(SupportRequest.State(cast(str, key)).label, cell)
                              for key, cell in overview.requests_by_state.cells.items()],
        "requests_total": overview.requests_by_state.total,
        "outstanding_offers": overview.outstanding_offers,
        "recent_offers": overview.recent_offers,
        "chart": response.chart,
        "chart_all_hidden": response.all_hidden,
        "feedback": [(topic_labels.get(cast(str, topic), cast(str, topic)), cell)
                     for topic, cell in overview.feedback.cells.items()],
        "feedback_total": overview.feedback.total,
        "return_rate": overview.return_rate,
        "supporters": overview.supporters,
        "past_target": overview.past_target,
        "footnote": kanon.footnote(),
        "can_approve": True,
    })


@require_POST
def approve(request: SignedInRequest, person_id: int) -> HttpResponse:
    profile = SupporterProfile.objects.filter(person_id=person_id,
                                              person__role_grants__role=Role.SUPPORTER).first()
    if profile is None:
        raise Http404
    profiles.approve_supporter(profile=profile, actor=request.user)
    messages.success(request, _("%(name)s is approved to take requests.")
                     % {"name": profile.person.name})
    return redirect("programme")


@require_http_methods(["GET", "POST"])
def programme_settings_page(request: SignedInRequest) -> HttpResponse:
    current = programme_settings()
    form = ProgrammeSettingsForm(posted(request), locations=list(Location.objects.all()), initial={
        "topics": "\n".join(f"{slug}: {label}" for slug, label in current.topic_choices()),
        "confidentiality_text": current.confidentiality(),
        "crisis_text": current.crisis_for(None),
        "response_target_hours": current.response_target_hours,
        "offer_minutes": current.offer_minutes,
        "retention_days": current.retention_days,
        "safety_contact": current.safety_contact.email if current.safety_contact else "",
        **{f"crisis_{pk}": text for pk, text in current.crisis_by_location.items()},
    })
    # A refusal answers 200 here, as this page always has.
    return settings_page(
        request, form=form, saved=_("Programme settings saved."),
        save=partial(update_programme_settings, actor=request.user),
        template="support/programme_settings.html", refused_status=200)
