"""Signal handlers that put sign-in, sign-out and MFA changes into the audit log, and tell a
person when wrong MFA codes lock their second step."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import authentication_failed as mfa_authentication_failed
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from haven.core import sign_in_limits
from haven.core.audit import audit, audit_context, audit_failed_sign_in, ip_hash_of
from haven.core.auth import mfa_attempts_key, tell_if_locked
from haven.core.models import AuditAction, Person

Handler = Callable[..., None]


def _from_request(handler: Handler) -> Handler:
    """Run HANDLER in the audit context of the signal's request. Most signals come while the
    middleware's context is set, but some are sent after commit (allauth's MFA changes), which
    may be outside it; the signal's own request says where they came from."""

    @functools.wraps(handler)
    def wrapped(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        if request is None:
            handler(sender, request=request, **kwargs)
            return
        with audit_context(ip_hash=ip_hash_of(request)):
            handler(sender, request=request, **kwargs)

    return wrapped


@receiver(user_logged_in)
@_from_request
def _signed_in(sender: Any, request: HttpRequest, user: Person, **kwargs: Any) -> None:
    audit(action=AuditAction.SIGN_IN, actor=user, object_type="person", object_id=user.pk)


@receiver(user_logged_out)
@_from_request
def _signed_out(sender: Any, request: HttpRequest, user: Person | None, **kwargs: Any) -> None:
    if user is not None:
        audit(action=AuditAction.SIGN_OUT, actor=user, object_type="person", object_id=user.pk)


@receiver(user_login_failed)
def _sign_in_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    login = str(credentials.get("email") or credentials.get("username") or "")
    audit_failed_sign_in(login=login)


@receiver(mfa_authentication_failed)
@_from_request
def _second_step_failed(
    sender: Any, request: HttpRequest, user: Person, reauthentication: bool = False, **kwargs: Any
) -> None:
    # The password was right and the code was not: worth seeing in the log.
    audit(
        action=AuditAction.SIGN_IN_FAILED,
        actor=user if reauthentication else None,
        object_type="person",
        object_id=user.pk,
        detail={"reason": "wrong_mfa_code"},
    )
    if not reauthentication:  # a signed-in person re-entering a code is not a stranger
        sign_in_limits.count_failure(sign_in_limits.address_of(request))
        tell_if_locked(request, key=mfa_attempts_key(user), person=user)


@receiver(password_changed)
@_from_request
def _password_changed(sender: Any, request: HttpRequest, user: Person, **kwargs: Any) -> None:
    audit(action=AuditAction.PASSWORD_CHANGED, actor=user, object_type="person", object_id=user.pk)


@receiver(password_reset)
@_from_request
def _password_reset(sender: Any, request: HttpRequest, user: Person, **kwargs: Any) -> None:
    audit(action=AuditAction.PASSWORD_RESET, actor=user, object_type="person", object_id=user.pk)


def _authenticator_event(action: AuditAction) -> Handler:
    def handler(
        sender: Any, request: HttpRequest, user: Person, authenticator: Any = None, **kwargs: Any
    ) -> None:
        audit(
            action=action,
            actor=user,
            object_type="person",
            object_id=user.pk,
            detail={"type": getattr(authenticator, "type", None)},
        )

    return _from_request(handler)


_mfa_added = _authenticator_event(AuditAction.MFA_ADDED)
_mfa_removed = _authenticator_event(AuditAction.MFA_REMOVED)
_mfa_reset = _authenticator_event(AuditAction.MFA_RESET)
authenticator_added.connect(_mfa_added, dispatch_uid="haven.audit.mfa_added")
authenticator_removed.connect(_mfa_removed, dispatch_uid="haven.audit.mfa_removed")
authenticator_reset.connect(_mfa_reset, dispatch_uid="haven.audit.mfa_reset")
