"""API authentication (session or personal access token) and authorisation from the access table."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import APIKeyCookie, HttpBearer

from haven.core.access import allows, rule_for
from haven.core.models import Person
from haven.core.selectors import needs_mfa_setup
from haven.core.services import person_for_token


def _authorise(request: HttpRequest, person: Person) -> Person:
    match = request.resolver_match
    rule = rule_for(match.view_name) if match else None
    if rule is None or not allows(rule, person.roles):
        raise AuthorizationError(message="Your role does not allow this.")
    # Someone whose role requires MFA is refused until it is set up, by session or by token:
    # a token made as a colleague must not carry a later coordinator role past MFA.
    if needs_mfa_setup(person):
        raise AuthorizationError(message="Set up two-factor authentication first.")
    request.user = person
    return person


class SessionAuth(APIKeyCookie):
    """The browser's session; unsafe methods need the CSRF token as pages do."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # Check CSRF only for a signed-in session: without one there is nothing to forge, and
        # the caller (say, one with a mistyped token) should hear 401, not "CSRF failed".
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.user.is_authenticated:
            return _authorise(request, request.user)
        return None


class TokenAuth(HttpBearer):
    """`Authorization: Bearer hvn_…`, a personal access token made on the profile page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        person = person_for_token(token)
        if person is None:
            return None
        return _authorise(request, person)


API_AUTH = [TokenAuth(), SessionAuth()]
