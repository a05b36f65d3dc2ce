"""The one door to the audit log. It records who did what to which record — never content."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from django.conf import settings
from django.http import HttpRequest

from haven.core.models import AuditAction, AuditEvent, Person

# Detail values are identifiers and counts, never text a person wrote.
_MAX_DETAIL_STRING = 64
DetailValue = int | bool | None | str


def _client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))


def hash_identifier(value: str) -> str:
    """A keyed hash, so the log can correlate an address or login without storing it."""
    if not value:
        return ""
    digest = hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def audit(
    *,
    action: AuditAction,
    actor: Person | None = None,
    object_type: str = "",
    object_id: object = "",
    request: HttpRequest | None = None,
    detail: Mapping[str, DetailValue] | None = None,
) -> AuditEvent:
    clean_detail: dict[str, DetailValue] = {}
    for key, value in (detail or {}).items():
        if isinstance(value, str) and len(value) > _MAX_DETAIL_STRING:
            raise ValueError(f"Audit detail {key!r} is too long to be an identifier.")
        if not isinstance(value, int | bool | str | type(None)):
            raise TypeError(f"Audit detail {key!r} must be an identifier or a number.")
        clean_detail[key] = value
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=str(object_id) if object_id != "" else "",
        ip_hash=hash_identifier(_client_ip(request)),
        detail=clean_detail,
    )
