"""Pages for open questions to leadership: thin views over the questions' services and
selectors. Asking and voting leave the session row untouched (docs/connect.md, "Anonymity")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from haven.core.forms import errors_to_form
from haven.core.http import SignedInRequest
from haven.core.idempotency import already_sent, submit_once
from haven.core.middleware import leave_session_untouched, leaves_session_untouched
from haven.core.models import Role
from haven.questions import selectors
from haven.questions import services as questions
from haven.questions.forms import AnswerForm, ModerationForm, QuestionForm
from haven.questions.models import QuestionStatus, start_of_day


def _first_error(error: ValidationError) -> str:
    return str(error.messages[0]) if error.messages else _("That did not work.")


def _board_page(request: SignedInRequest, failed: dict[str, Any] | None = None,
                status: int = 200) -> HttpResponse:
    """The board. FAILED names the answer that was refused (the question's pk), with the
    text as typed and the reason, so the moderator corrects it in place."""
    return render(request, "questions/board.html", {
        "board": selectors.board(viewer=request.user),
        "may_answer": bool(request.user.roles & {Role.COORDINATOR, Role.ADMINISTRATOR}),
        "failed": failed or {},
    }, status=status)


@require_GET
def question_board(request: SignedInRequest) -> HttpResponse:
    return _board_page(request)


@require_http_methods(["GET", "POST"])
def question_ask(request: SignedInRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        leave_session_untouched(request)  # the session row must not record when one asked
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                # What was made is shown in the author's own list: the record of the
                # submission must not point at an anonymous question.
                outcome = submit_once(
                    person=request.user, form=form,
                    make=lambda: questions.ask(person=request.user,
                                               text=form.cleaned_data["text"],
                                               anonymous=form.cleaned_data["anonymous"]),
                    shown_at=lambda question: reverse("questions_mine"),
                    anonymous=True, find_repeat=lambda: reverse("questions_mine") if any(
                        earlier.text == form.cleaned_data["text"].strip()
                        and earlier.status == QuestionStatus.PENDING
                        and earlier.created_at >= start_of_day()
                        for earlier in selectors.mine(request.user)) else None)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                if outcome.made is None:
                    return already_sent(request, outcome)
                question = outcome.made
                if question.held_reason:
                    messages.warning(request, question.held_reason + " " + _(
                        "A coordinator will read it before deciding."))
                else:
                    messages.success(request, _("Thank you. A coordinator reads it before it "
                                                "is published."))
                return redirect("questions_mine")
        status = 400
    else:
        form = QuestionForm()
    return render(request, "questions/ask.html", {"form": form}, status=status)


@require_GET
def questions_mine(request: SignedInRequest) -> HttpResponse:
    return render(request, "questions/mine.html",
                  {"questions": selectors.mine(request.user)})


@require_POST
@leaves_session_untouched  # the session row must not record when one voted
def question_vote(request: SignedInRequest, question_id: int) -> HttpResponse:
    question = selectors.published_question(question_id)
    try:
        questions.vote(person=request.user, question=question)
    except ValidationError as error:
        messages.error(request, _first_error(error))
    else:
        messages.success(request, _("Your vote is counted."))
    return redirect("questions")


def _moderation_page(request: SignedInRequest, failed: dict[str, Any] | None = None,
                     status: int = 200) -> HttpResponse:
    """The queue. FAILED names the decision that was refused (the question's pk), with the
    decision and reason as typed and why, so the moderator corrects it in place."""
    return render(request, "questions/moderation.html",
                  {"queue": selectors.moderation_queue(), "form": ModerationForm(),
                   "failed": failed or {}}, status=status)


@require_GET
def question_moderation(request: SignedInRequest) -> HttpResponse:
    return _moderation_page(request)


@require_POST
def question_moderate(request: SignedInRequest, question_id: int) -> HttpResponse:
    question = selectors.question_for_moderation(question_id)
    form = ModerationForm(request.POST)
    failed = {"pk": question.pk, "decision": form.data.get("decision", ""),
              "reason": form.data.get("reason", "")}
    if not form.is_valid():
        failed["error"] = " ".join(
            str(message) if name == "reason" else _("Choose to publish it or not.")
            for name, errors in form.errors.items() for message in errors)
        return _moderation_page(request, failed, status=400)
    publish = form.cleaned_data["decision"] == "publish"
    try:
        questions.moderate(moderator=request.user, question=question, publish=publish,
                           reason=form.cleaned_data["reason"])
    except ValidationError as error:
        if "reason" not in getattr(error, "error_dict", {}):
            messages.error(request, _first_error(error))
            return redirect("questions_moderation")
        failed["error"] = _("Give a reason the author will see.")
        return _moderation_page(request, failed, status=400)
    else:
        messages.success(request, _("Published.") if publish else
                         _("Not published; the author sees your reason."))
    return redirect("questions_moderation")


@require_POST
def question_answer(request: SignedInRequest, question_id: int) -> HttpResponse:
    question = selectors.published_question(question_id)
    form = AnswerForm(request.POST)
    # A refused answer comes back in its box, with why: nothing written is lost.
    failed = {"pk": question.pk, "answer": form.data.get("answer", "")}
    if not form.is_valid():
        failed["error"] = " ".join(str(message) for errors in form.errors.values()
                                   for message in errors)
        return _board_page(request, failed, status=400)
    try:
        questions.answer(leader=request.user, question=question,
                         text=form.cleaned_data["answer"])
    except ValidationError as error:
        failed["error"] = _first_error(error)
        return _board_page(request, failed, status=400)
    else:
        messages.success(request, _("Your answer is published."))
    return redirect("questions")
