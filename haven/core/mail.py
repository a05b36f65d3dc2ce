"""E-mail sent after commit: a rolled-back change tells nobody anything."""

from __future__ import annotations

import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
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


class MailFailed(Exception):
    """The e-mail backend refused or could not be reached. The message names the kind of
    failure only (e.g. ConnectionRefusedError): never an address, a password or a host."""


def send_test_email(*, to: Person) -> None:
    """Send a fixed, content-free test message to TO now (not through the worker), so that
    the administrator sees at once whether the configured backend works."""
    subject = _("Haven test e-mail")
    body = _("This is a test e-mail from Haven. If you can read it, Haven can send e-mail.")
    try:
        sent = send_mail(str(subject), str(body), None, [to.email])
    except (OSError, smtplib.SMTPException, ValueError) as error:
        # OSError covers refused connections, timeouts and TLS failures; ValueError a bad
        # address or header. The class name is enough to act on; the text may hold a host.
        raise MailFailed(type(error).__name__) from None
    if sent != 1:
        raise MailFailed("not sent")


def backend_name() -> str:
    """The configured e-mail backend, without its module path ("console", "smtp", "locmem")."""
    return settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
