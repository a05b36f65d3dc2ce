"""The inclusion insight page for coordinators."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from haven.insight import report


@require_GET
def insight_page(request: HttpRequest) -> HttpResponse:
    return render(request, "insight/insight.html", {"report": report.inclusion_report()})
