"""E-mail sent after commit: a rolled-back change tells nobody anything."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

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
