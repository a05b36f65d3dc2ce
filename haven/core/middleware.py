"""Request middleware: the audit context, sessions that some requests leave untouched, each
person's own time zone, the access table, and required MFA."""

from __future__ import annotations

import functools
import logging
import zoneinfo
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from haven.core.access import CLOSED, MFA_SETUP_ROUTES, allows, rule_for
from haven.core.audit import audit_context, ip_hash_of
from haven.core.errors import Refused, refused_page
from haven.core.selectors import needs_mfa_setup
from haven.core.sessions import SessionStore

logger = logging.getLogger(__name__)
GetResponse = Callable[[HttpRequest], HttpResponse]
View = TypeVar("View", bound=Callable[..., HttpResponse])
_UNTOUCHED = "_haven_session_untouched"


def leave_session_untouched(request: HttpRequest) -> None:
    """This request must not re-save the session. With SESSION_SAVE_EVERY_REQUEST every
    request writes now + the idle timeout into the session row, so the row would record the
    instant of, say, an anonymous post; the row keeps the time of the request before."""
    setattr(request, _UNTOUCHED, True)


def leaves_session_untouched(view: View) -> View:
    """leave_session_untouched for every request to VIEW."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        leave_session_untouched(request)
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that an unchanged session is not saved by a request marked by
    leave_session_untouched, nor when its row was saved less than a minute ago
    (haven.core.sessions: the idle timeout moves on once a minute, not on every page view).
    A session the request did change (signing in or out, a message that overflowed its
    cookie) is saved as usual: losing that change would be worse."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if (
            session is not None
            and not session.modified
            and not session.is_empty()
            and (
                getattr(request, _UNTOUCHED, False)
                or (isinstance(session, SessionStore) and session.is_fresh())
            )
        ):
            if session.accessed:
                patch_vary_headers(response, ("Cookie",))
            return response
        return super().process_response(request, response)


class AuditContextMiddleware:
    """Every audit row written while answering a request (a page or the API) records the
    keyed hash of its client address: services write rows without knowing the request."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(ip_hash=ip_hash_of(request)):
            return self.get_response(request)


class PersonTimezoneMiddleware:
    """Times on the page are shown in the signed-in person's zone (their location's); the
    organisation's zone (TIME_ZONE) for everyone else. The zone lasts for the request only:
    afterwards the thread has the zone it had before (none, in a server), so work that runs
    next in it (another request, a job, a test) does not inherit this person's."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with timezone.override(self._zone_for(request)):
            return self.get_response(request)

    @staticmethod
    def _zone_for(request: HttpRequest) -> zoneinfo.ZoneInfo | None:
        name = getattr(request.user, "time_zone", None) if request.user.is_authenticated else None
        if not name:
            return None
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            # A location saved with a zone this machine lacks: show the organisation's zone
            # rather than fail every page for the people there.
            logger.warning("Unknown time zone %r; using %s.", name, settings.TIME_ZONE)
            return None


class _ViewMiddleware:
    """Middleware that acts in process_view (once the route is known) or process_exception."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)


class RefusedMiddleware(_ViewMiddleware):
    """A service's Refused becomes a 403 page that says why (the API translates its own)."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Refused):
            return refused_page(request, exception)
        return None


class AccessTableMiddleware(_ViewMiddleware):
    """Deny by default: every route must be declared in haven.core.access.ROUTES."""

    def process_view(
        self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        view_name = match.view_name if match else ""
        rule = rule_for(view_name)
        if rule is None:
            logger.error("Route %s has no access declaration; refused.", view_name)
            raise Http404
        if match and match.namespace == "api-1":
            return None  # the API authenticates tokens too, and answers in JSON
        if rule == CLOSED:
            raise Http404
        user = request.user
        roles = user.roles if user.is_authenticated else None
        if allows(rule, roles):
            return None
        if roles is None:
            return redirect_to_login(request.get_full_path())
        return render(request, "403.html", status=403)


class RequireMfaMiddleware(_ViewMiddleware):
    """Coordinators, case handlers and administrators must set up TOTP before anything else."""

    def process_view(
        self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is None or match.view_name in MFA_SETUP_ROUTES or match.namespace == "api-1":
            return None
        if not needs_mfa_setup(user):
            return None
        return redirect("mfa_activate_totp")
