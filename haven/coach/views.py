"""Pages of the empathy coach: live feedback (in conversations and on the "try" page), practice
scenarios, and coordinators' view of progress. Drafts are analysed and forgotten: no view
stores, logs or audits the text of a reply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.coach import selectors, services
from haven.coach.engine.analysis import MAX_CHARS, Analysis, DraftTooLong, analyse
from haven.coach.forms import (
    ConversationFeedbackForm,
    FeedbackForm,
    FinishForm,
    PracticeForm,
    TryForm,
)
from haven.coach.models import MECHANISMS, RISK_FLAGS
from haven.coach.scenarios import KINDS, SCENARIOS, Scenario, next_scenario, scenario_for
from haven.core.confidential import Withheld
from haven.core.http import SignedInRequest
from haven.core.idempotency import submit_once
from haven.core.selectors import MAX_ID, parse_id
from haven.support import selectors as support_selectors

LABELS = {
    "emotional_reactions": gettext_lazy("Warmth"),
    "interpretations": gettext_lazy("Reflecting back"),
    "explorations": gettext_lazy("Open question"),
    "advice": gettext_lazy("Advice they asked for"),
    "unsolicited_advice": gettext_lazy("Advice they didn't ask for"),
    "judgement": gettext_lazy("Judgement or blame"),
    "minimising": gettext_lazy("Minimising"),
    "self_focus": gettext_lazy("Making it about you"),
    "secrecy_promise": gettext_lazy("A promise of secrecy you can't keep"),
}
LEVELS = {1: gettext_lazy("weak"), 2: gettext_lazy("strong")}
MISSING = {
    "emotional_reactions": gettext_lazy(
        "No warmth yet: say how you feel about what happened to them, in your own words."),
    "interpretations": gettext_lazy(
        "No reflection yet: name what they feel or went through, so they know you heard."),
    "explorations": gettext_lazy(
        "No open question yet: invite them to say more, e.g. “What has been the hardest "
        "part?”"),
}

SESSION_AUDITED = "coach_audited"  # the session's key for selectors.colleague_context's memory



@dataclass
class Item:
    kind: str
    label: str
    explanation: str = ""
    suggestion: str = ""
    quote: str = ""
    level: int = 1
    level_label: str = ""


@dataclass
class Feedback:
    """What the fragment shows about one draft."""

    judged: bool = True
    note: str = ""
    error: str = ""
    score: int = 0
    strengths: list[Item] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    risks: list[Item] = field(default_factory=list)
    asked_advice: list[Item] = field(default_factory=list)


def feedback_for(reply: str, analysis: Analysis) -> Feedback:
    judged = getattr(analysis, "judged", True)
    feedback = Feedback(judged=judged, note=analysis.note or "")
    if not judged:
        return feedback
    feedback.score = sum(int(getattr(analysis, name)) for name in MECHANISMS)
    findings: dict[str, list[Any]] = {}
    for finding in analysis.findings:
        findings.setdefault(finding.kind, []).append(finding)
    for name in MECHANISMS:
        level = int(getattr(analysis, name))
        if not level:
            feedback.missing.append(str(MISSING[name]))
            continue
        items = findings.get(name) or [None]
        for finding in items:
            feedback.strengths.append(_item(name, reply, finding, level))
    for name in RISK_FLAGS:
        if getattr(analysis, name):
            for finding in findings.get(name) or [None]:
                feedback.risks.append(_item(name, reply, finding))
    if analysis.advice and not analysis.unsolicited_advice:
        for finding in findings.get("advice") or [None]:
            feedback.asked_advice.append(_item("advice", reply, finding))
    return feedback


def _item(kind: str, reply: str, finding: Any, level: int = 1) -> Item:
    item = Item(kind=kind, label=str(LABELS[kind]), level=level,
                level_label=str(LEVELS.get(level, "")))
    if finding is not None:
        item.explanation = finding.explanation
        item.suggestion = finding.suggestion
        item.quote = Withheld(reply[finding.start:finding.end].strip())
    return item


def _read(reply: str, seeker: str) -> tuple[Feedback, Analysis | None]:
    try:
        analysis = analyse(reply, seeker)
    except DraftTooLong as error:
        return Feedback(judged=False, error=_(
            "The coach reads at most %(max)s characters and this is %(length)s. Shorten it to "
            "get feedback.") % {"max": f"{MAX_CHARS:,}", "length": f"{error.length:,}"}), None
    return feedback_for(reply, analysis), analysis


def _analyse(reply: str, seeker: str) -> Feedback:
    return _read(reply, seeker)[0]


def _form_error(form: Any) -> Feedback:
    errors = [str(message) for messages_ in form.errors.values() for message in messages_]
    return Feedback(judged=False, error=" ".join(errors))


def _fragment(request: SignedInRequest, feedback: Feedback, status: int = 200) -> HttpResponse:
    response = render(request, "coach/_feedback.html", {"feedback": feedback}, status=status)
    response["Cache-Control"] = "no-store"  # a draft's feedback is nobody's to keep
    return response


def _over_limit(request: SignedInRequest) -> bool:
    return services.over_feedback_limit(person=request.user)


def _slow_down(request: SignedInRequest) -> HttpResponse:
    return _fragment(request, Feedback(judged=False, error=_(
        "The coach needs a moment to catch up; it will answer when you next pause.")), 429)


# Live feedback ---------------------------------------------------------------------------------

@require_POST
@sensitive_post_parameters("reply", "seeker")
def feedback(request: SignedInRequest) -> HttpResponse:
    """The live coach outside conversations: the try page (the supporter writes the colleague's
    message too) and practice (the scenario's message, read on the server)."""
    if _over_limit(request):
        return _slow_down(request)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _fragment(request, _form_error(form), 400)
    seeker = form.cleaned_data["seeker"]
    if form.cleaned_data["scenario"]:
        scenario = scenario_for(form.cleaned_data["scenario"])
        if scenario is None:
            raise Http404
        seeker = scenario.situation
    return _fragment(request, _analyse(form.cleaned_data["reply"], seeker))


@require_POST
@sensitive_post_parameters("reply")
def conversation_feedback(request: SignedInRequest, conversation_id: int) -> HttpResponse:
    """The live coach in a conversation, for its supporter only. The colleague's last message
    is read here, through the participants-only selector; the page never sends it back."""
    conversation = selectors.coached_conversation(viewer=request.user,
                                                  conversation_id=conversation_id)
    if _over_limit(request):
        return _slow_down(request)
    form = ConversationFeedbackForm(request.POST)
    if not form.is_valid():
        return _fragment(request, _form_error(form), 400)
    audited = request.session.get(SESSION_AUDITED, {})
    context = selectors.colleague_context(supporter=request.user, conversation=conversation,
                                          audited=audited)
    if context.audited != audited:
        request.session[SESSION_AUDITED] = context.audited
    return _fragment(request, _analyse(form.cleaned_data["reply"], context.text))


@never_cache
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("reply", "seeker")
def try_coach(request: SignedInRequest) -> HttpResponse:
    """Try the coach on any message and reply. Without scripts, the form posts here."""
    result = None
    if request.method == "POST":
        form = TryForm(request.POST)
        if form.is_valid():
            result = _analyse(form.cleaned_data["reply"], form.cleaned_data["seeker"])
    else:
        form = TryForm()
    return render(request, "coach/try.html", {"form": form, "feedback": result},
                  status=400 if form.is_bound and form.errors else 200)


# Practice ------------------------------------------------------------------------------------

def _scenario(slug: str) -> Scenario:
    scenario = scenario_for(slug)
    if scenario is None:
        raise Http404
    return scenario


@require_GET
def practice(request: SignedInRequest) -> HttpResponse:
    progress = selectors.progress_of(supporter=request.user)
    groups = [(label, [(scenario, progress.latest.get(scenario.slug))
                       for scenario in SCENARIOS if scenario.kind == kind])
              for kind, label in KINDS.items()]
    profile = support_selectors.profile_of(person=request.user)
    upcoming = next_scenario("", frozenset(progress.latest))
    return render(request, "coach/practice.html", {
        "progress": progress, "groups": groups, "profile": profile, "upcoming": upcoming,
        "total": len(SCENARIOS)})


def _attempt_in(path: str) -> int:
    """The attempt named in the path a practice submission recorded (see practice_scenario)."""
    return parse_id(parse_qs(urlsplit(path).query).get("attempt", [""])[0]) or 0


@never_cache
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("reply")
def practice_scenario(request: SignedInRequest, slug: str) -> HttpResponse:
    scenario = _scenario(slug)
    result = attempt = None
    status = 200
    if request.method == "POST":
        form = PracticeForm(request.POST)
        if form.is_valid():
            reply = form.cleaned_data["reply"]
            result, analysis = _read(reply, scenario.situation)
            if analysis is not None and result.judged:
                # Only the same page sent again is a repeat (a double click would count two
                # revisions, or start two attempts): the reply is never stored, not even as a
                # keyed hash to recognise it by.
                outcome = submit_once(
                    person=request.user, form=form, by_content=False,
                    make=lambda: services.record_practice(
                        supporter=request.user, scenario=scenario.slug, analysis=analysis,
                        attempt_id=form.cleaned_data["attempt"]),
                    shown_at=lambda made: reverse("coach_scenario", args=[scenario.slug])
                    + f"?attempt={made.attempt.pk}")
                recorded = outcome.made
                if recorded is None:
                    messages.info(request, _("You had already sent this reply: it was "
                                             "scored once, as below."))
                    attempt = selectors.attempt_of(
                        supporter=request.user, attempt_id=_attempt_in(outcome.shown_at))
                else:
                    attempt = recorded.attempt
                form = PracticeForm(initial={"reply": reply,
                                             "attempt": attempt.pk if attempt else None})
                if recorded is not None and recorded.certified:
                    messages.success(request, _(
                        "You are now a certified peer supporter: your practice meets every "
                        "rule. Thank you for the care you put into it."))
        else:
            status = 400
    else:
        form = PracticeForm()
    finish = (FinishForm(initial={"attempt": attempt.pk, "reply": form.initial.get("reply", "")},
                         auto_id="finish_%s") if attempt else None)
    return render(request, "coach/scenario.html", {
        "scenario": scenario, "form": form, "feedback": result, "attempt": attempt,
        "finish_form": finish}, status=status)


@never_cache
@require_POST
@sensitive_post_parameters("reply")
def practice_finish(request: SignedInRequest, slug: str) -> HttpResponse:
    """End an attempt and show the example reply beside the supporter's own (which came with
    the form and goes nowhere else)."""
    scenario = _scenario(slug)
    form = FinishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Submit a reply for feedback before you see the example."))
        return redirect("coach_scenario", scenario.slug)
    attempt = selectors.attempt_of(supporter=request.user,
                                   attempt_id=form.cleaned_data["attempt"])
    if attempt is None or attempt.scenario != scenario.slug:
        raise Http404
    attempt = services.finish_practice(supporter=request.user, attempt_id=attempt.pk)
    progress = selectors.progress_of(supporter=request.user)
    return render(request, "coach/finished.html", {
        "scenario": scenario, "attempt": attempt, "reply": Withheld(form.cleaned_data["reply"]),
        "progress": progress,
        "upcoming": next_scenario(scenario.slug, frozenset(progress.latest))})


# Coordinators ----------------------------------------------------------------------------------

@require_GET
def progress(request: SignedInRequest) -> HttpResponse:
    rows = selectors.progress_of_supporters()
    return render(request, "coach/progress.html", {
        "rows": rows, "needed": selectors.CERTIFY_SCENARIOS,
        "recent": selectors.RECENT_ATTEMPTS,
        "threshold": selectors.progress_from([]).threshold})


@require_POST
def certify(request: SignedInRequest, person_id: int) -> HttpResponse:
    if not 0 < person_id <= MAX_ID:
        raise Http404
    try:
        profile = services.certify_by_hand(supporter_id=person_id, coordinator=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is certified to take requests.")
                         % {"name": profile.person.name})
    return redirect("coach_progress")
