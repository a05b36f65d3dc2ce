"""Request middleware: each person's own time zone, the access table, and required MFA."""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from haven.core.access import CLOSED, MFA_SETUP_ROUTES, allows, rule_for

logger = logging.getLogger(__name__)
GetResponse = Callable[[HttpRequest], HttpResponse]


class PersonTimezoneMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = getattr(request.user, "time_zone", None) if request.user.is_authenticated else None
        timezone.deactivate()
        try:
            if zone:
                timezone.activate(zoneinfo.ZoneInfo(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            # A location saved with a zone this machine lacks: show the organisation's zone
            # rather than fail every page for the people there.
            logger.warning("Unknown time zone %r; using %s.", zone, settings.TIME_ZONE)
        return self.get_response(request)


class _ViewMiddleware:
    """Middleware that acts in process_view, once the route is known."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)


class AccessTableMiddleware(_ViewMiddleware):
    """Deny by default: every route must be declared in haven.core.access.ROUTES."""

    def process_view(self, request: HttpRequest, view_func: Any, args: Any,
                     kwargs: Any) -> HttpResponse | None:
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

    def process_view(self, request: HttpRequest, view_func: Any, args: Any,
                     kwargs: Any) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or not (user.roles & settings.HAVEN_MFA_REQUIRED_ROLES):
            return None
        match = request.resolver_match
        if match is None or match.view_name in MFA_SETUP_ROUTES or match.namespace == "api-1":
            return None
        if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            return None
        return redirect("mfa_activate_totp")
