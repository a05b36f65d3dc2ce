"""E-mail sent after commit: a rolled-back change tells nobody anything."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from haven.core.email_kinds import email_kind, unsubscribe_urls, wants_email
from haven.core.models import Person
from haven.core.tasks import send_email


def email_after_commit(*, recipients: Iterable[str], subject: str, body: str) -> None:
    """Queue one e-mail to RECIPIENTS (addresses) through the worker once the surrounding
    transaction commits. Callers pass content-free text only: never what anyone wrote."""
    addresses = list(recipients)
    if addresses:
        subject, body = str(subject), str(body)
        transaction.on_commit(lambda: send_email.enqueue(subject, body, addresses))


def notify(*, people: Iterable[Person], subject: str, body: str) -> None:
    """email_after_commit to the active ones among PEOPLE."""
    email_after_commit(recipients=[person.email for person in people if person.is_active],
                       subject=subject, body=body)


def optional_email(*, person: Person, kind: str, subject: str, body: str,
                   attachments: list[list[str]] | None = None) -> bool:
    """Queue, after commit, one e-mail of the optional KIND (haven.core.email_kinds) to
    PERSON alone, unless they have left or turned KIND off. It ends with the link that stops
    KIND and carries the List-Unsubscribe headers of RFC 8058, so a mail client's own button
    stops it too. Returns whether it was queued. Content-free text only, as for notify."""
    known = email_kind(kind)
    if known is None:
        raise ValueError(f"E-mail kind {kind!r} is not registered.")
    if not person.is_active or not person.email or not wants_email(person_id=person.pk,
                                                                   kind=kind):
        return False
    page, one_click = unsubscribe_urls(person_id=person.pk, kind=kind)
    body = "\n\n".join([str(body).rstrip("\n"), _(
        "To stop e-mails like this one (%(kind)s): %(link)s") % {"kind": known.label,
                                                                  "link": page}])
    headers = {"List-Unsubscribe": f"<{one_click}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    subject, recipients = str(subject), [person.email]
    transaction.on_commit(lambda: send_email.enqueue(subject, body, recipients, attachments,
                                                     headers))
    return True
