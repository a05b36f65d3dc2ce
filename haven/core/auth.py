"""Sign-in policy for django-allauth: no open sign-up (people arrive by invitation), every
refused sign-in — rate-limited ones included — lands in the audit log, a person whose
account gets locked by repeated failures is told once per lock, and allauth's own e-mails
(the password-reset link) go through the worker's mail queue like Haven's."""

from __future__ import annotations

from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django.contrib.sites.shortcuts import get_current_site
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from haven.core.audit import audit_failed_sign_in
from haven.core.mail import email_after_commit
from haven.core.models import Person
from haven.core.services import send_sign_in_lock_notice


def _per_account_rates() -> list[str]:
    """The per-account ("key") parts of the failed sign-in limit, as configured."""
    configured = account_settings.RATE_LIMITS.get("login_failed") or ""
    return [rate.strip() for rate in configured.split(",") if rate.strip().endswith("/key")]


def is_locked(request: HttpRequest, *, key: str) -> bool:
    """Would the next attempt for KEY be refused by a per-account limit? (Read only.)"""
    rates = _per_account_rates()
    if not rates:
        return False
    usage = ratelimit.consume(request, app="allauth.account", action="login_failed",
                              config={"login_failed": ",".join(rates)}, key=key, dry_run=True)
    return usage is None


def tell_if_locked(request: HttpRequest, *, key: str, person: Person | None) -> None:
    """Called after a failure was counted: when it was the one that locked the account, e-mail
    its owner, once per lock (a lock lasts at least the shortest per-account window, and two
    failures at the same moment must not send two notices)."""
    if person is None or not person.is_active or not is_locked(request, key=key):
        return
    window = min(ratelimit.parse_rate(rate).duration for rate in _per_account_rates())
    if cache.add(f"haven:sign-in-lock-notice:{person.pk}", True, timeout=int(window)):
        send_sign_in_lock_notice(person=person, at=timezone.now())


def mfa_attempts_key(person: Person) -> str:
    # allauth counts wrong MFA codes under this key (allauth.mfa.base.internal.flows).
    return f"mfa-auth-user-{person.pk}"


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
                reason="rate_limited")
            raise

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        super().authentication_failed(request, **credentials)
        login = str(credentials.get("email") or credentials.get("username") or "").strip()
        if not login or len(login) > 254 or "\x00" in login:
            return
        tell_if_locked(request, key=self._get_login_attempts_cache_key(request, **credentials),
                       person=Person.objects.filter(email=login.lower()).first())

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Every e-mail allauth sends — with Haven's settings only the password-reset link
        (docs/operations.md, "E-mail Haven sends") — is rendered here, in the request, from
        allauth's templates, and queued for the worker after commit (haven.core.mail), so
        that it is retried while the mail server is down instead of lost. Haven's messages
        are plain text; allauth adds no headers of its own here, and its sender is
        DEFAULT_FROM_EMAIL, which the worker uses too."""
        message = self.render_mail(template_prefix, email, {
            "request": self.request, "email": email,
            "current_site": get_current_site(self.request), **context})
        if message.content_subtype != "plain" or getattr(message, "alternatives", None):
            # The queued task sends a text body only; dropping an HTML part silently would
            # send something other than what the template's author wrote.
            raise ValueError(f"{template_prefix}: Haven sends e-mail as plain text only; "
                             "remove the HTML template.")
        email_after_commit(recipients=message.to, subject=message.subject, body=message.body)
