"""Every write to the directory: keyword-only functions, each in one transaction, each audited."""

from __future__ import annotations

import hashlib
import re
import secrets
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from haven.core.audit import audit
from haven.core.email_kinds import email_kind
from haven.core.links import absolute_url
from haven.core.mail import email_after_commit
from haven.core.models import (
    AuditAction,
    EmailOptOut,
    Person,
    PersonalAccessToken,
    Role,
    RoleGrant,
)
from haven.core.signals import person_deactivated
from haven.core.tasks import failed_email, send_email

TOKEN_PREFIX = "hvn_"
MAX_LANGUAGES = 12


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Single use: the token stops working once the person sets a password (it hashes it)."""

    key_salt = "haven.core.services.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


def set_roles(*, person: Person, roles: Iterable[str], actor: Person | None
              ) -> tuple[set[str], set[str]]:
    """Make PERSON hold exactly ROLES (colleague is implicit). Returns (granted, revoked)."""
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))})
    with transaction.atomic():
        held = set(RoleGrant.objects.select_for_update().filter(person=person)
                   .values_list("role", flat=True))
        granted, revoked = wanted - held, held - wanted
        RoleGrant.objects.bulk_create(RoleGrant(person=person, role=role) for role in granted)
        RoleGrant.objects.filter(person=person, role__in=revoked).delete()
        for role in sorted(granted):
            audit(action=AuditAction.ROLE_GRANTED, actor=actor, object_type="person",
                  object_id=person.pk, detail={"role": role})
        for role in sorted(revoked):
            audit(action=AuditAction.ROLE_REVOKED, actor=actor, object_type="person",
                  object_id=person.pk, detail={"role": role})
    person.__dict__.pop("roles", None)
    return granted, revoked


def invitation_url(person: Person) -> str:
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = invitation_tokens.make_token(person)
    path = reverse("accept_invitation", kwargs={"uidb64": uid, "token": token})
    return absolute_url(path)


def send_invitation(*, person: Person, actor: Person | None) -> str:
    """E-mail PERSON a single-use link to choose a password. Returns the link."""
    if not person.is_active:
        raise ValidationError(_("%(name)s is not active in the directory.") % {"name": person.name})
    if person.has_usable_password():
        raise ValidationError(_("%(name)s has already accepted an invitation.")
                              % {"name": person.name})
    url = invitation_url(person)
    context = {"person": person, "url": url}
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(invited_at=timezone.now())
        audit(action=AuditAction.INVITATION_SENT, actor=actor, object_type="person",
              object_id=person.pk)
        # Through the worker like every e-mail, so a mail server that is down delays the
        # invitation (retried) instead of losing it.
        email_after_commit(
            recipients=[person.email],
            subject=render_to_string("core/email/invitation_subject.txt", context).strip(),
            body=render_to_string("core/email/invitation_body.txt", context))
    return url


def invite_everyone_waiting(*, actor: Person) -> int:
    """Invite every active person who has neither a password nor an invitation yet."""
    waiting = [person for person in Person.objects.filter(is_active=True,
                                                          invited_at__isnull=True)
               if not person.has_usable_password()]
    for person in waiting:
        send_invitation(person=person, actor=actor)
    return len(waiting)


def accept_invitation(*, person: Person, token: str, password: str) -> None:
    """Set PERSON's first password, once: the token is checked again under a row lock, so two
    submissions of one link cannot both succeed."""
    with transaction.atomic():
        locked = Person.objects.select_for_update().filter(pk=person.pk, is_active=True).first()
        if locked is None or not invitation_tokens.check_token(locked, token):
            raise ValidationError(_("This invitation link has been used or has expired."))
        person.set_password(password)
        person.save(update_fields=["password", "updated_at"])
        audit(action=AuditAction.INVITATION_ACCEPTED, actor=person, object_type="person",
              object_id=person.pk)


def send_sign_in_lock_notice(*, person: Person, at: datetime) -> None:
    """Tell PERSON, after commit and through the worker, that repeated failed sign-ins have
    paused their account: when, and to reset the password if it was not them. Nothing else —
    no address, no count, nothing typed."""
    zone = zoneinfo.ZoneInfo(person.time_zone or settings.TIME_ZONE)
    local = timezone.localtime(at, zone)
    context = {"when": f"{date_format(local, 'j F Y, H:i')} ({zone.key})",
               "reset_url": absolute_url(reverse("account_reset_password"))}
    subject = render_to_string("core/email/sign_in_locked_subject.txt", context).strip()
    body = render_to_string("core/email/sign_in_locked_body.txt", context)
    email_after_commit(recipients=[person.email], subject=subject, body=body)


def update_profile(*, person: Person, pronouns: str | None = None,
                   languages: list[str] | None = None) -> Person:
    """What a person may change about themselves; the directory import owns the rest.
    Everything is checked before anything is assigned, so a refusal leaves PERSON as it was."""
    errors: dict[str, str] = {}
    if pronouns is not None:
        pronouns = pronouns.strip()
        if len(pronouns) > 40:
            errors["pronouns"] = _("Pronouns must be at most 40 characters.")
        elif not pronouns.isprintable():
            errors["pronouns"] = _("Pronouns cannot contain control characters.")
    if languages is not None:
        try:
            languages = clean_languages(languages)
        except ValidationError as error:
            errors.update({field: messages[0]
                           for field, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if pronouns is not None:
            person.pronouns = pronouns
        if languages is not None:
            person.languages = languages
        person.save(update_fields=["pronouns", "languages", "updated_at"])
    return person


# A primary language subtag of 2–3 letters and an optional region or script of 2–4 letters or
# digits: en, fil, pt-BR, zh-Hant, es-419. ASCII only: "中文" or "²³" are not codes.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,4})?", re.ASCII)


def clean_languages(languages: Iterable[str]) -> list[str]:
    """Language tags such as en, fr or pt-BR; duplicates dropped, order kept."""
    cleaned: list[str] = []
    for raw in languages:
        tag = raw.strip()
        if not tag:
            continue
        if not _LANGUAGE_TAG.fullmatch(tag):
            shown = tag if len(tag) <= 20 else tag[:20] + "…"  # never echo a whole essay back
            raise ValidationError({"languages": _(
                "%(tag)s is not a language code such as en, fr or pt-BR.") % {"tag": shown}})
        primary, _sep, region = tag.partition("-")
        tag = primary.lower() + (f"-{region.upper()}" if region else "")
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_LANGUAGES:
        raise ValidationError({"languages": _("List at most %(n)d languages.")
                               % {"n": MAX_LANGUAGES}})
    return cleaned


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_access_token(*, person: Person, name: str, days: int | None = 90
                        ) -> tuple[PersonalAccessToken, str]:
    """A new API token for PERSON. Returns the record and the token, which is shown only once."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the script that uses it.")})
    if len(name) > 80:
        raise ValidationError({"name": _("The name must be at most 80 characters.")})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        token = PersonalAccessToken.objects.create(
            person=person, name=name, prefix=secret[:10], token_hash=hash_token(secret),
            created_at=now, expires_at=now + timedelta(days=days) if days else None,
        )
        audit(action=AuditAction.TOKEN_CREATED, actor=person, object_type="token",
              object_id=token.pk)
    return token, secret


def revoke_access_token(*, token: PersonalAccessToken, actor: Person) -> None:
    with transaction.atomic():
        revoked = PersonalAccessToken.objects.filter(
            pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if revoked:  # revoking twice is harmless and not a second event
            audit(action=AuditAction.TOKEN_REVOKED, actor=actor, object_type="token",
                  object_id=token.pk)


def person_for_token(secret: str) -> Person | None:
    """The active person a usable token belongs to, marking it used; None otherwise."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (PersonalAccessToken.objects.select_related("person")
             .filter(token_hash=hash_token(secret)).first())
    if token is None or not token.is_usable or not token.person.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.person


# Deactivation and reactivation ----------------------------------------------------------------

# Where a deactivation came from, recorded in its audit event.
ACTIVE_CHANGE_SOURCES = frozenset({"page", "command", "import", "api"})


@dataclass(frozen=True)
class ActiveChange:
    changed: bool  # False: the person already was as asked; nothing was done
    sessions_ended: int = 0
    tokens_revoked: int = 0


def set_person_active(*, person: Person, active: bool, actor: Person | None,
                      via: str) -> ActiveChange:
    """Deactivate (offboard) or reactivate PERSON: the one path for the page, the command, the
    directory import and the API.

    Deactivation ends everything at once, in one transaction: every session (their open live
    chats are told after commit and close), every API token, and — through the
    person_deactivated signal — what the feature apps hold for them (peer support hands their
    conversations over). Nothing else is deleted. Reactivation only lets them sign in again:
    old sessions and tokens stay ended. The last active administrator cannot be deactivated."""
    if via not in ACTIVE_CHANGE_SOURCES:
        raise ValueError(f"{via!r} is not a source of deactivation.")
    with transaction.atomic():
        if not active and person.has_role(Role.ADMINISTRATOR):
            _refuse_last_administrator(person)
        locked = Person.objects.select_for_update().filter(pk=person.pk).first()
        if locked is None or locked.is_active == active:
            person.is_active = active if locked is None else locked.is_active
            return ActiveChange(changed=False)
        now = timezone.now()
        Person.objects.filter(pk=person.pk).update(is_active=active, updated_at=now)
        person.is_active = active
        sessions = tokens = 0
        if not active:
            sessions = _end_sessions_of(person)
            tokens = _revoke_tokens_of(person, actor=actor, now=now)
            person_deactivated.send(sender=Person, person=person)
        audit(action=AuditAction.PERSON_DEACTIVATED if not active
              else AuditAction.PERSON_REACTIVATED,
              actor=actor, object_type="person", object_id=person.pk,
              detail={"via": via, **({"sessions_ended": sessions, "tokens_revoked": tokens}
                                     if not active else {})})
    return ActiveChange(changed=True, sessions_ended=sessions, tokens_revoked=tokens)


def _refuse_last_administrator(person: Person) -> None:
    # Every active administrator's row is locked, in id order, before anyone is deactivated:
    # two administrators deactivating each other at once cannot both pass this check, and
    # the fixed order means they wait for each other rather than deadlock.
    others = [pk for pk in Person.objects.select_for_update(of=("self",))
              .filter(role_grants__role=Role.ADMINISTRATOR, is_active=True)
              .order_by("pk").values_list("pk", flat=True) if pk != person.pk]
    if not others:
        raise ValidationError(_(
            "%(name)s is the last active administrator, so they cannot be deactivated: give "
            "another person the administrator role first.") % {"name": person.name})


def _end_sessions_of(person: Person) -> int:
    """Delete every session that signs PERSON in; returns how many. Sessions are found by
    reading each unexpired one, since Django does not index them by person. Engines that keep
    sessions outside the database (signed cookies, cache only) cannot be listed; there the
    person's inactive state already refuses them on every request (Django's get_user)."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    rows = (store_class.get_model_class().objects.filter(expire_date__gt=timezone.now())
            .values_list("session_key", "session_data"))
    decoder = store_class()
    owner = str(person.pk)
    ended = 0
    for key, data in rows.iterator():
        if str(decoder.decode(data).get(SESSION_KEY)) == owner:
            store_class(key).delete()  # through the engine: cached_db forgets it too
            ended += 1
    return ended


def _revoke_tokens_of(person: Person, *, actor: Person | None,
                      now: datetime) -> int:
    ids = list(PersonalAccessToken.objects.filter(person=person, revoked_at__isnull=True)
               .values_list("pk", flat=True))
    PersonalAccessToken.objects.filter(pk__in=ids).update(revoked_at=now)
    for token_id in ids:
        audit(action=AuditAction.TOKEN_REVOKED, actor=actor, object_type="token",
              object_id=token_id, detail={"reason": "person_deactivated"})
    return len(ids)


def set_email_choices(*, person: Person, wanted: Mapping[str, bool], via: str
                      ) -> dict[str, bool]:
    """Turn each optional e-mail kind in WANTED (haven.core.email_kinds) on (True) or off for
    PERSON; kinds not named keep their setting. VIA says where from: "settings" (their page),
    "link" (an e-mail's unsubscribe page) or "one_click" (a mail client's button). Audited
    when anything changed, with the kinds and VIA only. Returns what changed."""
    if any(email_kind(kind) is None for kind in wanted):
        raise ValidationError(_("Haven sends no e-mail of that kind."))
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one change at a time
        off = set(EmailOptOut.objects.filter(person=person).values_list("kind", flat=True))
        changed = {kind: on for kind, on in wanted.items() if on == (kind in off)}
        EmailOptOut.objects.filter(person=person,
                                   kind__in=[kind for kind, on in changed.items() if on]).delete()
        EmailOptOut.objects.bulk_create([EmailOptOut(person=person, kind=kind)
                                         for kind, on in changed.items() if not on])
        if changed:
            audit(action=AuditAction.EMAIL_SETTINGS_CHANGED, actor=person,
                  object_type="person", object_id=person.pk, detail={"via": via, **changed})
    return changed


def resend_failed_email() -> int:
    """Queue every e-mail given up on again, as a first attempt (after the mail server is
    fixed), and forget its failure. Returns how many. `haven mail-queue --resend`."""
    with transaction.atomic():
        failed = list(failed_email().select_for_update())
        for result in failed:
            args, kwargs = result.args_kwargs["args"], result.args_kwargs["kwargs"]
            send_email.enqueue(*args, **{**kwargs, "attempt": 1})
        failed_email().filter(pk__in=[result.pk for result in failed]).delete()
    return len(failed)


def drop_failed_email() -> int:
    """Forget every e-mail given up on without sending it. Returns how many.
    `haven mail-queue --drop`."""
    deleted, _by_model = failed_email().delete()
    return deleted
