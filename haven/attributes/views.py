"""Pages for the attributes people may choose to share: administrators define the questions
(haven.attributes.services writes, haven.attributes.selectors reads); each colleague
answers and withdraws their own, on a page nobody else can open."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from haven.attributes import selectors
from haven.attributes import services as attributes
from haven.attributes.forms import (
    AnswersForm,
    AttributeActiveForm,
    AttributeForm,
    EditAttributeForm,
    WithdrawForm,
)
from haven.core.forms import errors_to_form
from haven.core.http import SignedInRequest
from haven.core.idempotency import already_sent, submit_once
from haven.core.selectors import MAX_ID

# Administrators ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def definitions(request: SignedInRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = AttributeForm(request.POST)
        if form.is_valid():
            try:
                outcome = submit_once(
                    person=request.user, form=form,
                    make=lambda: attributes.define_attribute(
                        actor=request.user, name=form.cleaned_data["name"],
                        question=form.cleaned_data["question"], options=form.option_lines()),
                    shown_at=lambda attribute: reverse("shared_attributes"))
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                if outcome.repeated:
                    return already_sent(request, outcome)
                messages.success(request, _("Attribute added. Colleagues can answer it now."))
                return redirect("shared_attributes")
        status = 400
    else:
        form = AttributeForm()
    return render(request, "attributes/definitions.html", {
        "form": form, "attributes": selectors.all_attributes(),
        "k": settings.HAVEN_MIN_GROUP_SIZE}, status=status)


@require_http_methods(["GET", "POST"])
def edit(request: SignedInRequest, attribute_id: int) -> HttpResponse:
    attribute = selectors.attribute_for_administrator(attribute_id)
    status = 200
    if request.method == "POST":
        form = EditAttributeForm(request.POST)
        if form.is_valid():
            try:
                removed = attributes.edit_attribute(
                    actor=request.user, attribute_id=attribute.pk,
                    name=form.cleaned_data["name"], question=form.cleaned_data["question"],
                    options=form.option_lines(),
                    withdraw_removed=form.cleaned_data["withdraw_removed"])
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _(
                    "Saved. Answers you removed are withdrawn from anyone who chose them.")
                    if removed else _("Saved."))
                return redirect("shared_attributes")
        status = 400
    else:
        form = EditAttributeForm.for_attribute(attribute)
    return render(request, "attributes/edit.html",
                  {"form": form, "attribute": attribute}, status=status)


@require_POST
def set_active(request: SignedInRequest, attribute_id: int) -> HttpResponse:
    form = AttributeActiveForm(request.POST)
    if not 0 < attribute_id <= MAX_ID or not form.is_valid():
        raise Http404
    active = form.cleaned_data["active"]
    if not attributes.set_attribute_active(actor=request.user, attribute_id=attribute_id,
                                           active=active):
        raise Http404
    messages.success(request, _("Offered to colleagues again.") if active else
                     _("No longer offered. Answers already given stay until each person "
                       "withdraws theirs, and count again if you offer it again."))
    return redirect("shared_attributes")


# Each colleague, their own answers ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def mine(request: SignedInRequest) -> HttpResponse:
    offered = selectors.offered()
    answers = selectors.answers_of(request.user)
    status = 200
    if request.method == "POST":
        form = AnswersForm(request.POST, attributes=offered)
        if form.is_valid():
            try:
                attributes.save_answers(person=request.user, answers=form.answers())
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("Saved. Only you can see your answers."))
                return redirect("my_shared_attributes")
        status = 400
    else:
        current = {answer.attribute.pk: answer.value for answer in answers}
        form = AnswersForm(attributes=offered, initial={
            attributes.field_name(attribute.pk): current.get(attribute.pk, "")
            for attribute in offered})
    return render(request, "attributes/mine.html", {
        "form": form, "answers": answers, "k": settings.HAVEN_MIN_GROUP_SIZE}, status=status)


@require_POST
def withdraw(request: SignedInRequest) -> HttpResponse:
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was withdrawn: choose an answer to withdraw."))
        return redirect("my_shared_attributes")
    attribute_id = form.cleaned_data["attribute"]
    if attribute_id is None and not form.cleaned_data["everything"]:
        messages.error(request, _("Tick the box to confirm; your answers are kept."))
        return redirect("my_shared_attributes")
    if attributes.withdraw(person=request.user, attribute_id=attribute_id):
        messages.success(request, _("Withdrawn and deleted. It no longer counts anywhere."))
    else:
        messages.info(request, _("There was nothing to withdraw."))
    return redirect("my_shared_attributes")
