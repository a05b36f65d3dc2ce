"""Background tasks shared by every app (django-tasks; the worker runs them)."""

from __future__ import annotations

from django.core.mail import EmailMessage, send_mail
from django_tasks import task


@task()
def send_email(subject: str, body: str, recipients: list[str],
               attachments: list[list[str]] | None = None) -> int:
    """Callers pass content-free text only; see haven.support.services.notify. ATTACHMENTS
    are [file name, text content, MIME type] (e.g. a calendar invitation)."""
    if not attachments:
        return send_mail(subject, body, None, recipients)
    message = EmailMessage(subject, body, None, recipients)
    for name, content, mime_type in attachments:
        message.attach(name, content, mime_type)
    return message.send()
