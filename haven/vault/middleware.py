"""Content whose master key this server does not hold gets a clear refusal, not a 500: a page
that says so to the person, or the API's JSON error. The operator is told in the log (by the
vault, when it meets the missing key), with the key id and never any content."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from haven.vault.masterkeys import MasterKeyMissing, MasterKeyUnavailable

# 423 Locked: the content exists and nothing is wrong with the request; it cannot be opened
# here until the key is back. Not a 5xx: the server has not failed, and a client must not
# resend a message in a loop (see docs/operations.md, "Rotating master keys").
KEY_UNAVAILABLE_STATUS = 423


def refusal_text(error: MasterKeyUnavailable) -> str:
    """What the person is told. Never the key id: that is for the operator's log."""
    if isinstance(error, MasterKeyMissing):
        return _("This conversation cannot be opened: its encryption key is not available on "
                 "this server. Your administrator has been told.")
    return _("Haven cannot store new confidential content right now: its encryption key is "
             "being changed on this server. Nothing was saved. Your administrator has been "
             "told.")


class KeyUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception
                          ) -> HttpResponse | None:
        if not isinstance(exception, MasterKeyUnavailable):
            return None
        message = refusal_text(exception)
        if request.path.startswith("/api/"):
            return JsonResponse({"message": message, "errors": []},
                                status=KEY_UNAVAILABLE_STATUS)
        return render(request, "key_unavailable.html", {"message": message},
                      status=KEY_UNAVAILABLE_STATUS)
