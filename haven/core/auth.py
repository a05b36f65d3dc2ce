"""Sign-in policy for django-allauth: no open sign-up (people arrive by invitation), and every
refused sign-in — rate-limited ones included — lands in the audit log."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from haven.core.audit import audit_failed_sign_in


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # Allauth refuses the attempt here, before Django's authenticate() and its
        # user_login_failed signal, so the refusal would otherwise leave no trace.
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            audit_failed_sign_in(
                login=str(credentials.get("email") or credentials.get("username") or ""),
                request=request, reason="rate_limited")
            raise
