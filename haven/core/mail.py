"""E-mail sent after commit: a rolled-back change tells nobody anything."""

from __future__ import annotations

import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

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
