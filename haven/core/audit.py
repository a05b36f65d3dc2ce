"""The one door to the audit log. It records who did what to which record — never content.

Where a row's request came from (a keyed hash of the client address) travels in an audit
context, not as a parameter: the middleware (pages and the API) and the live-chat consumer set
it, and services, which know nothing of HTTP, write rows that pick it up."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from haven.core.audit_actions import is_audit_action
from haven.core.models import AuditAction, AuditEvent, Person

# Detail values are identifiers and counts, never text a person wrote.
_MAX_DETAIL_STRING = 64
_MAX_DETAIL_KEYS = 12
DetailValue = int | bool | None | str
_OBJECT_TYPE_MAX = AuditEvent._meta.get_field("object_type").max_length
_OBJECT_ID_MAX = AuditEvent._meta.get_field("object_id").max_length


@dataclass(frozen=True)
class AuditContext:
    ip_hash: str = ""  # hash_identifier of the client address; "" outside a request


_NOWHERE = AuditContext()
_context: ContextVar[AuditContext | None] = ContextVar("haven_audit_context", default=None)


def set_audit_context(*, ip_hash: str) -> Token[AuditContext | None]:
    """Rows written from here on in this context (a request, a socket) carry IP_HASH. Give
    the token to reset_audit_context when the request ends."""
    return _context.set(AuditContext(ip_hash=ip_hash))


def reset_audit_context(token: Token[AuditContext | None]) -> None:
    _context.reset(token)


@contextmanager
def audit_context(*, ip_hash: str) -> Iterator[None]:
    token = set_audit_context(ip_hash=ip_hash)
    try:
        yield
    finally:
        reset_audit_context(token)


def current_audit_context() -> AuditContext:
    return _context.get() or _NOWHERE


def ip_hash_of(request: HttpRequest) -> str:
    """The keyed hash of REQUEST's client address, as an audit row records it."""
    return hash_identifier(_client_ip(request))


def _client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    # The same reading as allauth's rate limits: REMOTE_ADDR, which the server sets to the
    # forwarded address only for a trusted proxy (HAVEN_TRUSTED_PROXIES).
    try:
        return get_adapter().get_client_ip(request) or ""
    except PermissionDenied:  # no address at all, e.g. a request built in code
        return ""


def hash_identifier(value: str) -> str:
    """A keyed hash, so the log can correlate an address or login without storing it."""
    if not value:
        return ""
    digest = hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def _identifier(name: str, value: object, limit: int | None) -> str:
    text = "" if value is None else str(value)
    if limit is not None and len(text) > limit:
        raise ValueError(f"Audit {name} is longer than {limit} characters.")
    return text


def audit(
    *,
    action: str,
    actor: Person | None = None,
    object_type: str = "",
    object_id: object = "",
    detail: Mapping[str, DetailValue] | None = None,
    actor_pseudonym: str = "",
) -> AuditEvent:
    """One audit row, with the client address's hash from the audit context. With
    ACTOR_PSEUDONYM the actor stays unnamed: no person, no address, and the time only to the
    hour, so that the row cannot be matched to someone's sign-in."""
    if not is_audit_action(action):
        raise ValueError(f"{action!r} is not an audit action.")
    clean_detail: dict[str, DetailValue] = {}
    items = list((detail or {}).items())
    if len(items) > _MAX_DETAIL_KEYS:
        raise ValueError("Audit detail holds identifiers, not records: too many keys.")
    for key, value in items:
        if not isinstance(key, str) or len(key) > 40:
            raise ValueError("Audit detail keys are short names.")
        # bool is an int; float, list, dict and objects are refused: they could carry content.
        if not isinstance(value, int | str | type(None)):
            raise TypeError(f"Audit detail {key!r} must be an identifier or a number.")
        if isinstance(value, str) and len(value) > _MAX_DETAIL_STRING:
            raise ValueError(f"Audit detail {key!r} is too long to be an identifier.")
        clean_detail[key] = value
    if actor is not None and not actor.is_authenticated:
        actor = None
    at = timezone.now()
    ip_hash = current_audit_context().ip_hash
    if actor_pseudonym:
        if actor is not None:
            raise ValueError("An audit row names its actor or a pseudonym, not both.")
        at, ip_hash = at.replace(minute=0, second=0, microsecond=0), ""
    return AuditEvent.objects.create(
        at=at,
        action=action,
        actor=actor,
        actor_pseudonym=actor_pseudonym,
        object_type=_identifier("object type", object_type, _OBJECT_TYPE_MAX),
        object_id=_identifier("object id", object_id, _OBJECT_ID_MAX),
        ip_hash=ip_hash,
        detail=clean_detail,
    )


def audit_failed_sign_in(*, login: str, reason: str = "") -> AuditEvent:
    """A refused sign-in: the login is kept only as a keyed hash, never as typed."""
    login = login.strip().lower()
    plausible = 0 < len(login) <= 254 and "\x00" not in login  # PostgreSQL refuses NUL
    person_id = (Person.objects.filter(email=login).values_list("pk", flat=True).first()
                 if plausible else None)
    detail: dict[str, DetailValue] = {"login_hash": hash_identifier(login)}
    if reason:
        detail["reason"] = reason
    return audit(action=AuditAction.SIGN_IN_FAILED,
                 object_type="person" if person_id else "",
                 object_id=person_id or "", detail=detail)
