"""The inclusion insight page for coordinators."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from haven.core.http import SignedInRequest
from haven.insight import report


@require_GET
def insight_page(request: SignedInRequest) -> HttpResponse:
    return render(request, "insight/insight.html", {"report": report.inclusion_report()})
