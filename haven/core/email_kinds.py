"""The optional e-mails Haven sends on a schedule (a digest, reminders, coffee rounds), which
each person may turn off: on their E-mail settings page, or without signing in through the
unsubscribe link every such e-mail carries. Each app registers its kinds from its
AppConfig.ready(), so core knows none of them; transactional e-mails (an invitation, an offer,
a safety notice) are not kinds and cannot be turned off.

An unsubscribe link holds a token signed with the secret key (django.core.signing, a salt of
its own) that names the person and the kind; it does not expire, as a link in an old e-mail
should still stop the next one. It identifies nobody to anyone but its holder."""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise

from haven.core.links import absolute_url
from haven.core.models import EmailOptOut

UNSUBSCRIBE_SALT = "haven.core.email_kinds.unsubscribe"


@dataclass(frozen=True)
class EmailKind:
    key: str  # stored in EmailOptOut.kind: at most 40 characters
    label: str | Promise  # "Weekly recognition digest"
    description: str | Promise  # what arrives, and when; what turning it off changes
    # Shown on the settings page only to people holding one of these roles (none: everyone).
    roles: frozenset[str] = frozenset()


_kinds: dict[str, EmailKind] = {}


def register_email_kind(kind: EmailKind) -> None:
    known = _kinds.get(kind.key)
    if known is not None and known != kind:
        raise ValueError(f"E-mail kind {kind.key!r} is registered twice with two meanings.")
    if len(kind.key) > 40:
        raise ValueError(f"E-mail kind {kind.key!r} is longer than 40 characters.")
    _kinds[kind.key] = kind


def email_kind(key: str) -> EmailKind | None:
    return _kinds.get(key)


def email_kinds() -> list[EmailKind]:
    """Every registered kind, in a stable order (by key)."""
    return [_kinds[key] for key in sorted(_kinds)]


def wants_email(*, person_id: int, kind: str) -> bool:
    return not EmailOptOut.objects.filter(person_id=person_id, kind=kind).exists()


def opted_out(kind: str) -> QuerySet[EmailOptOut, int]:
    """The ids of the people who turned KIND off, for a job's query: .exclude(pk__in=...)."""
    return EmailOptOut.objects.filter(kind=kind).values_list("person_id", flat=True)


def unsubscribe_token(*, person_id: int, kind: str) -> str:
    return signing.dumps([person_id, kind], salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, EmailKind] | None:
    """(person id, kind) named by TOKEN; None for a token that was not made here, was
    altered, or names a kind Haven no longer sends."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, UnicodeError):
        return None
    if (isinstance(value, list) and len(value) == 2 and type(value[0]) is int
            and isinstance(value[1], str)):
        kind = email_kind(value[1])
        if kind is not None:
            return value[0], kind
    return None


def unsubscribe_urls(*, person_id: int, kind: str) -> tuple[str, str]:
    """(the page that asks before stopping KIND, the one-click address of RFC 8058)."""
    token = unsubscribe_token(person_id=person_id, kind=kind)
    return (absolute_url(reverse("email_unsubscribe", args=[token])),
            absolute_url(reverse("email_unsubscribe_one_click", args=[token])))
