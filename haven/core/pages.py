"""Shapes that several apps' pages share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from haven.core.forms import errors_to_form


def posted(request: HttpRequest) -> Any:
    """The data to bind a form to: the POST on a POST (even an empty one), else nothing."""
    return request.POST if request.method == "POST" else None


def settings_page(request: HttpRequest, *, form: forms.Form, save: Callable[..., object],
                  saved: str, template: str, context: dict[str, Any] | None = None,
                  refused_status: int = 400) -> HttpResponse:
    """An administrators' settings page: GET shows FORM; a valid POST calls SAVE with the
    form's data and comes back here saying SAVED; a refusal shows the form again with what was
    typed and the reason beside its field."""
    if request.method == "POST":
        if form.is_valid():
            try:
                save(**form.cleaned_data)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, saved)
                return redirect(request.path)
        status = refused_status
    else:
        status = 200
    return render(request, template, {"form": form, **(context or {})}, status=status)
