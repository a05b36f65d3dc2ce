"""Error pages in Haven's layout; they never echo what was sent. Under /api/ they are JSON in
the API's shape ({"message": …, "errors": []}), so a script never has to parse a web page.

Refused is the one typed refusal: a service raises it when this person may not do this (not
when the input is wrong: that stays ValidationError). Pages answer it with a 403 page saying
its message (RefusedMiddleware), the API with a 403 JSON error (haven.api.api)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

API_PREFIX = "/api/"


class Refused(PermissionDenied):
    """This person may not do this. MESSAGE says so in words they can read; it names nobody
    else and holds nothing anyone wrote. A PermissionDenied, so that whatever does not
    translate it still answers 403."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = str(message)


def refused_page(request: HttpRequest, error: Refused) -> HttpResponse:
    if _is_api(request):
        return _json(403, error.message)
    return render(request, "403.html", {"refusal": error.message}, status=403)


def _json(status: int, message: str) -> JsonResponse:
    return JsonResponse({"message": message, "errors": []}, status=status)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json(400, "The request could not be understood.")
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json(403, "Your role does not allow this.")
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json(404, "Not found.")
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _json(500, "Something went wrong on our side. Nothing was changed.")
    # No context processors: whatever failed must not fail again while drawing the page.
    return HttpResponse(render_to_string("500.html"), status=500)
