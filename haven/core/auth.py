"""Sign-in policy for django-allauth: no open sign-up (people arrive by invitation); failed
sign-ins limited per account (allauth's rates) and per client address (Haven's lock-free
counters, haven.core.sign_in_limits); every refused sign-in, rate-limited ones included, in
the audit log; a person whose account gets locked by repeated failures told once per lock;
and allauth's own e-mails (the password-reset link) sent through the worker's mail queue like
Haven's."""

from __future__ import annotations

from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.core import context
from allauth.core.internal import ratelimit
from allauth.mfa.base.forms import AuthenticateForm
from django.contrib.sites.shortcuts import get_current_site
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from haven.core import sign_in_limits
from haven.core.audit import audit, audit_failed_sign_in
from haven.core.mail import email_after_commit
from haven.core.models import AuditAction, Person
from haven.core.services import send_sign_in_lock_notice
from haven.core.text import CheckedText


def _per_account_rates() -> list[str]:
    """The per-account ("key") parts of the failed sign-in limit, as configured."""
    configured = account_settings.RATE_LIMITS.get("login_failed") or ""
    return [rate.strip() for rate in configured.split(",") if rate.strip().endswith("/key")]


def is_locked(request: HttpRequest, *, key: str) -> bool:
    """Would the next attempt for KEY be refused by a per-account limit? (Read only.)"""
    rates = _per_account_rates()
    if not rates:
        return False
    usage = ratelimit.consume(
        request,
        app="allauth.account",
        action="login_failed",
        config={"login_failed": ",".join(rates)},
        key=key,
        dry_run=True,
    )
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


class AddressLimitedMFAForm(CheckedText, AuthenticateForm):
    """The second step of signing in (settings.MFA_FORMS): refused, before the code is
    checked, while the client's address has failed as often as its limit allows. Wrong codes
    count toward that limit (haven.core.receivers); per person allauth counts them too."""

    def clean_code(self) -> str:
        if sign_in_limits.failures_exceeded(sign_in_limits.address_of(context.request)):
            audit(
                action=AuditAction.SIGN_IN_FAILED,
                object_type="person",
                object_id=self.user.pk,
                detail={"reason": "rate_limited"},
            )
            raise get_adapter(context.request).validation_error("too_many_login_attempts")
        return str(super().clean_code())


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # Before the password is hashed: the client address's own limits (counted without
        # locks, haven.core.sign_in_limits), then allauth's per account. A refusal here comes
        # before Django's authenticate() and its user_login_failed signal, so it would
        # otherwise leave no trace.
        try:
            if not sign_in_limits.admit_attempt(sign_in_limits.address_of(request)):
                raise self.validation_error("too_many_login_attempts")
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            audit_failed_sign_in(
                login=str(credentials.get("email") or credentials.get("username") or ""),
                reason="rate_limited",
            )
            raise

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        super().authentication_failed(request, **credentials)
        sign_in_limits.count_failure(sign_in_limits.address_of(request))
        login = str(credentials.get("email") or credentials.get("username") or "").strip()
        if not login or len(login) > 254 or "\x00" in login:
            return
        tell_if_locked(
            request,
            key=self._get_login_attempts_cache_key(request, **credentials),
            person=Person.objects.filter(email=login.lower()).first(),
        )

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Every e-mail allauth sends — with Haven's settings only the password-reset link
        (docs/operations.md, "E-mail Haven sends") — is rendered here, in the request, from
        allauth's templates, and queued for the worker after commit (haven.core.mail), so
        that it is retried while the mail server is down instead of lost. Haven's messages
        are plain text; allauth adds no headers of its own here, and its sender is
        DEFAULT_FROM_EMAIL, which the worker uses too."""
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": self.request,
                "email": email,
                "current_site": get_current_site(self.request),
                **context,
            },
        )
        if message.content_subtype != "plain" or getattr(message, "alternatives", None):
            # The queued task sends a text body only; dropping an HTML part silently would
            # send something other than what the template's author wrote.
            raise ValueError(
                f"{template_prefix}: Haven sends e-mail as plain text only; "
                "remove the HTML template."
            )
        email_after_commit(recipients=message.to, subject=message.subject, body=message.body)
