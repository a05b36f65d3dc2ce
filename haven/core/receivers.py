"""Signal handlers that put sign-in, sign-out and MFA changes into the audit log, and tell a
person when wrong MFA codes lock their second step."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import authentication_failed as mfa_authentication_failed
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from haven.core.audit import audit, audit_failed_sign_in
from haven.core.auth import mfa_attempts_key, tell_if_locked
from haven.core.models import AuditAction, Person


@receiver(user_logged_in)
def _signed_in(sender: Any, request: HttpRequest, user: Person, **kwargs: Any) -> None:
    audit(action=AuditAction.SIGN_IN, actor=user, object_type="person", object_id=user.pk)


@receiver(user_logged_out)
def _signed_out(sender: Any, request: HttpRequest, user: Person | None, **kwargs: Any) -> None:
    if user is not None:
        audit(action=AuditAction.SIGN_OUT, actor=user, object_type="person",
              object_id=user.pk)


@receiver(user_login_failed)
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], **kwargs: Any
) -> None:
    login = str(credentials.get("email") or credentials.get("username") or "")
    audit_failed_sign_in(login=login)


@receiver(mfa_authentication_failed)
def _second_step_failed(sender: Any, request: HttpRequest, user: Person,
                        reauthentication: bool = False, **kwargs: Any) -> None:
    # The password was right and the code was not: worth seeing in the log.
    audit(action=AuditAction.SIGN_IN_FAILED, actor=user if reauthentication else None,
          object_type="person", object_id=user.pk,
          detail={"reason": "wrong_mfa_code"})
    if not reauthentication:  # a signed-in person re-entering a code is not a stranger
        tell_if_locked(request, key=mfa_attempts_key(user), person=user)


@receiver(password_changed)
def _password_changed(sender: Any, request: HttpRequest, user: Person, **kwargs: Any) -> None:
    audit(action=AuditAction.PASSWORD_CHANGED, actor=user, object_type="person",
          object_id=user.pk)


@receiver(password_reset)
def _password_reset(sender: Any, request: HttpRequest, user: Person, **kwargs: Any) -> None:
    audit(action=AuditAction.PASSWORD_RESET, actor=user, object_type="person",
          object_id=user.pk)


def _authenticator_event(action: AuditAction):  # type: ignore[no-untyped-def]
    def handler(sender: Any, request: HttpRequest, user: Person, authenticator: Any = None,
                **kwargs: Any) -> None:
        audit(action=action, actor=user, object_type="person", object_id=user.pk,
              detail={"type": getattr(authenticator, "type", None)})
    return handler


_mfa_added = _authenticator_event(AuditAction.MFA_ADDED)
_mfa_removed = _authenticator_event(AuditAction.MFA_REMOVED)
_mfa_reset = _authenticator_event(AuditAction.MFA_RESET)
authenticator_added.connect(_mfa_added, dispatch_uid="haven.audit.mfa_added")
authenticator_removed.connect(_mfa_removed, dispatch_uid="haven.audit.mfa_removed")
authenticator_reset.connect(_mfa_reset, dispatch_uid="haven.audit.mfa_reset")
