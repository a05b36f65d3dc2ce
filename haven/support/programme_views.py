"""The coordinators' programme page and the administrators' programme settings. Every
figure about colleagues goes through haven.core.kanon; nothing here reads content."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.core import kanon
from haven.core.charts import bar_chart
from haven.core.forms import errors_to_form
from haven.core.http import SignedInRequest
from haven.core.models import Location, Role
from haven.support import profiles, selectors
from haven.support.forms import ProgrammeSettingsForm
from haven.support.models import SupporterProfile, SupportRequest
from haven.support.programme import programme_settings, update_programme_settings


@require_GET
def programme(request: SignedInRequest) -> HttpResponse:
    overview = selectors.programme_overview()
    response_times = overview.response_times
    chart = bar_chart(
        _("Time to first response (requests)"),
        [(label, None if (cell := response_times.cells.get(label)) is None or cell.suppressed
          else cell.records) for _limit, label in selectors.RESPONSE_BUCKETS
         if label in response_times.cells])
    topic_labels = {**dict(programme_settings().topic_choices()),
                    "": _("Erased conversations")}
    return render(request, "support/programme.html", {
        # kanon tables key their cells by any Hashable; these two by a state and a topic.
        "requests_by_state": [(SupportRequest.State(cast(str, key)).label, cell)
                              for key, cell in overview.requests_by_state.cells.items()],
        "requests_total": overview.requests_by_state.total,
        "outstanding_offers": overview.outstanding_offers,
        "recent_offers": overview.recent_offers,
        "chart": chart,
        # Every bar hidden: the chart would be an empty axis; the page says why instead.
        "chart_all_hidden": all(cell.suppressed for cell in response_times.cells.values()),
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
    locations = list(Location.objects.all())
    if request.method == "POST":
        form = ProgrammeSettingsForm(request.POST, locations=locations)
        if form.is_valid():
            try:
                update_programme_settings(actor=request.user,
                                                   **form.cleaned_data)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("Programme settings saved."))
                return redirect("programme_settings")
    else:
        form = ProgrammeSettingsForm(locations=locations, initial={
            "topics": "\n".join(f"{slug}: {label}" for slug, label in current.topic_choices()),
            "confidentiality_text": current.confidentiality(),
            "crisis_text": current.crisis_for(None),
            "response_target_hours": current.response_target_hours,
            "offer_minutes": current.offer_minutes,
            "retention_days": current.retention_days,
            "safety_contact": current.safety_contact.email if current.safety_contact else "",
            **{f"crisis_{pk}": text for pk, text in current.crisis_by_location.items()},
        })
    return render(request, "support/programme_settings.html", {"form": form})
