"""The coordinators' programme page and the administrators' programme settings. Every
figure about colleagues goes through haven.core.kanon; nothing here reads content."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.core import kanon
from haven.core.charts import bar_chart
from haven.core.forms import errors_to_form
from haven.core.models import Location, Person, Role
from haven.support import offers, profiles, selectors
from haven.support.forms import ProgrammeSettingsForm
from haven.support.models import Conversation, Offer, SupporterProfile, SupportRequest
from haven.support.programme import programme_settings, update_programme_settings

RESPONSE_BUCKETS = [(timedelta(hours=1), "< 1 h"), (timedelta(hours=4), "1–4 h"),
                    (timedelta(hours=8), "4–8 h"), (timedelta(hours=24), "8–24 h"),
                    (None, "> 24 h")]


def _bucket(elapsed: timedelta) -> str:
    for limit, label in RESPONSE_BUCKETS:
        if limit is None or elapsed < limit:
            return label
    return RESPONSE_BUCKETS[-1][1]


def _supporter_rows() -> list[dict[str, object]]:
    """Per supporter: their own load and reliability (about them, not about colleagues)."""
    open_counts = dict(Conversation.objects.filter(state=Conversation.State.OPEN)
                       .values("supporter").annotate(n=Count("id"))
                       .values_list("supporter", "n"))
    follow_through = selectors.follow_through_by_supporter()
    rows = []
    supporters = (Person.objects.filter(role_grants__role=Role.SUPPORTER)
                  .select_related("supporter_profile", "team").order_by("name"))
    for person in supporters:
        profile = getattr(person, "supporter_profile", None)
        kept, settled = follow_through.get(person.pk, (0, 0))
        rows.append({
            "person": person, "profile": profile,
            "open": open_counts.get(person.pk, 0),
            "follow_through": f"{round(100 * kept / settled)}% ({kept}/{settled})"
            if settled else "—",
            "away": profile.is_away() if profile else False,
        })
    return rows


@require_GET
def programme(request: HttpRequest) -> HttpResponse:
    requests_by_state = kanon.tabulate(
        (row["state"], row["requester_id"])
        for row in SupportRequest.objects.values("state", "requester_id"))
    answered = SupportRequest.objects.filter(first_response_at__isnull=False).values(
        "requester_id", "created_at", "first_response_at")
    response_times = kanon.tabulate(
        (_bucket(row["first_response_at"] - row["created_at"]), row["requester_id"])
        for row in answered)
    feedback = kanon.tabulate(selectors.feedback_by_topic())
    return_rate = kanon.tabulate(
        (("all"), row["colleague_id"], 1.0 if row["would_return"] else 0.0)
        for row in Conversation.objects.filter(would_return__isnull=False).values(
            "colleague_id", "would_return"))
    chart = bar_chart(
        _("Time to first response (requests)"),
        [(label, None if (cell := response_times.cells.get(label)) is None or cell.suppressed
          else cell.records) for _limit, label in RESPONSE_BUCKETS
         if label in response_times.cells])
    # Operational counts go through the helper too: with a handful of requests they would
    # reveal what the hidden by-state cells hide.
    outstanding = kanon.tabulate(
        ("outstanding", requester) for requester in Offer.objects.filter(
            offers.open_offer_filter()).values_list("request__requester_id", flat=True))
    past_target = kanon.tabulate(
        ("past target", requester) for requester in SupportRequest.objects.filter(
            Q(state=SupportRequest.State.WAITING) | Q(state=SupportRequest.State.OFFERED),
            first_response_due__lt=timezone.now()).values_list("requester_id", flat=True))
    recent_offers = Offer.objects.select_related("supporter").order_by("-offered_at")[:20]
    topic_labels = {**dict(programme_settings().topic_choices()),
                    "": _("Erased conversations")}
    return render(request, "support/programme.html", {
        "requests_by_state": [(SupportRequest.State(key).label, cell)
                              for key, cell in requests_by_state.cells.items()],
        "requests_total": requests_by_state.total,
        "outstanding_offers": outstanding.total,
        "recent_offers": recent_offers,
        "chart": chart,
        # Every bar hidden: the chart would be an empty axis; the page says why instead.
        "chart_all_hidden": all(cell.suppressed for cell in response_times.cells.values()),
        "feedback": [(topic_labels.get(topic, topic), cell)
                     for topic, cell in feedback.cells.items()],
        "feedback_total": feedback.total,
        "return_rate": return_rate.total,
        "supporters": _supporter_rows(),
        "past_target": past_target.total,
        "footnote": kanon.footnote(),
        "can_approve": True,
    })


@require_POST
def approve(request: HttpRequest, person_id: int) -> HttpResponse:
    profile = SupporterProfile.objects.filter(person_id=person_id,
                                              person__role_grants__role=Role.SUPPORTER).first()
    if profile is None:
        raise Http404
    profiles.approve_supporter(profile=profile, actor=request.user)
    messages.success(request, _("%(name)s is approved to take requests.")
                     % {"name": profile.person.name})
    return redirect("programme")


@require_http_methods(["GET", "POST"])
def programme_settings_page(request: HttpRequest) -> HttpResponse:
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
