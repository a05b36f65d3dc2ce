"""Pages for peer support: thin views over services and selectors."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.core.forms import errors_to_form
from haven.core.http import SignedInRequest
from haven.core.idempotency import already_sent, submit_once
from haven.core.models import Role
from haven.support import access_history as conversation_access
from haven.support import commitments, conversations, offers, profiles, programme, selectors
from haven.support import requests as support_requests
from haven.support.availability import describe
from haven.support.forms import (
    CommitmentForm,
    FeedbackForm,
    MessageForm,
    RenegotiateForm,
    RequestForm,
    SupporterProfileForm,
)
from haven.support.models import Conversation


@require_GET
def support_home(request: SignedInRequest) -> HttpResponse:
    mine = list(selectors.conversations_of(person=request.user).filter(colleague=request.user))
    for conversation in mine:  # "free from" as on the conversation page: never in the past
        waiting = conversation.state == Conversation.State.WAITING
        conversation.free_from = (  # type: ignore[attr-defined]
            offers.free_from(conversation.request) if waiting else None)
    return render(request, "support/home.html", {"conversations": mine})


@require_http_methods(["GET", "POST"])
def new_request(request: SignedInRequest) -> HttpResponse:
    settings_ = programme.programme_settings()
    topics = settings_.topic_choices()
    if request.method == "POST":
        form = RequestForm(request.POST, topics=topics)
        if form.is_valid():
            data = form.cleaned_data
            try:
                outcome = submit_once(
                    person=request.user, form=form,
                    make=lambda: support_requests.open_request(
                        requester=request.user, topic=data["topic"], mode=data["mode"],
                        use_pseudonym=data["use_pseudonym"], language=data["language"],
                        avoid_my_team=data["avoid_my_team"],
                        avoid_my_department=data["avoid_my_department"],
                        person_of_concern=data["person_of_concern"], preferred_supporter=None,
                        acknowledged_confidentiality=data["acknowledged"],
                        first_message=data["message"],
                        submission_id=str(data["submission_id"])),
                    shown_at=lambda made: reverse("conversation",
                                                  args=[made.conversation.pk]))
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                return already_sent(request, outcome) if outcome.repeated \
                    else redirect(outcome.shown_at)
    else:
        form = RequestForm(topics=topics, initial={
            "submission_id": uuid.uuid4(),
            "language": (request.user.languages or ["en"])[0][:2]})
    if form.is_bound:
        _renew_hidden_id(form, "submission_id")
    return render(request, "support/new_request.html", {
        "form": form, "confidentiality": settings_.confidentiality()})


def _renew_hidden_id(form: forms.Form, field: str) -> None:
    """An error on a hidden id field would not be shown at all: say it at the top instead, and
    give the form a fresh id so that sending again works (nothing was stored under the old)."""
    if field not in form.errors:
        return
    del form.errors[field]
    form.add_error(None, _("The form had expired. Please check it and send it again."))
    data = cast(QueryDict, form.data).copy()  # bound to request.POST
    data[field] = str(uuid.uuid4())
    form.data = data


def _conversation_context(request: SignedInRequest,
                          conversation: Conversation) -> dict[str, object]:
    settings_ = programme.programme_settings()
    role = conversation.participant_role(request.user.pk)
    shown = selectors.read_messages(viewer=request.user, conversation=conversation)
    return {
        "conversation": conversation,
        "support_request": conversation.request,
        "role": role,
        "messages_shown": shown,
        "last_id": shown[-1].id if shown else 0,
        "commitments": selectors.commitments_in(viewer=request.user,
                                                conversation=conversation),
        "message_form": MessageForm(initial={"client_id": uuid.uuid4()}),
        "commitment_form": CommitmentForm(),
        "feedback_form": FeedbackForm(),
        "crisis_text": settings_.crisis_for(request.user.location_id),
        "crisis_shown": any(message.crisis for message in shown),
        "safety_contact": settings_.safety_contact,
        "free_from": (offers.free_from(conversation.request)
                      if conversation.state == Conversation.State.WAITING else None),
        "other_name": (conversation.request.display_name_for_supporter() if role == "supporter"
                       else (conversation.supporter.name if conversation.supporter else None)),
    }


@require_GET
def conversation_page(request: SignedInRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.conversation_for(viewer=request.user,
                                              conversation_id=conversation_id)
    return render(request, "support/conversation.html",
                  _conversation_context(request, conversation))


@require_POST
def send_message(request: SignedInRequest, conversation_id: int) -> HttpResponse:
    """The form fallback for sending when scripts or websockets are unavailable."""
    conversation = selectors.conversation_for(viewer=request.user,
                                              conversation_id=conversation_id)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            sent = conversations.send_message(
                conversation=conversation, sender=request.user,
                client_id=form.cleaned_data["client_id"], text=form.cleaned_data["text"])
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            if sent.crisis:
                messages.warning(request, _("If you are in danger, please use the crisis "
                                            "resources shown on this page now."))
            return redirect("conversation", conversation.pk)
    context = _conversation_context(request, conversation)
    _renew_hidden_id(form, "client_id")
    context["message_form"] = form  # what they typed comes back with the error
    return render(request, "support/conversation.html", context, status=400)


def _act(request: SignedInRequest, conversation_id: int, action: str) -> HttpResponse:
    conversation = selectors.conversation_for(viewer=request.user,
                                              conversation_id=conversation_id)
    try:
        if action == "close":
            conversations.close_conversation(conversation=conversation, by=request.user)
            messages.success(request, _("The conversation is closed."))
        elif action == "handover":
            conversations.request_handover(conversation=conversation, supporter=request.user)
            messages.success(request, _("Your colleague is asked whether they agree to talk "
                                        "with another supporter."))
        elif action == "consent":
            conversations.consent_to_handover(conversation=conversation, colleague=request.user)
            messages.success(request, _("Thank you. Another supporter will join soon; they "
                                        "will see this conversation so far."))
        elif action == "escalate":
            conversations.escalate_to_safety_contact(conversation=conversation,
                                                     supporter=request.user)
            messages.success(request, _("The safety contact has been alerted and will call "
                                        "you. Stay with your colleague."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("conversation", conversation.pk)


@require_POST
def close(request: SignedInRequest, conversation_id: int) -> HttpResponse:
    return _act(request, conversation_id, "close")


@require_POST
def handover(request: SignedInRequest, conversation_id: int) -> HttpResponse:
    return _act(request, conversation_id, "handover")


@require_POST
def consent_handover(request: SignedInRequest, conversation_id: int) -> HttpResponse:
    return _act(request, conversation_id, "consent")


@require_POST
def escalate(request: SignedInRequest, conversation_id: int) -> HttpResponse:
    return _act(request, conversation_id, "escalate")


@require_POST
def feedback(request: SignedInRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.conversation_for(viewer=request.user,
                                              conversation_id=conversation_id)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            conversations.give_feedback(conversation=conversation, by=request.user,
                                        felt_heard=form.cleaned_data["felt_heard"],
                                        would_return=form.cleaned_data["would_return"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you for your feedback."))
    else:
        messages.error(request, _("Choose how heard you felt, from 1 to 5."))
    return redirect("conversation", conversation.pk)


@require_http_methods(["GET", "POST"])
def erase(request: SignedInRequest, conversation_id: int) -> HttpResponse:
    try:
        conversation = selectors.conversation_for(viewer=request.user,
                                                  conversation_id=conversation_id)
    except Http404:
        # An erased conversation names nobody, so it is nobody's now: its colleague (after a
        # double submit, say) gets the same answer as anyone, in words that fit their case.
        return render(request, "support/erased_or_missing.html", status=404)
    if conversation.colleague_id != request.user.pk:
        return render(request, "403.html", status=403)
    if request.method == "POST":
        try:
            conversations.erase_conversation(conversation=conversation, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("conversation", conversation.pk)
        messages.success(request, _("The conversation is erased. Nobody can read it now."))
        return redirect("support_home")
    return render(request, "support/erase_confirm.html", {"conversation": conversation})


@require_GET
def access_history(request: SignedInRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.conversation_for(viewer=request.user,
                                              conversation_id=conversation_id)
    return render(request, "support/access_history.html", {
        "conversation": conversation,
        "history": conversation_access.access_history(viewer=request.user,
                                                      conversation=conversation)})


@require_POST
def add_commitment(request: SignedInRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.conversation_for(viewer=request.user,
                                              conversation_id=conversation_id)
    form = CommitmentForm(request.POST)
    if form.is_valid():
        try:
            outcome = submit_once(
                person=request.user, form=form, name=f"support.commitment:{conversation.pk}",
                make=lambda: commitments.record_commitment(
                    conversation=conversation, supporter=request.user,
                    what=form.cleaned_data["what"], due_at=form.cleaned_data["due_at"]),
                shown_at=lambda made: reverse("conversation", args=[conversation.pk]))
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            if outcome.repeated:
                return already_sent(request, outcome)
            messages.success(request, _("Commitment recorded; Haven will remind you."))
            return redirect("conversation", conversation.pk)
    context = _conversation_context(request, conversation)
    context["commitment_form"] = form
    return render(request, "support/conversation.html", context, status=400)


def _renegotiation_refused(request: SignedInRequest, conversation_id: int,
                           failed: dict[str, Any]) -> HttpResponse:
    """The conversation again, the refused renegotiation open with what was typed and why."""
    conversation = selectors.conversation_for(viewer=request.user,
                                              conversation_id=conversation_id)
    context = _conversation_context(request, conversation)
    context["renegotiation"] = failed
    return render(request, "support/conversation.html", context, status=400)


@require_POST
def settle_commitment(request: SignedInRequest, commitment_id: int) -> HttpResponse:
    commitment = selectors.commitment_for(supporter=request.user, commitment_id=commitment_id)
    outcome = request.POST.get("outcome")
    try:
        if outcome in ("kept", "missed"):
            commitments.resolve_commitment(commitment=commitment, supporter=request.user,
                                             kept=outcome == "kept")
        elif outcome == "renegotiate":
            form = RenegotiateForm(request.POST)
            try:
                if not form.is_valid():
                    # What is wrong with the note itself (say, a character that cannot be
                    # stored) is said as it is; anything else with the usual words.
                    note_errors = "due_at" not in form.errors and form.errors.get("note")
                    raise ValidationError(list(note_errors) if note_errors
                                          else _("Give a new time in the future and a note."))
                commitments.renegotiate_commitment(
                    commitment=commitment, supporter=request.user,
                    due_at=form.cleaned_data["due_at"], note=form.cleaned_data["note"])
            except ValidationError as error:
                return _renegotiation_refused(request, commitment.conversation_id, {
                    "pk": commitment.pk, "due_at": form.data.get("due_at", ""),
                    "note": form.data.get("note", ""), "error": " ".join(error.messages)})
        else:
            raise ValidationError(_("Choose kept, missed or a new time."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("conversation", commitment.conversation_id)


# Supporters -----------------------------------------------------------------------------------

@require_GET
def supporter_home(request: SignedInRequest) -> HttpResponse:
    kept, settled = selectors.follow_through(supporter_id=request.user.pk)
    topics = dict(programme.programme_settings().topic_choices())
    offers = list(selectors.pending_offers_for(supporter=request.user))
    for offer in offers:  # the topic's label ("Bullying or harassment"), not its slug
        topic = offer.request.details.topic
        offer.topic_label = topics.get(topic, topic)
    return render(request, "support/supporter_home.html", {
        "offers": offers,
        "conversations": selectors.conversations_of(person=request.user).filter(
            supporter=request.user),
        "profile": selectors.profile_of(person=request.user),
        "kept": kept, "settled": settled,
        "rate": round(100 * kept / settled) if settled else None,
    })


@require_POST
def answer_offer(request: SignedInRequest, offer_id: int) -> HttpResponse:
    offer = selectors.offer_for(supporter=request.user, offer_id=offer_id)
    answer = request.POST.get("answer")
    try:
        if answer == "accept":
            conversation = offers.accept_offer(offer=offer, supporter=request.user)
            return redirect("conversation", conversation.pk)
        if answer != "decline":  # a missing answer must not decline on the supporter's behalf
            raise ValidationError(_("Choose accept or decline."))
        offers.decline_offer(offer=offer, supporter=request.user)
        messages.info(request, _("Declined. The request goes to another supporter."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("supporter_home")


@require_http_methods(["GET", "POST"])
def supporter_profile(request: SignedInRequest) -> HttpResponse:
    topics = programme.programme_settings().topic_choices()
    profile = selectors.profile_of(person=request.user)
    languages = profile.languages if profile else request.user.languages
    if request.method == "POST":
        form = SupporterProfileForm(request.POST, topics=topics,
                                    initial={"languages": languages})
        if form.is_valid():
            data = form.cleaned_data
            try:
                profiles.save_supporter_profile(
                    person=request.user, active=data["active"], capacity=data["capacity"],
                    languages=data["languages"], topics=data["topics"],
                    availability=data["availability"],
                    away_from=data["away_from"], away_until=data["away_until"])
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("Your supporter profile is saved."))
                return redirect("supporter_home")
    else:
        form = SupporterProfileForm(topics=topics, initial={
            "active": profile.active if profile else True,
            "capacity": profile.capacity if profile else 3,
            "languages": languages,
            "topics": profile.topics if profile else [slug for slug, _label in topics],
            "availability": profile.availability if profile else [],
            "away_from": profile.away_from if profile else None,
            "away_until": profile.away_until if profile else None,
        })
    return render(request, "support/supporter_profile.html", {
        "form": form, "profile": profile,
        "availability": describe(profile.availability) if profile else "",
        "is_supporter": request.user.has_role(Role.SUPPORTER)})

